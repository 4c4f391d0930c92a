import AutoencoderKernels
import AutoencoderNumerics

/// Max pooling over each channel of channels-first images, as Keras's `MaxPooling2D`
/// (PyTorch's `nn.MaxPool2d`): each output is the largest value of its window. No
/// parameters.
///
/// 'same' padding places the windows as Keras does (``Conv2D``'s rule) and ignores the
/// padding rather than reading zeros. The backward pass gives each output's gradient to
/// the first maximum of its window (row-major within the window, as PyTorch does), found
/// again from the input, so the layer needs no scratch memory.
public struct MaxPooling2D: Layer, Equatable {
    /// The shape of each input sample, `[channels, height, width]`.
    public let inputShape: SampleShape
    /// The window's height and width.
    public let poolSize: PairOfSizes
    /// The distances between windows.
    public let strides: PairOfSizes
    /// How the image's border is treated.
    public let padding: Padding
    /// Where the windows go over one channel.
    let window: ConvolutionKernels.Window

    /// Creates a max pooling of images of `input`, a shape
    /// ``Specification/outputShape(for:)`` accepts; the strides default to the pool size.
    public init(input: SampleShape, poolSize: PairOfSizes = PairOfSizes(2), strides: PairOfSizes? = nil,
                padding: Padding = .valid) {
        let strides = strides ?? poolSize
        precondition(poolSize.height > 0 && poolSize.width > 0 && strides.height > 0 && strides.width > 0,
                     "Max pooling needs positive sizes.")
        do {
            window = try ImageGeometry.window(over: ImageGeometry.image(input), kernel: poolSize, strides: strides,
                                              padding: padding, what: "pool")
        } catch {
            preconditionFailure("MaxPooling2D cannot take \(input): \(error)")
        }
        inputShape = input
        self.poolSize = poolSize
        self.strides = strides
        self.padding = padding
    }

    /// The shape of each output sample, `[channels, outHeight, outWidth]`.
    public var outputShape: SampleShape {
        .image(channels: window.channels, height: window.outputHeight, width: window.outputWidth)
    }

    /// `channels × height × width`.
    public var inputWidth: Int { window.imageCount }
    /// `channels × outHeight × outWidth`.
    public var outputWidth: Int { window.channels * window.positions }
    /// None.
    public var parameterShapes: [ParameterShape] { [] }

    /// For example `"MaxPooling2D(16x28x28 → 16x14x14, 2x2)"`.
    public var summary: String {
        let padding = self.padding == .valid ? "" : ", same"
        return "MaxPooling2D(\(ImageGeometry.text(inputShape)) → \(ImageGeometry.text(outputShape)), "
            + "\(ImageGeometry.text(kernel: poolSize, strides: strides == poolSize ? PairOfSizes(1) : strides))\(padding))"
    }

    /// Nothing to draw.
    public func initialize(_ parameters: MutableVectorView, using generator: inout RandomGenerator) {}

    /// The maximum of each window, for a batch.
    public func forward(
        _ input: MatrixView, parameters: VectorView,
        into output: MutableMatrixView, context: inout LayerContext
    ) {
        precondition(input.columns == inputWidth && output.columns == outputWidth && input.rows == output.rows,
                     "MaxPooling2D shapes disagree.")
        ConvolutionKernels.maxPool(input.base, planes: input.rows * window.channels, window, into: output.base)
    }

    /// Each output's gradient to the first maximum of its window (see ``Layer``).
    public func backward(
        input: MatrixView, output: MatrixView, outputGradient: MutableMatrixView,
        parameters: VectorView, parameterGradients: MutableVectorView,
        inputGradient: MutableMatrixView?, context: inout LayerContext
    ) {
        precondition(input.columns == inputWidth && outputGradient.columns == outputWidth
                     && input.rows == outputGradient.rows, "MaxPooling2D shapes disagree.")
        guard let inputGradient else { return }
        precondition(inputGradient.rows == input.rows && inputGradient.columns == inputWidth,
                     "MaxPooling2D shapes disagree.")
        ConvolutionKernels.maxPoolBackward(input: input.base, outputGradient: outputGradient.base,
                                           planes: input.rows * window.channels, window, into: inputGradient.base)
    }
}

extension MaxPooling2D {
    /// Max pooling in a model description: `{"kind": "MaxPooling2D", "pool_size": 2}`,
    /// with Keras's field names and defaults (pool size 2, strides the pool size, 'valid'
    /// padding). The input must be an image.
    public struct Specification: LayerSpecification, Equatable {
        /// `"MaxPooling2D"`.
        public static let kind = "MaxPooling2D"
        /// The window's height and width (default 2).
        public var poolSize: PairOfSizes
        /// The distances between windows (default: the pool size).
        public var strides: PairOfSizes?
        /// 'valid' (default) or 'same'.
        public var padding: Padding

        /// Pooling has no activation; setting one does nothing.
        public var activation: Activation? {
            get { nil }
            set {}
        }

        /// Creates a specification.
        public init(poolSize: PairOfSizes = PairOfSizes(2), strides: PairOfSizes? = nil, padding: Padding = .valid) {
            self.poolSize = poolSize
            self.strides = strides
            self.padding = padding
        }

        private enum CodingKeys: String, CodingKey { case poolSize, strides, padding }

        /// Reads the fields, refusing unknown ones and non-positive sizes.
        public init(from decoder: any Decoder) throws {
            try LayerFields.check(decoder, known: ["poolSize", "strides", "padding"], kind: Self.kind)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            poolSize = try container.decodeIfPresent(PairOfSizes.self, forKey: .poolSize) ?? PairOfSizes(2)
            strides = try container.decodeIfPresent(PairOfSizes.self, forKey: .strides)
            padding = try container.decodeIfPresent(Padding.self, forKey: .padding) ?? .valid
            try poolSize.requirePositive("pool_size")
            try strides?.requirePositive("strides")
        }

        /// `[channels, outHeight, outWidth]` from an image the pool fits.
        public func outputShape(for input: SampleShape) throws(LayerShapeProblem) -> SampleShape {
            let window = try ImageGeometry.window(over: ImageGeometry.image(input), kernel: poolSize,
                                                  strides: strides ?? poolSize, padding: padding, what: "pool")
            return .image(channels: window.channels, height: window.outputHeight, width: window.outputWidth)
        }

        /// The pooling layer.
        public func makeLayer(for input: SampleShape) -> any Layer {
            MaxPooling2D(input: input, poolSize: poolSize, strides: strides, padding: padding)
        }
    }
}
