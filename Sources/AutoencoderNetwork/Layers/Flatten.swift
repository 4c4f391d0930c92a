import AutoencoderKernels
import AutoencoderNumerics

/// Flattens an image `[channels, height, width]` into a vector of `channels·height·width`
/// values, as Keras's `Flatten` on a channels-first image and PyTorch's `nn.Flatten`. A
/// row of a batch already holds the image flattened channels first, so both passes copy.
/// No parameters.
public struct Flatten: Layer, Equatable {
    /// The shape of each input sample.
    public let inputShape: SampleShape

    /// Creates a flattening of samples of `input`.
    public init(input: SampleShape) {
        precondition(input.count.map { $0 > 0 } ?? false, "Flatten needs a non-empty shape, not \(input).")
        inputShape = input
    }

    /// The number of values of a sample.
    public var inputWidth: Int { inputShape.width }
    /// The same number.
    public var outputWidth: Int { inputShape.width }
    /// None.
    public var parameterShapes: [ParameterShape] { [] }

    /// For example `"Flatten(16x7x7 → 784)"`.
    public var summary: String { "Flatten(\(ImageGeometry.text(inputShape)) → \(outputWidth))" }

    /// Nothing to draw.
    public func initialize(_ parameters: MutableVectorView, using generator: inout RandomGenerator) {}

    /// Copies the batch.
    public func forward(
        _ input: MatrixView, parameters: VectorView,
        into output: MutableMatrixView, context: inout LayerContext
    ) {
        precondition(input.columns == inputWidth && output.columns == outputWidth && input.rows == output.rows,
                     "Flatten shapes disagree.")
        ConvolutionKernels.copy(input.base, count: input.count, into: output.base)
    }

    /// Copies the gradient (see ``Layer``).
    public func backward(
        input: MatrixView, output: MatrixView, outputGradient: MutableMatrixView,
        parameters: VectorView, parameterGradients: MutableVectorView,
        inputGradient: MutableMatrixView?, context: inout LayerContext
    ) {
        guard let inputGradient else { return }
        precondition(inputGradient.count == outputGradient.count, "Flatten shapes disagree.")
        ConvolutionKernels.copy(outputGradient.base, count: outputGradient.count, into: inputGradient.base)
    }
}

extension Flatten {
    /// Flattening in a model description: `{"kind": "Flatten"}`, no fields.
    public struct Specification: LayerSpecification, Equatable {
        /// `"Flatten"`.
        public static let kind = "Flatten"

        /// Flattening has no activation; setting one does nothing.
        public var activation: Activation? {
            get { nil }
            set {}
        }

        /// Creates a specification.
        public init() {}

        /// Reads the (absent) fields, refusing unknown ones.
        public init(from decoder: any Decoder) throws {
            try LayerFields.check(decoder, known: [], kind: Self.kind)
        }

        /// Writes no fields (an empty object).
        public func encode(to encoder: any Encoder) throws {
            _ = encoder.container(keyedBy: LayerFields.AnyKey.self)
        }

        /// `[count]` from any non-empty shape.
        public func outputShape(for input: SampleShape) throws(LayerShapeProblem) -> SampleShape {
            guard let count = input.count, count > 0 else {
                throw LayerShapeProblem("it is given an empty or impossibly large shape \(input)")
            }
            return .vector(count)
        }

        /// The flattening layer.
        public func makeLayer(for input: SampleShape) -> any Layer {
            Flatten(input: input)
        }
    }
}
