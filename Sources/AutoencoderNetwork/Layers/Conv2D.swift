import AutoencoderNumerics

/// A 2-D convolution `y = f(W ⋆ x + b)` over channels-first images, as Keras's `Conv2D`
/// computes it and PyTorch's `nn.Conv2d` stores it.
///
/// The parameters are PyTorch's: `weight` `[filters, channels, kh, kw]` then `bias`
/// `[filters]`, so saved models load into PyTorch unchanged. 'same' padding is
/// TensorFlow's: the output has `⌈in / stride⌉` positions and the padding's odd element,
/// if any, goes below and right (PyTorch's `padding='same'` agrees for stride 1; for
/// larger strides PyTorch needs an explicit `F.pad(x, (left, right, top, bottom))`).
///
/// The batch is convolved in groups of samples (as many as keep the unfolded columns
/// within ``ImageGeometry/columnBudget``): the group is unfolded (im2col, split over the
/// cores by samples) into the layer's scratch memory as one `(channels·kh·kw) ×
/// (samples·outHeight·outWidth)` matrix, ONE matrix product `weight · columns` gives the
/// group's output channels-major, and a copy split over the samples moves it into the
/// channels-first batch with the bias and activation. The backward pass takes the groups
/// in reverse order, so the last group's columns, still in the scratch memory from the
/// forward pass, are not unfolded again (with one group, none is). A 1×1 stride-1
/// convolution multiplies each sample's input directly and needs no scratch memory.
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

    /// A group's unfolded columns, `(channels·kh·kw) × (samples·outHeight·outWidth)`, and
    /// its channels-major product, `filters × (samples·outHeight·outWidth)`, for the group
    /// of ``ImageGeometry/samplesAtOnce(batchSize:columnsPerSample:)`` samples (none for
    /// a 1×1 convolution with stride 1, which uses its input).
    public func scratchCount(batchSize: Int) -> Int {
        window.isIdentity || isDirect ? 0 : groupSize(batchSize) * window.positions * (window.patchSize + filters)
    }

    /// Whether the convolution runs directly, without unfolding: stride 1 and at most
    /// ``ImageGeometry/directFilters`` filters, where the columns would be far larger than
    /// the product's work.
    private var isDirect: Bool {
        strides.height == 1 && strides.width == 1 && filters <= ImageGeometry.directFilters && !window.isIdentity
    }

    /// The samples unfolded at once in a batch of `batchSize`.
    private func groupSize(_ batchSize: Int) -> Int {
        ImageGeometry.samplesAtOnce(batchSize: batchSize, columnsPerSample: window.patchSize * window.positions)
    }

    /// For example `"Conv2D(1x28x28 → 16x28x28, 3x3, same, relu)"`.
    public var summary: String {
        "Conv2D(\(ImageGeometry.text(inputShape)) → \(ImageGeometry.text(outputShape)), "
            + "\(ImageGeometry.text(kernel: kernelSize, strides: strides)), \(padding.rawValue), \(activation.rawValue))"
    }

    /// Draws the weights, then the biases, with their initialisers.
    public func initialize(_ parameters: UnsafeMutableBufferPointer<Float>, using generator: inout RandomGenerator) {
        let receptiveField = kernelSize.height * kernelSize.width
        let (fanIn, fanOut) = (window.channels * receptiveField, filters * receptiveField)
        weightInitializer.fill(UnsafeMutableBufferPointer(rebasing: parameters[0..<weightCount]),
                               fanIn: fanIn, fanOut: fanOut, using: &generator)
        biasInitializer.fill(UnsafeMutableBufferPointer(rebasing: parameters[weightCount...]),
                             fanIn: fanIn, fanOut: fanOut, using: &generator)
    }

    /// `output = f(W ⋆ input + b)` for a batch, one matrix product per group of samples.
    public func forward(
        _ input: MatrixView, parameters: UnsafePointer<Float>,
        into output: MutableMatrixView, context: inout LayerContext
    ) {
        precondition(input.columns == inputWidth && output.columns == outputWidth && input.rows == output.rows,
                     "Conv2D shapes disagree.")
        let weight = MatrixView(parameters, rows: filters, columns: window.patchSize)
        let bias = parameters + weightCount
        guard !window.isIdentity else {
            for sample in 0..<input.rows {
                let image = MatrixView(input.base + sample * inputWidth, rows: window.patchSize,
                                       columns: window.positions)
                let result = MutableMatrixView(output.base + sample * outputWidth, rows: filters,
                                               columns: window.positions)
                context.multiplier.multiply(weight, .none, image, .none, into: result)
            }
            ConvolutionKernels.addChannelBiasAndActivate(output.base, samples: output.rows, channels: filters,
                                                         plane: window.positions, bias: bias, activation.nonlinearity)
            return
        }
        if isDirect {
            ConvolutionKernels.convolveDirect(input.base, samples: input.rows, window, weight: parameters,
                                              filters: filters, bias: bias, activation.nonlinearity, into: output.base)
            return
        }
        guard let scratch = context.scratch else { preconditionFailure("Conv2D needs its scratch memory.") }
        let group = groupSize(input.rows)
        for first in stride(from: 0, to: input.rows, by: group) {
            let samples = min(group, input.rows - first)
            let (columns, product) = groupMatrices(scratch, samples: samples, group: group)
            ConvolutionKernels.unfoldBatch(input.base + first * inputWidth, samples: samples, window,
                                           into: UnsafeMutablePointer(mutating: columns.base))
            context.multiplier.multiply(weight, .none, columns, .none, into: product)
            ConvolutionKernels.channelsToSamples(product.base, samples: samples, channels: filters,
                                                 plane: window.positions, bias: bias, activation.nonlinearity,
                                                 into: output.base + first * outputWidth)
        }
    }

    /// A group's columns, `patchSize × (samples·positions)`, and product, `filters ×
    /// (samples·positions)`, in the scratch memory (laid out for groups of `group` samples).
    private func groupMatrices(_ scratch: UnsafeMutablePointer<Float>, samples: Int, group: Int)
        -> (columns: MatrixView, product: MutableMatrixView)
    {
        (MatrixView(scratch, rows: window.patchSize, columns: samples * window.positions),
         MutableMatrixView(scratch + group * window.positions * window.patchSize, rows: filters,
                           columns: samples * window.positions))
    }

    /// The weight, bias and (when asked) input gradients of a batch (see ``Layer``):
    /// with δ = ∂L/∂y ⊙ f'(y) laid out `filters × (samples·positions)` per group,
    /// ∂L/∂W is the sum over groups of `δ · columnsᵀ`, ∂L/∂b the sum of δ per filter, and
    /// ∂L/∂x the folded (col2im) `Wᵀ · δ`.
    public func backward(
        input: MatrixView, output: MatrixView, outputGradient: MutableMatrixView,
        parameters: UnsafePointer<Float>, parameterGradients: UnsafeMutablePointer<Float>,
        inputGradient: MutableMatrixView?, context: inout LayerContext
    ) {
        precondition(input.columns == inputWidth && output.columns == outputWidth && input.rows == output.rows
                     && outputGradient.rows == output.rows && outputGradient.columns == outputWidth,
                     "Conv2D shapes disagree.")
        ElementwiseKernels.multiplyByDerivative(outputGradient.base, output: output.base, count: outputGradient.count,
                                                activation.nonlinearity)
        ConvolutionKernels.sumChannels(outputGradient.base, samples: outputGradient.rows, channels: filters,
                                       plane: window.positions, into: parameterGradients + weightCount)
        let weight = MatrixView(parameters, rows: filters, columns: window.patchSize)
        let weightGradient = MutableMatrixView(parameterGradients, rows: filters, columns: window.patchSize)
        if input.rows == 0 { weightGradient.base.update(repeating: 0, count: weightCount) }
        guard !window.isIdentity else {
            for sample in 0..<input.rows {
                let delta = MatrixView(outputGradient.base + sample * outputWidth, rows: filters,
                                       columns: window.positions)
                let image = MatrixView(input.base + sample * inputWidth, rows: window.patchSize,
                                       columns: window.positions)
                context.multiplier.multiply(delta, .none, image, .transposed, into: weightGradient,
                                            beta: sample == 0 ? 0 : 1)
                guard let inputGradient else { continue }
                context.multiplier.multiply(
                    weight, .transposed, delta, .none,
                    into: MutableMatrixView(inputGradient.base + sample * inputWidth, rows: window.patchSize,
                                            columns: window.positions))
            }
            return
        }
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
        guard let scratch = context.scratch else { preconditionFailure("Conv2D needs its scratch memory.") }
        let group = groupSize(input.rows)
        let groups = (input.rows + group - 1) / max(group, 1)
        for index in 0..<groups {
            let first = (groups - 1 - index) * group
            let samples = min(group, input.rows - first)
            let (columns, product) = groupMatrices(scratch, samples: samples, group: group)
            // The forward pass's last group left its columns in the scratch memory.
            if index > 0 {
                ConvolutionKernels.unfoldBatch(input.base + first * inputWidth, samples: samples, window,
                                               into: UnsafeMutablePointer(mutating: columns.base))
            }
            ConvolutionKernels.samplesToChannels(outputGradient.base + first * outputWidth, samples: samples,
                                                 channels: filters, plane: window.positions, into: product.base)
            let delta = MatrixView(product.base, rows: filters, columns: samples * window.positions)
            context.multiplier.multiply(delta, .none, columns, .transposed, into: weightGradient,
                                        beta: index == 0 ? 0 : 1)
            guard let inputGradient else { continue }
            // The columns were used; their memory takes their gradient.
            let columnGradient = MutableMatrixView(UnsafeMutablePointer(mutating: columns.base),
                                                   rows: window.patchSize, columns: samples * window.positions)
            context.multiplier.multiply(weight, .transposed, delta, .none, into: columnGradient)
            ConvolutionKernels.foldBatch(columnGradient.base, samples: samples, window,
                                         into: inputGradient.base + first * inputWidth)
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

        private enum CodingKeys: String, CodingKey {
            case filters, kernelSize, strides, padding, activation, kernelInitializer, biasInitializer
        }

        /// Reads the fields, refusing unknown ones and non-positive sizes.
        public init(from decoder: any Decoder) throws {
            try LayerFields.check(decoder, known: ["filters", "kernelSize", "strides", "padding", "activation",
                                                   "kernelInitializer", "biasInitializer"], kind: Self.kind)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            filters = try container.decode(Int.self, forKey: .filters)
            kernelSize = try container.decode(PairOfSizes.self, forKey: .kernelSize)
            strides = try container.decodeIfPresent(PairOfSizes.self, forKey: .strides) ?? PairOfSizes(1)
            padding = try container.decodeIfPresent(Padding.self, forKey: .padding) ?? .valid
            activation = try container.decodeIfPresent(Activation.self, forKey: .activation) ?? .linear
            kernelInitializer = try container.decodeIfPresent(Initializer.self, forKey: .kernelInitializer)
            biasInitializer = try container.decodeIfPresent(Initializer.self, forKey: .biasInitializer)
            try LayerFields.requirePositive(filters, "filters")
            try kernelSize.requirePositive("kernel_size")
            try strides.requirePositive("strides")
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
