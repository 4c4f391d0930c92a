import AutoencoderNumerics

/// What a layer's passes may need besides their tensors: the matrix-multiply backend
/// and, for layers that sample (such as a variational autoencoder's), the run's generator.
public struct LayerContext {
    /// The backend that computes the matrix products.
    public var multiplier: any MatrixMultiplier
    /// The run's random generator; layers that draw noise advance it.
    public var generator: RandomGenerator
    /// Whether the pass is part of training (sampling layers sample) or inference (they use the mean).
    public var isTraining: Bool

    /// Creates a context.
    public init(multiplier: any MatrixMultiplier = MatrixMultiplication.preferred,
                generator: RandomGenerator = RandomGenerator(seed: 0), isTraining: Bool = false) {
        self.multiplier = multiplier
        self.generator = generator
        self.isTraining = isTraining
    }
}

/// The name and shape of one parameter tensor of a layer, such as a dense layer's
/// `weight` of shape `[out, in]`.
public struct ParameterShape: Sendable, Equatable {
    /// The tensor's name within its layer, such as `"weight"` or `"bias"`.
    public var name: String
    /// The tensor's dimensions, outermost first.
    public var shape: [Int]
    /// The number of scalars.
    public var count: Int { shape.reduce(1, *) }

    /// Creates a parameter description.
    public init(name: String, shape: [Int]) {
        self.name = name
        self.shape = shape
    }
}

/// A differentiable map from a batch of row vectors to a batch of row vectors.
///
/// A layer is a description (widths, activation, how to initialise) and the code of
/// its two passes; it owns no memory. Its parameters live in a slice of the network's
/// flat parameter array and its batch buffers in the trainer's workspace, so one
/// optimizer pass updates every parameter and a training step allocates nothing.
///
/// Inputs are `batch × inputWidth` and outputs `batch × outputWidth`, row-major.
/// A convolution fits by reading each row as a flattened `channels × height × width`
/// image; a variational autoencoder's sampling layer fits as a parameter-free layer
/// from `2k` (means and log-variances) to `k` that draws its noise from
/// ``LayerContext/generator`` and adds its KL term's gradient in ``backward(input:output:outputGradient:parameters:parameterGradients:inputGradient:context:)``.
public protocol Layer: Sendable {
    /// The number of features each input row has.
    var inputWidth: Int { get }
    /// The number of features each output row has.
    var outputWidth: Int { get }
    /// The parameter tensors, in the order they are stored in the layer's slice.
    var parameterShapes: [ParameterShape] { get }

    /// Draws initial values for the layer's parameters.
    func initialize(_ parameters: UnsafeMutableBufferPointer<Float>, using generator: inout RandomGenerator)

    /// Computes the layer's output for a batch.
    func forward(
        _ input: MatrixView, parameters: UnsafePointer<Float>,
        into output: MutableMatrixView, context: inout LayerContext)

    /// Given `∂loss/∂output` in `outputGradient` (which the layer may overwrite), writes
    /// `∂loss/∂parameters` into `parameterGradients` (replacing what was there) and,
    /// unless `inputGradient` is `nil`, `∂loss/∂input` into it.
    func backward(
        input: MatrixView, output: MatrixView, outputGradient: MutableMatrixView,
        parameters: UnsafePointer<Float>, parameterGradients: UnsafeMutablePointer<Float>,
        inputGradient: MutableMatrixView?, context: inout LayerContext)

    /// A short description for listings, such as `"Dense(784 → 256, sigmoid)"`.
    var summary: String { get }
}

extension Layer {
    /// The number of scalar parameters.
    public var parameterCount: Int { parameterShapes.reduce(0) { $0 + $1.count } }
}
