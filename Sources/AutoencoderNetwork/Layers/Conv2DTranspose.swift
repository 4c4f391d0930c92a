import AutoencoderKernels
import AutoencoderNumerics

/// A 2-D transposed convolution (the adjoint of a convolution's map from its input to
/// its output, which upsamples by the stride), `y = f(Wᵀ ⋆ x + b)`, with Keras's output
/// sizes and PyTorch's `nn.ConvTranspose2d` storage.
///
/// The parameters are PyTorch's: `weight` `[channels, filters, kh, kw]` (input channels
/// first) then `bias` `[filters]`. Every input position `(h, w)` adds its values times the
/// kernel to the output window at `(h·stride − padTop, w·stride − padLeft)`.
///
/// Output sizes and padding, per side of input length `n`, kernel `k`, stride `s`:
/// - 'valid': `n·s + max(k − s, 0)`, no cropping (Keras's rule; `(n − 1)·s + k` when
///   `k ≥ s`). PyTorch: `padding=0, output_padding=max(s − k, 0)` (the extra rows and
///   columns, when `k < s`, receive no kernel contribution, only the bias).
/// - 'same': `n·s`, the full result `(n − 1)·s + k` cropped by `P = max(k − s, 0)` in
///   total, `⌊P/2⌋` at the top and left and the rest at the bottom and right (TensorFlow's
///   `conv2d_transpose`). PyTorch: when `P` is even, `padding=P/2, output_padding=0`
///   (with `k < s`, `padding=0, output_padding=s − k`); when `P` is odd no
///   `padding`/`output_padding` pair crops the same way (PyTorch crops both sides
///   equally), so use `padding=(P − 1)/2, output_padding=0` and drop the last row and
///   column of its output (`y[..., :-1, :-1]`).
///
/// The forward pass is a convolution's backward data pass: per sample, `Wᵀ · x` into the
/// layer's scratch memory as `(filters·kh·kw) × (height·width)` columns, folded (col2im)
/// into the output. The backward pass unfolds δ (im2col) into the same memory.
public struct Conv2DTranspose: Layer, Equatable {
    /// The shape of each input sample, `[channels, height, width]`.
    public let inputShape: SampleShape
    /// The number of output channels.
    public let filters: Int
    /// The kernel's height and width.
    public let kernelSize: PairOfSizes
    /// The upsampling factors: the distances between the output windows of neighbouring inputs.
    public let strides: PairOfSizes
    /// How the output is cropped (see the type's description).
    public let padding: Padding
    /// The nonlinearity applied after the bias.
    public var activation: Activation
    /// How the weights are drawn (fan in `filters·kh·kw`, fan out `channels·kh·kw`, as Keras).
    public var weightInitializer: Initializer
    /// How the biases are drawn.
    public var biasInitializer: Initializer
    /// The window of the convolution whose adjoint this is: over the output image, with one
    /// position per input pixel.
    let window: ConvolutionKernels.Window

