import AutoencoderKernels
import AutoencoderNumerics

/// What a layer's passes may need besides their tensors: the matrix-multiply backend, the
/// run's generator (for layers that sample, such as a variational autoencoder's), the
/// layer's scratch memory, and a place to add terms to the loss.
public struct LayerContext {
    /// The backend that computes the matrix products.
    public var multiplier: any MatrixMultiplier
    /// The run's random generator; layers that draw noise advance it.
    public var generator: RandomGenerator
    /// Whether the pass is part of training (sampling layers sample) or inference (they use the mean).
    public var isTraining: Bool
    /// The layer's scratch memory for this batch: at least ``Layer/scratchCount(batchSize:)``
    /// floats, its own (no other layer writes it), kept from its forward pass to its backward
    /// pass of the same step, with undefined contents before the forward pass. `nil` for a
    /// layer that asks for none. Whoever runs the layers (the trainer, ``Network/apply(_:layers:chunkSize:multiplier:)``)
    /// sets it before each call.
    public var scratch: MutableVectorView?
    /// The sum of the terms layers added to the loss in this forward pass (a variational
    /// autoencoder's KL divergence, an L1 activity penalty), each already weighted and
    /// averaged over the batch. A layer that adds a term here adds its gradient in its
    /// backward pass. The trainer adds it to the batch's loss and resets it every step.
    public var addedLoss: Double = 0

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
/// flat parameter array, its batch buffers and scratch memory in the trainer's
/// workspace, so one optimizer pass updates every parameter and a training step
/// allocates nothing.
///
/// Inputs are `batch × inputWidth` and outputs `batch × outputWidth`, row-major. A layer
/// on images reads each row as a flattened `channels × height × width` image (PyTorch's
/// layout); a variational autoencoder's sampling layer maps means and log-variances
/// (`2k`) to codes (`k`), drawing its noise from ``LayerContext/generator`` and adding its
/// KL term to ``LayerContext/addedLoss``.
///
/// Using a layer needs nothing more: call it on a `Matrix` with its parameters
/// (``callAsFunction(_:parameters:multiplier:)``). Its passes take the borrowed views of the
/// low-level `AutoencoderKernels` module (`MatrixView`, `VectorView`), valid for the call
/// only, so a layer of your own imports that module.
public protocol Layer: Sendable {
    /// The number of features each input row has.
    var inputWidth: Int { get }
    /// The number of features each output row has.
    var outputWidth: Int { get }
    /// The parameter tensors, in the order they are stored in the layer's slice.
    var parameterShapes: [ParameterShape] { get }

    /// The number of floats of scratch memory the layer needs for a batch of `batchSize`
    /// rows (see ``LayerContext/scratch``); 0, the default, for none.
    func scratchCount(batchSize: Int) -> Int

    /// Draws initial values for the layer's parameters: its slice of the network's array,
    /// ``parameterCount`` floats in the order of ``parameterShapes``.
    func initialize(_ parameters: MutableVectorView, using generator: inout RandomGenerator)

    /// Computes the layer's output for a batch; `parameters` is the layer's slice of the
    /// network's parameters.
    func forward(
        _ input: MatrixView, parameters: VectorView,
        into output: MutableMatrixView, context: inout LayerContext)

    /// Given `∂loss/∂output` in `outputGradient` (which the layer may overwrite), writes
    /// `∂loss/∂parameters` into `parameterGradients` (replacing what was there) and,
    /// unless `inputGradient` is `nil`, `∂loss/∂input` into it.
    func backward(
        input: MatrixView, output: MatrixView, outputGradient: MutableMatrixView,
        parameters: VectorView, parameterGradients: MutableVectorView,
        inputGradient: MutableMatrixView?, context: inout LayerContext)

    /// A short description for listings, such as `"Dense(784 → 256, sigmoid)"`.
    var summary: String { get }

    /// When the layer only applies an activation to each value (nothing else, no
    /// parameters), that activation; `nil` otherwise. A loss computed from logits (binary
    /// cross-entropy after a sigmoid) then reads the layer's input instead of its output.
    var elementwiseActivation: Activation? { get }
}

extension Layer {
    /// The number of scalar parameters.
    public var parameterCount: Int { parameterShapes.reduce(0) { $0 + $1.count } }

    /// No scratch memory.
    public func scratchCount(batchSize: Int) -> Int { 0 }

    /// Not a pure activation.
    public var elementwiseActivation: Activation? { nil }
}

extension Layer {
    /// ``forward(_:parameters:into:context:)`` with the layer's parameters given by their
    /// first element (``parameterCount`` floats), as the package's tests hold them.
    package func forward(
        _ input: MatrixView, parameters: UnsafePointer<Float>,
        into output: MutableMatrixView, context: inout LayerContext
    ) {
        forward(input, parameters: VectorView(parameters, count: parameterCount), into: output, context: &context)
    }

    /// ``backward(input:output:outputGradient:parameters:parameterGradients:inputGradient:context:)``
    /// with the parameters and their gradients given by their first elements.
    package func backward(
        input: MatrixView, output: MatrixView, outputGradient: MutableMatrixView,
        parameters: UnsafePointer<Float>, parameterGradients: UnsafeMutablePointer<Float>,
        inputGradient: MutableMatrixView?, context: inout LayerContext
    ) {
        backward(input: input, output: output, outputGradient: outputGradient,
                 parameters: VectorView(parameters, count: parameterCount),
                 parameterGradients: MutableVectorView(parameterGradients, count: parameterCount),
                 inputGradient: inputGradient, context: &context)
    }
}

extension Layer {
    /// The layer's output for `input` (one sample per row, ``inputWidth`` columns), with
    /// `parameters` as its weights (``parameterCount`` floats in the order of
    /// ``parameterShapes``; none for layers without parameters), as at inference: a sampling
    /// layer passes its mean. Layers own no memory, so the parameters are handed in, as
    /// ``Network/parameters`` holds them; the widths and the count are preconditions.
    ///
    /// ```swift
    /// let dense = Dense(784, 32, activation: .relu)
    /// let codes = dense(images, parameters: weightsAndBiases)
    /// ```
    public func callAsFunction(
        _ input: Matrix, parameters: [Float] = [],
        multiplier: any MatrixMultiplier = MatrixMultiplication.preferred
    ) -> Matrix {
        precondition(input.columns == inputWidth, "The input has \(input.columns) columns but the layer takes \(inputWidth).")
        precondition(parameters.count == parameterCount,
                     "The layer has \(parameterCount) parameters, not \(parameters.count).")
        var output = Matrix(rows: input.rows, columns: outputWidth)
        guard input.rows > 0 else { return output }
        let scratch = LayerScratch(layers: [self], batchSize: input.rows)
        var context = LayerContext(multiplier: multiplier)
        context.scratch = scratch.buffers[0]
        input.withView { input in
            output.withMutableView { output in
                parameters.withUnsafeBufferPointer { parameters in
                    forward(input, parameters: VectorView(parameters), into: output, context: &context)
                }
            }
        }
        return output
    }
}
