import AutoencoderKernels
import AutoencoderNumerics

/// Gives each sample another shape with the same number of values, as Keras's `Reshape`
/// (PyTorch's `nn.Unflatten` or `view`): a vector `[784]` becomes an image `[1, 28, 28]`
/// or back. A row of a batch holds the values in the same order either way, so both
/// passes copy. No parameters.
public struct Reshape: Layer, Equatable {
    /// The shape of each input sample.
    public let inputShape: SampleShape
    /// The shape of each output sample.
    public let outputShape: SampleShape

    /// Creates a reshaping of samples of `input` to `target`, which has as many values.
    public init(input: SampleShape, target: SampleShape) {
        precondition(input.count != nil && input.count == target.count && input.width > 0,
                     "Reshape cannot turn \(input) into \(target).")
        inputShape = input
        outputShape = target
    }

    /// The number of values of a sample.
    public var inputWidth: Int { inputShape.width }
    /// The same number.
    public var outputWidth: Int { outputShape.width }
    /// None.
    public var parameterShapes: [ParameterShape] { [] }

    /// For example `"Reshape(784 → 1x28x28)"`.
    public var summary: String { "Reshape(\(ImageGeometry.text(inputShape)) → \(ImageGeometry.text(outputShape)))" }

    /// Nothing to draw.
    public func initialize(_ parameters: MutableVectorView, using generator: inout RandomGenerator) {}

    /// Copies the batch.
    public func forward(
        _ input: MatrixView, parameters: VectorView,
        into output: MutableMatrixView, context: inout LayerContext
    ) {
        precondition(input.columns == inputWidth && output.columns == outputWidth && input.rows == output.rows,
                     "Reshape shapes disagree.")
        ConvolutionKernels.copy(input.base, count: input.count, into: output.base)
    }

    /// Copies the gradient (see ``Layer``).
    public func backward(
        input: MatrixView, output: MatrixView, outputGradient: MutableMatrixView,
        parameters: VectorView, parameterGradients: MutableVectorView,
        inputGradient: MutableMatrixView?, context: inout LayerContext
    ) {
        guard let inputGradient else { return }
        precondition(inputGradient.count == outputGradient.count, "Reshape shapes disagree.")
        ConvolutionKernels.copy(outputGradient.base, count: outputGradient.count, into: inputGradient.base)
    }
}

extension Reshape {
    /// A reshaping in a model description: `{"kind": "Reshape", "target_shape": [1, 28,
    /// 28]}`, Keras's field name; the target has 1 or 3 positive dimensions (no `-1`), an
    /// image's in this package's channels-first order (`[1, 28, 28]`, where a Keras model
    /// with its default channels-last images writes `[28, 28, 1]`).
    public struct Specification: LayerSpecification, Equatable {
        /// `"Reshape"`.
        public static let kind = "Reshape"
        /// The shape of each output sample: `[features]` or `[channels, height, width]`.
        public var targetShape: [Int]

        /// Reshaping has no activation; setting one does nothing.
        public var activation: Activation? {
            get { nil }
            set {}
        }

        /// Creates a specification.
        public init(targetShape: [Int]) {
            self.targetShape = targetShape
        }

        private enum CodingKeys: String, CodingKey { case targetShape }

        /// Reads the field, refusing unknown ones, targets of other than 1 or 3 dimensions
        /// and non-positive dimensions.
        public init(from decoder: any Decoder) throws {
            try LayerFields.check(decoder, known: ["targetShape"], kind: Self.kind)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            targetShape = try container.decode([Int].self, forKey: .targetShape)
            guard targetShape.count == 1 || targetShape.count == 3 else {
                throw LayerFieldError(field: "target_shape",
                                      reason: "must have 1 or 3 dimensions, not \(targetShape.count)")
            }
            for dimension in targetShape where dimension <= 0 {
                throw LayerFieldError(field: "target_shape",
                                      reason: "must have positive dimensions, not \(SampleShape(targetShape))")
            }
        }

        /// The target, when it has as many values as `input`.
        public func outputShape(for input: SampleShape) throws(LayerShapeProblem) -> SampleShape {
            let target = SampleShape(targetShape)
            guard let count = input.count, count > 0 else {
                throw LayerShapeProblem("it is given an empty or impossibly large shape \(input)")
            }
            guard let targetCount = target.count, targetCount == count else {
                throw LayerShapeProblem("it cannot reshape \(input) (\(count) values) to \(target) ("
                                        + "\(target.count.map(String.init) ?? "too many") values)")
            }
            return target
        }

        /// The reshaping layer.
        public func makeLayer(for input: SampleShape) -> any Layer {
            Reshape(input: input, target: SampleShape(targetShape))
        }
    }
}