    /// Creates a transposed convolution of images of `input` (`[channels, height,
    /// width]`), a shape ``Specification/outputShape(for:)`` accepts.
    public init(
        input: SampleShape, filters: Int, kernelSize: PairOfSizes, strides: PairOfSizes = PairOfSizes(1),
        padding: Padding = .valid, activation: Activation = .linear,
        weightInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros
    ) {
        precondition(filters > 0 && kernelSize.height > 0 && kernelSize.width > 0 && strides.height > 0
                     && strides.width > 0, "A transposed convolution needs positive sizes.")
        do {
            window = try Self.window(input: input, filters: filters, kernelSize: kernelSize, strides: strides,
                                     padding: padding)
        } catch {
            preconditionFailure("Conv2DTranspose cannot take \(input): \(error)")
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

    /// The output length of one side and the rows or columns cropped before it.
    static func slide(length: Int, kernel: Int, stride: Int, padding: Padding) -> (length: Int, padBefore: Int)? {
        let (product, overflow) = length.multipliedReportingOverflow(by: stride)
        let (output, overflow2) = product.addingReportingOverflow(padding == .valid ? max(kernel - stride, 0) : 0)
        guard !overflow, !overflow2 else { return nil }
        return (output, padding == .valid ? 0 : max(kernel - stride, 0) / 2)
    }

    /// The window over the output, or the problem when `input` is not an image or the
    /// output is too large.
    static func window(
        input: SampleShape, filters: Int, kernelSize: PairOfSizes, strides: PairOfSizes, padding: Padding
    ) throws(LayerShapeProblem) -> ConvolutionKernels.Window {
        let image = try ImageGeometry.image(input)
        guard let rows = slide(length: image.height, kernel: kernelSize.height, stride: strides.height, padding: padding),
              let columns = slide(length: image.width, kernel: kernelSize.width, stride: strides.width, padding: padding)
        else { throw LayerShapeProblem("its output for \(input) is too large") }
        _ = try ImageGeometry.checked(.image(channels: filters, height: rows.length, width: columns.length))
        return ConvolutionKernels.Window(
            channels: filters, height: rows.length, width: columns.length,
            kernelHeight: kernelSize.height, kernelWidth: kernelSize.width,
            strideHeight: strides.height, strideWidth: strides.width,
            padTop: rows.padBefore, padLeft: columns.padBefore,
            outputHeight: image.height, outputWidth: image.width)
    }

    /// The shape of each output sample, `[filters, outHeight, outWidth]`.
    public var outputShape: SampleShape {
        .image(channels: filters, height: window.height, width: window.width)
    }

    private var channels: Int { inputShape.dimensions[0] }
    /// `channels × height × width`.
    public var inputWidth: Int { channels * window.positions }
    /// `filters × outHeight × outWidth`.
    public var outputWidth: Int { window.imageCount }
    private var weightCount: Int { channels * window.patchSize }

    /// `weight` `[channels, filters, kh, kw]`, then `bias` `[filters]`.
    public var parameterShapes: [ParameterShape] {
        [ParameterShape(name: "weight", shape: [channels, filters, kernelSize.height, kernelSize.width]),
         ParameterShape(name: "bias", shape: [filters])]
    }

    /// One sample's columns, `(filters·kh·kw) × (height·width)`, whatever the batch size
    /// (none for a 1×1 kernel with stride 1, which writes its output directly).
    public func scratchCount(batchSize: Int) -> Int {
        window.isIdentity ? 0 : window.patchSize * window.positions
    }

    /// For example `"Conv2DTranspose(16x7x7 → 8x14x14, 3x3, stride 2, same, relu)"`.
    public var summary: String {
        "Conv2DTranspose(\(ImageGeometry.text(inputShape)) → \(ImageGeometry.text(outputShape)), "
            + "\(ImageGeometry.text(kernel: kernelSize, strides: strides)), \(padding.rawValue), \(activation.rawValue))"
    }

    /// Draws the weights, then the biases, with their initialisers.
    public func initialize(_ parameters: MutableVectorView, using generator: inout RandomGenerator) {
        let parameters = parameters.buffer
        let receptiveField = kernelSize.height * kernelSize.width
        let (fanIn, fanOut) = (filters * receptiveField, channels * receptiveField)
        weightInitializer.fill(UnsafeMutableBufferPointer(rebasing: parameters[0..<weightCount]),
                               fanIn: fanIn, fanOut: fanOut, using: &generator)
        biasInitializer.fill(UnsafeMutableBufferPointer(rebasing: parameters[weightCount...]),
                             fanIn: fanIn, fanOut: fanOut, using: &generator)
    }

    /// `output = f(Wᵀ ⋆ input + b)` for a batch, one matrix product and one fold per sample.
    public func forward(
        _ input: MatrixView, parameters: VectorView,
        into output: MutableMatrixView, context: inout LayerContext
    ) {
        let parameters = parameters.base
        precondition(input.columns == inputWidth && output.columns == outputWidth && input.rows == output.rows,
                     "Conv2DTranspose shapes disagree.")
        let weight = MatrixView(parameters, rows: channels, columns: window.patchSize)
        for sample in 0..<input.rows {
            let image = MatrixView(input.base + sample * inputWidth, rows: channels, columns: window.positions)
            let result = output.base + sample * outputWidth
            if window.isIdentity {
                context.multiplier.multiply(weight, .transposed, image, .none,
                                            into: MutableMatrixView(result, rows: window.patchSize, columns: window.positions))
            } else {
                guard let scratch = context.scratch?.base else { preconditionFailure("Conv2DTranspose needs its scratch memory.") }
                let columns = MutableMatrixView(scratch, rows: window.patchSize, columns: window.positions)
                context.multiplier.multiply(weight, .transposed, image, .none, into: columns)
                ConvolutionKernels.fold(scratch, window, into: result)
            }
        }
        ConvolutionKernels.addChannelBiasAndActivate(output.base, samples: output.rows, channels: filters,
                                                     plane: window.imageCount / filters, bias: parameters + weightCount,
                                                     activation.nonlinearity)
    }

    /// The weight, bias and (when asked) input gradients of a batch (see ``Layer``):
    /// with δ = ∂L/∂y ⊙ f'(y) of a sample unfolded (im2col) into columns, ∂L/∂W is the
    /// sum over samples of `x · columnsᵀ`, ∂L/∂b the sum of δ per filter, and ∂L/∂x is
    /// `W · columns`.
    public func backward(
        input: MatrixView, output: MatrixView, outputGradient: MutableMatrixView,
        parameters: VectorView, parameterGradients: MutableVectorView,
        inputGradient: MutableMatrixView?, context: inout LayerContext
    ) {
        let parameters = parameters.base
        let parameterGradients = parameterGradients.base
        precondition(input.columns == inputWidth && output.columns == outputWidth && input.rows == output.rows
                     && outputGradient.rows == output.rows && outputGradient.columns == outputWidth,
                     "Conv2DTranspose shapes disagree.")
        ElementwiseKernels.multiplyByDerivative(outputGradient.base, output: output.base, count: outputGradient.count,
                                                activation.nonlinearity)
        ConvolutionKernels.sumChannels(outputGradient.base, samples: outputGradient.rows, channels: filters,
                                       plane: window.imageCount / filters, into: parameterGradients + weightCount)
        let weight = MatrixView(parameters, rows: channels, columns: window.patchSize)
        let weightGradient = MutableMatrixView(parameterGradients, rows: channels, columns: window.patchSize)
        if input.rows == 0 { weightGradient.base.update(repeating: 0, count: weightCount) }
        for sample in 0..<input.rows {
            let delta = outputGradient.base + sample * outputWidth
            let columns: MatrixView
            if window.isIdentity {
                columns = MatrixView(delta, rows: window.patchSize, columns: window.positions)
            } else {
                guard let scratch = context.scratch?.base else { preconditionFailure("Conv2DTranspose needs its scratch memory.") }
                ConvolutionKernels.unfold(delta, window, into: scratch)
                columns = MatrixView(scratch, rows: window.patchSize, columns: window.positions)
            }
            let image = MatrixView(input.base + sample * inputWidth, rows: channels, columns: window.positions)
            context.multiplier.multiply(image, .none, columns, .transposed, into: weightGradient,
                                        beta: sample == 0 ? 0 : 1)
            if let inputGradient {
                let imageGradient = MutableMatrixView(inputGradient.base + sample * inputWidth, rows: channels,
                                                      columns: window.positions)
                context.multiplier.multiply(weight, .none, columns, .none, into: imageGradient)
            }
        }
    }
}

extension Conv2DTranspose {
    /// A transposed convolution in a model description: `{"kind": "Conv2DTranspose",
    /// "filters": 8, "kernel_size": 3, "strides": 2, "padding": "same", "activation":
    /// "relu"}`, with Keras's field names and defaults (strides 1, 'valid' padding, linear
    /// activation, Glorot uniform weights, zero biases). The input must be an image.
    public struct Specification: LayerSpecification, Equatable {
        /// `"Conv2DTranspose"`.
        public static let kind = "Conv2DTranspose"
        /// The number of output channels.
        public var filters: Int
        /// The kernel's height and width: `3` or `[3, 5]`.
        public var kernelSize: PairOfSizes
        /// The upsampling factors (default 1).
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

        /// `[filters, outHeight, outWidth]` from an image (see ``Conv2DTranspose`` for the sizes).
        public func outputShape(for input: SampleShape) throws(LayerShapeProblem) -> SampleShape {
            let window = try Conv2DTranspose.window(input: input, filters: filters, kernelSize: kernelSize,
                                                    strides: strides, padding: padding)
            return .image(channels: filters, height: window.height, width: window.width)
        }

        /// The transposed convolution.
        public func makeLayer(for input: SampleShape) -> any Layer {
            Conv2DTranspose(input: input, filters: filters, kernelSize: kernelSize, strides: strides, padding: padding,
                            activation: activation ?? .linear, weightInitializer: kernelInitializer ?? .glorotUniform,
                            biasInitializer: biasInitializer ?? .zeros)
        }
    }
}
