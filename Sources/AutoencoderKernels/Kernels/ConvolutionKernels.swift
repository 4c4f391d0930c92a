import CAutoencoderKernels

/// The loops of the convolutional layers, in C (`Sources/CAutoencoderKernels/convolution.c`),
/// with Swift names.
///
/// Layout: an image is channels-first, `channels × height × width` contiguous floats
/// (PyTorch's NCHW, one sample per row of a batch); a batch is its samples one after the
/// other. A *plane* is one channel of one sample. The convolutions multiply their weight
/// by an image's unfolded patches (see ``unfold(_:_:into:)``) with the matrix multiply;
/// these kernels do the rest. None allocates; the direct convolution, pooling and upsampling
/// split their samples or planes over the cores.
public enum ConvolutionKernels {
    /// Where a sliding window goes over an image: the image's size, the window's size and
    /// strides, how far the first window starts above and left of the image (the top and
    /// left padding, whose values are zeros), and the number of window positions.
    public struct Window: Sendable, Equatable {
        /// The image's channels.
        public var channels: Int
        /// The image's height.
        public var height: Int
        /// The image's width.
        public var width: Int
        /// The window's height.
        public var kernelHeight: Int
        /// The window's width.
        public var kernelWidth: Int
        /// The vertical distance between window positions.
        public var strideHeight: Int
        /// The horizontal distance between window positions.
        public var strideWidth: Int
        /// The rows of padding above the image.
        public var padTop: Int
        /// The columns of padding left of the image.
        public var padLeft: Int
        /// The number of window positions down the image.
        public var outputHeight: Int
        /// The number of window positions across the image.
        public var outputWidth: Int

        /// Creates a window description.
        public init(channels: Int, height: Int, width: Int, kernelHeight: Int, kernelWidth: Int,
                    strideHeight: Int, strideWidth: Int, padTop: Int, padLeft: Int,
                    outputHeight: Int, outputWidth: Int) {
            self.channels = channels
            self.height = height
            self.width = width
            self.kernelHeight = kernelHeight
            self.kernelWidth = kernelWidth
            self.strideHeight = strideHeight
            self.strideWidth = strideWidth
            self.padTop = padTop
            self.padLeft = padLeft
            self.outputHeight = outputHeight
            self.outputWidth = outputWidth
        }

        /// The number of floats of one image.
        public var imageCount: Int { channels * height * width }
        /// The rows of the unfolded matrix: `channels × kernelHeight × kernelWidth`.
        public var patchSize: Int { channels * kernelHeight * kernelWidth }
        /// The columns of the unfolded matrix: `outputHeight × outputWidth`.
        public var positions: Int { outputHeight * outputWidth }
        /// True when unfolding copies the image unchanged (a 1×1 window, stride 1, no
        /// padding), so a layer can use the image itself as its unfolded matrix.
        public var isIdentity: Bool {
            kernelHeight == 1 && kernelWidth == 1 && strideHeight == 1 && strideWidth == 1 && padTop == 0 && padLeft == 0
                && outputHeight == height && outputWidth == width
        }
    }

    /// Unfolds one image (im2col) into `columns`, a row-major `patchSize × positions`
    /// matrix: row `(c·kh + i)·kw + j`, column `oh·outputWidth + ow` holds the image's
    /// value at channel `c`, row `oh·strideHeight − padTop + i`, column `ow·strideWidth −
    /// padLeft + j`, or zero in the padding. The rows follow a PyTorch `Conv2d` weight's
    /// `[in, kh, kw]`, so `weight · columns` is the convolution, channels first.
    public static func unfold(_ image: UnsafePointer<Float>, _ window: Window, into columns: UnsafeMutablePointer<Float>) {
        ae_im2col(image, window.channels, window.height, window.width, window.kernelHeight, window.kernelWidth,
                  window.strideHeight, window.strideWidth, window.padTop, window.padLeft,
                  window.outputHeight, window.outputWidth, columns)
    }

    /// The adjoint of ``unfold(_:_:into:)`` (col2im): sets `image` to zero, then adds each
    /// element of `columns` to the image element it came from (padding elements dropped).
    public static func fold(_ columns: UnsafePointer<Float>, _ window: Window, into image: UnsafeMutablePointer<Float>) {
        ae_col2im(columns, window.channels, window.height, window.width, window.kernelHeight, window.kernelWidth,
                  window.strideHeight, window.strideWidth, window.padTop, window.padLeft,
                  window.outputHeight, window.outputWidth, image)
    }

    /// A stride-1 convolution of `samples` images computed directly, without unfolding
    /// (for layers with few filters): `output[s, f] = f(bias[f] + Σ weight[f, c, i, j] ·
    /// image[s, c] shifted by (i − padTop, j − padLeft))`, zeros outside the image;
    /// `weight` is `filters × channels × kh × kw`. Split over the cores by samples. The
    /// window's strides must be 1.
    public static func convolveDirect(
        _ images: UnsafePointer<Float>, samples: Int, _ window: Window, weight: UnsafePointer<Float>, filters: Int,
        bias: UnsafePointer<Float>, _ f: ElementwiseKernels.Nonlinearity, into output: UnsafeMutablePointer<Float>
    ) {
        precondition(window.strideHeight == 1 && window.strideWidth == 1, "Direct convolutions take stride 1.")
        ae_conv2d_direct(images, samples, window.channels, window.height, window.width, window.kernelHeight,
                         window.kernelWidth, window.padTop, window.padLeft, window.outputHeight, window.outputWidth,
                         weight, filters, bias, f.c, output)
    }

