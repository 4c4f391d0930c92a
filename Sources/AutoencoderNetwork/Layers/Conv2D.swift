import AutoencoderKernels
import AutoencoderNumerics
import CAutoencoderKernels

/// A 2-D convolution `y = f(W ⋆ x + b)` over channels-first images, as Keras's `Conv2D`
/// computes it and PyTorch's `nn.Conv2d` stores it.
///
/// The parameters are PyTorch's: `weight` `[filters, channels, kh, kw]` then `bias`
/// `[filters]`, so saved models load into PyTorch unchanged. 'same' padding is
/// TensorFlow's: the output has `⌈in / stride⌉` positions and the padding's odd element,
/// if any, goes below and right (PyTorch's `padding='same'` agrees for stride 1; for
/// larger strides PyTorch needs an explicit `F.pad(x, (left, right, top, bottom))`).
///
/// Each sample is unfolded (im2col) into the layer's scratch memory as a
/// `(channels·kh·kw) × (outHeight·outWidth)` matrix, so that one matrix product
/// `weight · columns` writes the sample's output, already channels first. The backward
/// pass unfolds the sample again rather than keeping every sample's columns, so the
/// scratch memory does not grow with the batch. With the built-in multiplier the C kernels
/// run the passes: each sample's products are too small to split over the cores, so the
/// batch is split instead, into a fixed number of chunks of samples (each with its own
/// columns and partial weight gradient, added in order at the end, so that the result does
/// not depend on the number of threads), and each sample's unfolding, products, bias,
/// activation and derivative run one after the other while its planes are in the cache.
/// Other multipliers get one product per sample. A stride-1 convolution with one filter
/// runs directly, without unfolding (its columns would be `channels·kh·kw` times its output
/// for one multiply-add each), split over the cores by samples, and needs no scratch.
public struct Conv2D: Layer, Equatable {
    /// The shape of each input sample, `[channels, height, width]`.
    public let inputShape: SampleShape
    /// The number of output channels.
    public let filters: Int
    /// The kernel's height and width.
    public let kernelSize: PairOfSizes
    /// The distances between kernel positions.
    public let strides: PairOfSizes
    /// How the image's border is treated.
    public let padding: Padding
    /// The nonlinearity applied after the bias.
    public var activation: Activation
    /// How the weights are drawn (fan in `channels·kh·kw`, fan out `filters·kh·kw`, as Keras).
    public var weightInitializer: Initializer
    /// How the biases are drawn.
    public var biasInitializer: Initializer
    /// Where the kernel goes over the input.
    let window: ConvolutionKernels.Window

    /// Creates a convolution of images of `input` (`[channels, height, width]`), a shape
    /// ``Specification/outputShape(for:)`` accepts.
    public init(
        input: SampleShape, filters: Int, kernelSize: PairOfSizes, strides: PairOfSizes = PairOfSizes(1),
        padding: Padding = .valid, activation: Activation = .linear,
        weightInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros
    ) {
        precondition(filters > 0 && kernelSize.height > 0 && kernelSize.width > 0 && strides.height > 0
                     && strides.width > 0, "A convolution needs positive sizes.")
        do {
            window = try ImageGeometry.window(over: ImageGeometry.image(input), kernel: kernelSize, strides: strides,
                                              padding: padding, what: "kernel")
        } catch {
            preconditionFailure("Conv2D cannot take \(input): \(error)")
        }
        inputShape = input
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.activation = activation
        self.weightInitializer = weightInitializer
        self.biasInitializer = biasInitializer
    }

    /// The shape of each output sample, `[filters, outHeight, outWidth]`.
    public var outputShape: SampleShape {
        .image(channels: filters, height: window.outputHeight, width: window.outputWidth)
    }

    /// `channels × height × width`.
    public var inputWidth: Int { window.imageCount }
    /// `filters × outHeight × outWidth`.
    public var outputWidth: Int { filters * window.positions }
    private var weightCount: Int { filters * window.patchSize }

    /// `weight` `[filters, channels, kh, kw]`, then `bias` `[filters]`.
    public var parameterShapes: [ParameterShape] {
        [ParameterShape(name: "weight", shape: [filters, window.channels, kernelSize.height, kernelSize.width]),
         ParameterShape(name: "bias", shape: [filters])]
    }

