import AutoencoderKernels
import AutoencoderNumerics

/// The shape arithmetic the image layers share: reading an image shape, the output size
/// and padding of a sliding window (Keras's and TensorFlow's rules), and how summaries
/// write shapes.
enum ImageGeometry {
    /// The most filters a stride-1 convolution has to run directly rather than unfold. With
    /// one filter the direct loops were 2-3 times faster than unfolding (the conv preset's
    /// last layer); with 8 or 16 filters they were 2-4 times slower than the matrix product.
    /// Register-blocked for AVX2 they kept that order on a Zen 3: every conv-preset layer of
    /// at most 16 filters run directly made an epoch 1.9 times as long, the one-channel first
    /// layer alone changed nothing. The AVX2 kernel's shifted planes (which do not unfold)
    /// took about as long as the direct loops for the one-filter layer.
    static let directFilters = 1

    /// The `(channels, height, width)` of `input`, or the problem when it is not a
    /// non-empty image.
    static func image(_ input: SampleShape) throws(LayerShapeProblem) -> (channels: Int, height: Int, width: Int) {
        guard let image = input.image else {
            let advice = input.dimensions.count == 1 ? " (put a Reshape before it)" : ""
            throw LayerShapeProblem("it takes an image [channels, height, width] but is given \(input)\(advice)")
        }
        guard image.channels > 0, image.height > 0, image.width > 0, input.count != nil else {
            throw LayerShapeProblem("it is given an empty or impossibly large image \(input)")
        }
        return image
    }

    /// The number of window positions along a side of `length` and the padding before the
    /// first, as Keras's `Conv2D` and `MaxPooling2D` place them: 'valid' takes
    /// `⌊(length − kernel) / stride⌋ + 1` positions inside the map (`nil` when the kernel
    /// is longer than the map); 'same' takes `⌈length / stride⌉`, padding
    /// `max((positions − 1)·stride + kernel − length, 0)` in total, half of it (rounded
    /// down) before and the rest after, as TensorFlow does.
    static func slide(length: Int, kernel: Int, stride: Int, padding: Padding) -> (positions: Int, padBefore: Int)? {
        switch padding {
        case .valid:
            guard kernel <= length else { return nil }
            return ((length - kernel) / stride + 1, 0)
        case .same:
            let positions = (length + stride - 1) / stride
            let total = max((positions - 1) * stride + kernel - length, 0)
            return (positions, total / 2)
        }
    }

    /// The window of a convolution or pooling over `image`, or the problem when the
    /// kernel does not fit it; `what` names the window ("kernel", "pool").
    static func window(
        over image: (channels: Int, height: Int, width: Int), kernel: PairOfSizes, strides: PairOfSizes,
        padding: Padding, what: String
    ) throws(LayerShapeProblem) -> ConvolutionKernels.Window {
        guard let rows = slide(length: image.height, kernel: kernel.height, stride: strides.height, padding: padding),
              let columns = slide(length: image.width, kernel: kernel.width, stride: strides.width, padding: padding)
        else {
            throw LayerShapeProblem("a \(kernel) \(what) does not fit a \(image.height)x\(image.width) map with valid padding")
        }
        return ConvolutionKernels.Window(
            channels: image.channels, height: image.height, width: image.width,
            kernelHeight: kernel.height, kernelWidth: kernel.width,
            strideHeight: strides.height, strideWidth: strides.width,
            padTop: rows.padBefore, padLeft: columns.padBefore,
            outputHeight: rows.positions, outputWidth: columns.positions)
    }

    /// `shape`, or the problem when its number of values overflows.
    static func checked(_ shape: SampleShape) throws(LayerShapeProblem) -> SampleShape {
        guard let count = shape.count, count > 0 else {
            throw LayerShapeProblem("its output \(shape) is empty or too large")
        }
        return shape
    }

    /// `1x28x28`, as summaries write a shape.
    static func text(_ shape: SampleShape) -> String {
        shape.dimensions.map(String.init).joined(separator: "x")
    }

    /// `"3x3"`, then `", stride 2"` (or `"2x1"`) unless the strides are 1.
    static func text(kernel: PairOfSizes, strides: PairOfSizes) -> String {
        if strides == PairOfSizes(1) { return kernel.description }
        let stride = strides.height == strides.width ? "\(strides.height)" : strides.description
        return "\(kernel), stride \(stride)"
    }
}

/// The fields `Conv2D` and `Conv2DTranspose` share in a description, read strictly with
/// Keras's defaults (strides 1, 'valid' padding, linear activation), for both kinds'
/// specifications.
struct ConvolutionFields {
    var filters: Int
    var kernelSize: PairOfSizes
    var strides: PairOfSizes
    var padding: Padding
    var activation: Activation
    var kernelInitializer: Initializer?
    var biasInitializer: Initializer?

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case filters, kernelSize, strides, padding, activation, kernelInitializer, biasInitializer
    }

    /// Reads the fields of a `kind` layer, refusing unknown ones and non-positive sizes.
    init(from decoder: any Decoder, kind: String) throws {
        try LayerFields.check(decoder, known: CodingKeys.allCases.map(\.stringValue), kind: kind)
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
}