    /// The weight gradient of ``convolveDirect(_:samples:_:weight:filters:bias:_:into:)``,
    /// replacing `weightGradient`: `Σ_s outputGradient[s, f] · image[s, c]` shifted, per
    /// weight. Split over the cores by (filter, channel) pairs.
    public static func convolveDirectWeightGradient(
        _ images: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>, samples: Int, _ window: Window,
        filters: Int, into weightGradient: UnsafeMutablePointer<Float>
    ) {
        precondition(window.strideHeight == 1 && window.strideWidth == 1, "Direct convolutions take stride 1.")
        ae_conv2d_direct_weight_gradient(images, outputGradient, samples, window.channels, window.height, window.width,
                                         window.kernelHeight, window.kernelWidth, window.padTop, window.padLeft,
                                         window.outputHeight, window.outputWidth, filters, weightGradient)
    }

    /// The input gradient of ``convolveDirect(_:samples:_:weight:filters:bias:_:into:)``,
    /// replacing `inputGradient`. Split over the cores by samples.
    public static func convolveDirectInputGradient(
        _ outputGradient: UnsafePointer<Float>, samples: Int, _ window: Window, weight: UnsafePointer<Float>,
        filters: Int, into inputGradient: UnsafeMutablePointer<Float>
    ) {
        precondition(window.strideHeight == 1 && window.strideWidth == 1, "Direct convolutions take stride 1.")
        ae_conv2d_direct_input_gradient(outputGradient, samples, window.channels, window.height, window.width,
                                        window.kernelHeight, window.kernelWidth, window.padTop, window.padLeft,
                                        window.outputHeight, window.outputWidth, weight, filters, inputGradient)
    }

    /// `values[s, c, p] ← f(values[s, c, p] + bias[c])` over `samples × channels` planes
    /// of `plane` floats: a convolution's bias, one per output channel, and activation.
    public static func addChannelBiasAndActivate(
        _ values: UnsafeMutablePointer<Float>, samples: Int, channels: Int, plane: Int,
        bias: UnsafePointer<Float>, _ f: ElementwiseKernels.Nonlinearity
    ) {
        ae_channel_bias_activate(values, samples, channels, plane, bias, f.c)
    }

    /// `sums[c] ← Σ_{s,p} values[s, c, p]`: a convolution's bias gradient.
    public static func sumChannels(
        _ values: UnsafePointer<Float>, samples: Int, channels: Int, plane: Int, into sums: UnsafeMutablePointer<Float>
    ) {
        ae_channel_sums(values, samples, channels, plane, sums)
    }

    /// Max pooling of `planes` planes: `window` describes one plane (its `channels` is
    /// ignored), the pool as the kernel; padding values are ignored, not zeros.
    public static func maxPool(
        _ input: UnsafePointer<Float>, planes: Int, _ window: Window, into output: UnsafeMutablePointer<Float>
    ) {
        ae_max_pool(input, planes, window.height, window.width, window.kernelHeight, window.kernelWidth,
                    window.strideHeight, window.strideWidth, window.padTop, window.padLeft,
                    window.outputHeight, window.outputWidth, output)
    }

    /// The backward pass of ``maxPool(_:planes:_:into:)``: each output's gradient goes to
    /// the first maximum of its window (row-major within the window, as PyTorch), found
    /// again from `input`; every other input gradient is zero.
    public static func maxPoolBackward(
        input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>, planes: Int, _ window: Window,
        into inputGradient: UnsafeMutablePointer<Float>
    ) {
        ae_max_pool_backward(input, outputGradient, planes, window.height, window.width,
                             window.kernelHeight, window.kernelWidth, window.strideHeight, window.strideWidth,
                             window.padTop, window.padLeft, window.outputHeight, window.outputWidth, inputGradient)
    }

    /// Nearest-neighbour upsampling of `planes` planes of `height × width` by
    /// `factorHeight × factorWidth`: each value becomes a block of copies.
    public static func upsample(
        _ input: UnsafePointer<Float>, planes: Int, height: Int, width: Int, factorHeight: Int, factorWidth: Int,
        into output: UnsafeMutablePointer<Float>
    ) {
        ae_upsample_nearest(input, planes, height, width, factorHeight, factorWidth, output)
    }

    /// The backward pass of ``upsample(_:planes:height:width:factorHeight:factorWidth:into:)``:
    /// each input gradient is the sum of its block's output gradients.
    public static func upsampleBackward(
        _ outputGradient: UnsafePointer<Float>, planes: Int, height: Int, width: Int, factorHeight: Int,
        factorWidth: Int, into inputGradient: UnsafeMutablePointer<Float>
    ) {
        ae_upsample_nearest_backward(outputGradient, planes, height, width, factorHeight, factorWidth, inputGradient)
    }

    /// Copies `count` floats (the regions must not overlap): a reshape's passes.
    public static func copy(_ source: UnsafePointer<Float>, count: Int, into destination: UnsafeMutablePointer<Float>) {
        ae_copy(source, count, destination)
    }
}