    /// Per chunk of the batch (see `ae_conv2d_unfolded_chunks`) one sample's unfolded
    /// columns, `(channels·kh·kw) × (outHeight·outWidth)` (none for a 1×1 convolution with
    /// stride 1, which uses its input) or, if larger, the padded planes that the AVX2 and
    /// AVX-512 kernels read instead, and one partial weight gradient, plus one bias sum per sample and
    /// filter; none for a direct convolution.
    public func scratchCount(batchSize: Int) -> Int {
        if isDirect { return 0 }
        let w = window
        return Int(ae_conv2d_unfolded_scratch(batchSize, w.channels, w.height, w.width, w.kernelHeight, w.kernelWidth,
                                              w.strideHeight, w.strideWidth, w.padTop, w.padLeft, w.outputHeight,
                                              w.outputWidth, filters))
    }

    /// The C kernel and the most threads when the built-in multiplier runs the products:
    /// then the C kernels split the batch's samples over the cores (each sample's product
    /// is too small to split); `nil` for another multiplier, which gets one product per sample.
    private func builtInSplit(_ multiplier: any MatrixMultiplier) -> (ae_sgemm_kernel, Int32)? {
        guard let builtIn = multiplier as? BuiltInMatrixMultiplier else { return nil }
        return (builtIn.kernel.cValue, Int32(clamping: builtIn.maximumThreads))
    }

    /// Whether the convolution runs directly, without unfolding: stride 1 and at most
    /// ``ImageGeometry/directFilters`` filters, where the columns would be far larger than
    /// the product's work.
    private var isDirect: Bool {
        strides.height == 1 && strides.width == 1 && filters <= ImageGeometry.directFilters && !window.isIdentity
    }

    /// For example `"Conv2D(1x28x28 → 16x28x28, 3x3, same, relu)"`.
    public var summary: String {
        "Conv2D(\(ImageGeometry.text(inputShape)) → \(ImageGeometry.text(outputShape)), "
            + "\(ImageGeometry.text(kernel: kernelSize, strides: strides)), \(padding.rawValue), \(activation.rawValue))"
    }

    /// Draws the weights, then the biases, with their initialisers.
    public func initialize(_ parameters: MutableVectorView, using generator: inout RandomGenerator) {
        let parameters = parameters.buffer
        let receptiveField = kernelSize.height * kernelSize.width
        let (fanIn, fanOut) = (window.channels * receptiveField, filters * receptiveField)
        weightInitializer.fill(UnsafeMutableBufferPointer(rebasing: parameters[0..<weightCount]),
                               fanIn: fanIn, fanOut: fanOut, using: &generator)
        biasInitializer.fill(UnsafeMutableBufferPointer(rebasing: parameters[weightCount...]),
                             fanIn: fanIn, fanOut: fanOut, using: &generator)
    }

    /// The unfolded columns of the image at `image`: the image itself for a 1×1 stride-1
    /// convolution, else written into the scratch memory.
    private func unfolded(_ image: UnsafePointer<Float>, context: LayerContext) -> MatrixView {
        if window.isIdentity { return MatrixView(image, rows: window.patchSize, columns: window.positions) }
        guard let scratch = context.scratch?.base else { preconditionFailure("Conv2D needs its scratch memory.") }
        ConvolutionKernels.unfold(image, window, into: scratch)
        return MatrixView(scratch, rows: window.patchSize, columns: window.positions)
    }

