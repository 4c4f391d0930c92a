import AutoencoderKernels
import AutoencoderNumerics

/// Nearest-neighbour upsampling of channels-first images, as Keras's `UpSampling2D`
/// (PyTorch's `nn.Upsample(scale_factor=…, mode='nearest')`): each value becomes a block
/// of `size.height × size.width` copies. No parameters; the backward pass sums each
/// block's gradients.
public struct UpSampling2D: Layer, Equatable {
    /// The shape of each input sample, `[channels, height, width]`.
    public let inputShape: SampleShape
    /// The factors along the height and the width.
    public let size: PairOfSizes
    /// The shape of each output sample, `[channels, height·size.height, width·size.width]`
    /// (stored: the passes read its width and must not build arrays).
    public let outputShape: SampleShape

    /// Creates an upsampling of images of `input` (`[channels, height, width]`).
    public init(input: SampleShape, size: PairOfSizes = PairOfSizes(2)) {
        precondition(size.height > 0 && size.width > 0, "Upsampling needs positive factors.")
        precondition(input.image != nil && input.count != nil, "UpSampling2D takes an image, not \(input).")
        inputShape = input
        self.size = size
        let image = input.image!
        outputShape = .image(channels: image.channels, height: image.height * size.height, width: image.width * size.width)
    }

    private var image: (channels: Int, height: Int, width: Int) { inputShape.image! }

    /// `channels × height × width`.
    public var inputWidth: Int { inputShape.width }
    /// `channels × height·size.height × width·size.width`.
    public var outputWidth: Int { outputShape.width }
    /// None.
    public var parameterShapes: [ParameterShape] { [] }

    /// For example `"UpSampling2D(16x7x7 → 16x14x14, 2x2)"`.
    public var summary: String {
        "UpSampling2D(\(ImageGeometry.text(inputShape)) → \(ImageGeometry.text(outputShape)), \(size))"
    }

    /// Nothing to draw.
    public func initialize(_ parameters: MutableVectorView, using generator: inout RandomGenerator) {}

    /// Copies each value into its block, for a batch.
    public func forward(
        _ input: MatrixView, parameters: VectorView,
        into output: MutableMatrixView, context: inout LayerContext
    ) {
        precondition(input.columns == inputWidth && output.columns == outputWidth && input.rows == output.rows,
                     "UpSampling2D shapes disagree.")
        ConvolutionKernels.upsample(input.base, planes: input.rows * image.channels, height: image.height,
                                    width: image.width, factorHeight: size.height, factorWidth: size.width,
                                    into: output.base)
    }

    /// Each input's gradient is the sum of its block's (see ``Layer``).
    public func backward(
        input: MatrixView, output: MatrixView, outputGradient: MutableMatrixView,
        parameters: VectorView, parameterGradients: MutableVectorView,
        inputGradient: MutableMatrixView?, context: inout LayerContext
    ) {
        guard let inputGradient else { return }
        precondition(inputGradient.columns == inputWidth && outputGradient.columns == outputWidth
                     && inputGradient.rows == outputGradient.rows, "UpSampling2D shapes disagree.")
        ConvolutionKernels.upsampleBackward(outputGradient.base, planes: inputGradient.rows * image.channels,
                                            height: image.height, width: image.width, factorHeight: size.height,
                                            factorWidth: size.width, into: inputGradient.base)
    }
}

extension UpSampling2D {
    /// Upsampling in a model description: `{"kind": "UpSampling2D", "size": 2}`, with
    /// Keras's field name and default (2). The input must be an image.
    public struct Specification: LayerSpecification, Equatable {
        /// `"UpSampling2D"`.
        public static let kind = "UpSampling2D"
        /// The factors along the height and the width (default 2).
        public var size: PairOfSizes

        /// Upsampling has no activation; setting one does nothing.
        public var activation: Activation? {
            get { nil }
            set {}
        }

        /// Creates a specification.
        public init(size: PairOfSizes = PairOfSizes(2)) {
            self.size = size
        }

        private enum CodingKeys: String, CodingKey { case size }

        /// Reads the field, refusing unknown ones and non-positive factors.
        public init(from decoder: any Decoder) throws {
            try LayerFields.check(decoder, known: ["size"], kind: Self.kind)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            size = try container.decodeIfPresent(PairOfSizes.self, forKey: .size) ?? PairOfSizes(2)
            try size.requirePositive("size")
        }

        /// `[channels, height·size.height, width·size.width]` from an image.
        public func outputShape(for input: SampleShape) throws(LayerShapeProblem) -> SampleShape {
            let image = try ImageGeometry.image(input)
            let (height, overflowHeight) = image.height.multipliedReportingOverflow(by: size.height)
            let (width, overflowWidth) = image.width.multipliedReportingOverflow(by: size.width)
            guard !overflowHeight, !overflowWidth else { throw LayerShapeProblem("its output for \(input) is too large") }
            return try ImageGeometry.checked(.image(channels: image.channels, height: height, width: width))
        }

        /// The upsampling layer.
        public func makeLayer(for input: SampleShape) -> any Layer {
            UpSampling2D(input: input, size: size)
        }
    }
}
