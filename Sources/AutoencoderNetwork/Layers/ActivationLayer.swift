import AutoencoderKernels
import AutoencoderNumerics

/// A layer that only applies an activation to each value, with no parameters: Keras's
/// `Activation` layer, PyTorch's `nn.Sigmoid`, `nn.ReLU`, ….
///
/// Ending a network with a standalone sigmoid rather than a dense layer's own lets a loss
/// that takes logits (``BinaryCrossEntropy`` with `fromLogits`) read this layer's input:
/// ``elementwiseActivation`` says which activation the layer is.
public struct ActivationLayer: Layer, Equatable {
    /// The number of values per sample, in and out.
    public let width: Int
    /// The activation applied to every value.
    public var activation: Activation

    /// Creates the layer for samples of `width` values.
    public init(width: Int, activation: Activation) {
        precondition(width > 0, "An activation layer needs a positive width.")
        self.width = width
        self.activation = activation
    }

    /// The number of features each input row has: ``width``.
    public var inputWidth: Int { width }
    /// The number of features each output row has: ``width``.
    public var outputWidth: Int { width }
    /// None.
    public var parameterShapes: [ParameterShape] { [] }
    /// For example `"Activation(sigmoid)"`.
    public var summary: String { "Activation(\(activation.rawValue))" }
    /// The layer's activation: it does nothing else.
    public var elementwiseActivation: Activation? { activation }

    /// Nothing to draw.
    public func initialize(_ parameters: MutableVectorView, using generator: inout RandomGenerator) {}

    /// `output = f(input)`, with the same kernels as a dense layer's activation.
    public func forward(
        _ input: MatrixView, parameters: VectorView,
        into output: MutableMatrixView, context: inout LayerContext
    ) {
        precondition(input.rows == output.rows && input.columns == width && output.columns == width,
                     "Activation layer shapes disagree.")
        ElementwiseKernels.activate(input.base, into: output.base, count: input.count, activation.nonlinearity)
    }

    /// `∂L/∂input = ∂L/∂output ⊙ f'(output)`, with f' written through the output as a dense
    /// layer's is.
    public func backward(
        input: MatrixView, output: MatrixView, outputGradient: MutableMatrixView,
        parameters: VectorView, parameterGradients: MutableVectorView,
        inputGradient: MutableMatrixView?, context: inout LayerContext
    ) {
        guard let inputGradient else { return }
        precondition(inputGradient.count == outputGradient.count && output.count == outputGradient.count,
                     "Activation layer shapes disagree.")
        ElementwiseKernels.multiplyByDerivative(outputGradient.base, output: output.base, count: output.count,
                                                activation.nonlinearity)
        inputGradient.base.update(from: outputGradient.base, count: outputGradient.count)
    }
}

extension ActivationLayer {
    /// An activation layer in a model description: `{"kind": "Activation", "activation":
    /// "sigmoid"}`. It takes any shape and keeps it.
    public struct Specification: LayerSpecification, Equatable {
        /// `"Activation"`.
        public static let kind = "Activation"
        /// The activation (required, as in Keras; `nil` only when set so, which builds a linear layer).
        public var activation: Activation?

        /// Creates a specification.
        public init(activation: Activation) {
            self.activation = activation
        }

        private enum CodingKeys: String, CodingKey { case activation }

        /// Reads the activation, refusing unknown fields.
        public init(from decoder: any Decoder) throws {
            try LayerFields.check(decoder, known: ["activation"], kind: Self.kind)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            activation = try container.decode(Activation.self, forKey: .activation)
        }

        /// The input's shape.
        public func outputShape(for input: SampleShape) throws(LayerShapeProblem) -> SampleShape { input }

        /// The activation layer over all of a sample's values.
        public func makeLayer(for input: SampleShape) -> any Layer {
            ActivationLayer(width: input.width, activation: activation ?? .linear)
        }

        /// One module (`nn.Sigmoid`, `nn.ReLU`, …), although the kind has an activation.
        public var moduleCount: Int { 1 }
    }
}