    /// `output = f(W ⋆ input + b)` for a batch, one matrix product per sample (or the direct
    /// loops), the samples split over the cores with the built-in multiplier; its AVX2 and
    /// AVX-512 kernels read a stride-1 product's columns as shifted rows of the padded
    /// image instead of unfolding them.
    public func forward(
        _ input: MatrixView, parameters: VectorView,
        into output: MutableMatrixView, context: inout LayerContext
    ) {
        let parameters = parameters.base
        precondition(input.columns == inputWidth && output.columns == outputWidth && input.rows == output.rows,
                     "Conv2D shapes disagree.")
        if isDirect {
            ConvolutionKernels.convolveDirect(input.base, samples: input.rows, window, weight: parameters,
                                              filters: filters, bias: parameters + weightCount,
                                              activation.nonlinearity, into: output.base)
            return
        }
        if let (kernel, threads) = builtInSplit(context.multiplier) {
            guard let scratch = context.scratch, scratch.count >= scratchCount(batchSize: input.rows) else {
                preconditionFailure("Conv2D needs its scratch memory for a batch of \(input.rows).")
            }
            let w = window
            ae_conv2d_unfolded_forward(kernel, input.base, input.rows, w.channels, w.height, w.width, w.kernelHeight,
                                       w.kernelWidth, w.strideHeight, w.strideWidth, w.padTop, w.padLeft,
                                       w.outputHeight, w.outputWidth, parameters, filters, parameters + weightCount,
                                       activation.nonlinearity.c, scratch.base, threads, output.base)
            return
        }
        let weight = MatrixView(parameters, rows: filters, columns: window.patchSize)
        for sample in 0..<input.rows {
            let columns = unfolded(input.base + sample * inputWidth, context: context)
            let result = MutableMatrixView(output.base + sample * outputWidth, rows: filters, columns: window.positions)
            context.multiplier.multiply(weight, .none, columns, .none, into: result)
        }
        ConvolutionKernels.addChannelBiasAndActivate(output.base, samples: output.rows, channels: filters,
                                                     plane: window.positions, bias: parameters + weightCount,
                                                     activation.nonlinearity)
    }

    /// The weight, bias and (when asked) input gradients of a batch (see ``Layer``):
    /// with δ = ∂L/∂y ⊙ f'(y) of a sample laid out `filters × positions`, ∂L/∂W is the sum
    /// over samples of `δ · columnsᵀ`, ∂L/∂b the sum of δ per filter, and ∂L/∂x the folded
    /// (col2im) `Wᵀ · δ`.
    public func backward(
        input: MatrixView, output: MatrixView, outputGradient: MutableMatrixView,
        parameters: VectorView, parameterGradients: MutableVectorView,
        inputGradient: MutableMatrixView?, context: inout LayerContext
    ) {
        let parameters = parameters.base
        let parameterGradients = parameterGradients.base
        precondition(input.columns == inputWidth && output.columns == outputWidth && input.rows == output.rows
                     && outputGradient.rows == output.rows && outputGradient.columns == outputWidth,
                     "Conv2D shapes disagree.")
        if !isDirect, let (kernel, threads) = builtInSplit(context.multiplier) {
            guard let scratch = context.scratch, scratch.count >= scratchCount(batchSize: input.rows) else {
                preconditionFailure("Conv2D needs its scratch memory for a batch of \(input.rows).")
            }
            let w = window
            ae_conv2d_unfolded_backward(kernel, input.base, output.base, outputGradient.base, input.rows, w.channels,
                                        w.height, w.width, w.kernelHeight, w.kernelWidth, w.strideHeight,
                                        w.strideWidth, w.padTop, w.padLeft, w.outputHeight, w.outputWidth, parameters,
                                        filters, activation.nonlinearity.c, scratch.base, threads,
                                        parameterGradients, parameterGradients + weightCount, inputGradient?.base)
            return
        }
        ElementwiseKernels.multiplyByDerivative(outputGradient.base, output: output.base, count: outputGradient.count,
                                                activation.nonlinearity)
        ConvolutionKernels.sumChannels(outputGradient.base, samples: outputGradient.rows, channels: filters,
                                       plane: window.positions, into: parameterGradients + weightCount)
        if isDirect {
            ConvolutionKernels.convolveDirectWeightGradient(input.base, outputGradient: outputGradient.base,
                                                            samples: input.rows, window, filters: filters,
                                                            into: parameterGradients)
            if let inputGradient {
                ConvolutionKernels.convolveDirectInputGradient(outputGradient.base, samples: input.rows, window,
                                                               weight: parameters, filters: filters,
                                                               into: inputGradient.base)
            }
            return
        }
        let weight = MatrixView(parameters, rows: filters, columns: window.patchSize)
        let weightGradient = MutableMatrixView(parameterGradients, rows: filters, columns: window.patchSize)
        if input.rows == 0 { weightGradient.base.update(repeating: 0, count: weightCount) }
        for sample in 0..<input.rows {
            let delta = MatrixView(outputGradient.base + sample * outputWidth, rows: filters, columns: window.positions)
            let columns = unfolded(input.base + sample * inputWidth, context: context)
            context.multiplier.multiply(delta, .none, columns, .transposed, into: weightGradient,
                                        beta: sample == 0 ? 0 : 1)
            guard let inputGradient else { continue }
            let imageGradient = inputGradient.base + sample * inputWidth
            if window.isIdentity {
                context.multiplier.multiply(
                    weight, .transposed, delta, .none,
                    into: MutableMatrixView(imageGradient, rows: window.patchSize, columns: window.positions))
            } else {
                // The columns were used; their memory takes their gradient.
                let columnGradient = MutableMatrixView(context.scratch!.base, rows: window.patchSize, columns: window.positions)
                context.multiplier.multiply(weight, .transposed, delta, .none, into: columnGradient)
                ConvolutionKernels.fold(columnGradient.base, window, into: imageGradient)
            }
        }
    }
}

extension Conv2D {
    /// A convolution in a model description: `{"kind": "Conv2D", "filters": 16,
    /// "kernel_size": 3, "strides": 2, "padding": "same", "activation": "relu"}`, with
    /// Keras's field names and defaults (strides 1, 'valid' padding, linear activation,
    /// Glorot uniform weights, zero biases). The input must be an image `[channels,
    /// height, width]` (put a `Reshape` after a vector).
    public struct Specification: LayerSpecification, Equatable {
        /// `"Conv2D"`.
        public static let kind = "Conv2D"
        /// The number of output channels.
        public var filters: Int
        /// The kernel's height and width: `3` or `[3, 5]`.
        public var kernelSize: PairOfSizes
        /// The distances between kernel positions (default 1).
        public var strides: PairOfSizes
        /// 'valid' (default) or 'same'.
        public var padding: Padding
        /// The output's activation (default linear, as Keras's).
        public var activation: Activation?
        /// How the weights are drawn (default Glorot uniform, as Keras's).
        public var kernelInitializer: Initializer?
        /// How the biases are drawn (default zeros).
        public var biasInitializer: Initializer?

        /// Creates a specification.
        public init(filters: Int, kernelSize: PairOfSizes, strides: PairOfSizes = PairOfSizes(1),
                    padding: Padding = .valid, activation: Activation = .linear,
                    kernelInitializer: Initializer? = nil, biasInitializer: Initializer? = nil) {
            self.filters = filters
            self.kernelSize = kernelSize
            self.strides = strides
            self.padding = padding
            self.activation = activation
            self.kernelInitializer = kernelInitializer
            self.biasInitializer = biasInitializer
        }

        /// Reads the fields, refusing unknown ones and non-positive sizes.
        public init(from decoder: any Decoder) throws {
            let fields = try ConvolutionFields(from: decoder, kind: Self.kind)
            self.init(filters: fields.filters, kernelSize: fields.kernelSize, strides: fields.strides,
                      padding: fields.padding, activation: fields.activation,
                      kernelInitializer: fields.kernelInitializer, biasInitializer: fields.biasInitializer)
        }

        /// `[filters, outHeight, outWidth]` from an image the kernel fits.
        public func outputShape(for input: SampleShape) throws(LayerShapeProblem) -> SampleShape {
            let window = try ImageGeometry.window(over: ImageGeometry.image(input), kernel: kernelSize,
                                                  strides: strides, padding: padding, what: "kernel")
            return try ImageGeometry.checked(
                .image(channels: filters, height: window.outputHeight, width: window.outputWidth))
        }

        /// The convolution.
        public func makeLayer(for input: SampleShape) -> any Layer {
            Conv2D(input: input, filters: filters, kernelSize: kernelSize, strides: strides, padding: padding,
                   activation: activation ?? .linear, weightInitializer: kernelInitializer ?? .glorotUniform,
                   biasInitializer: biasInitializer ?? .zeros)
        }
    }
}
