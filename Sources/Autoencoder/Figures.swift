import Foundation

/// The pictures a run draws, composed from the picture module's building blocks.
public enum Figures {
    /// The tutorial's figure: the first `count` images of `images` (or those at `indices`) on
    /// top, their reconstructions by `model` below, each digit drawn at 3x (84 px); colour
    /// images in colour. With `noise` (a denoising model's), three rows: the images with that
    /// noise, the model's outputs for them, and the clean images.
    ///
    /// Throws `PictureInputError` for an index outside `images`, samples that are not images
    /// or of another size than the model takes, or no image to draw.
    public static func reconstructions(
        of model: AutoencoderModel, images: Dataset, indices: [Int]? = nil, count: Int = 10,
        colorMap: ColorMap = .viridis, noise: InputNoise? = nil
    ) throws -> RGBImage {
        let indices = indices ?? Array(0..<min(count, images.count))
        if let index = indices.first(where: { !(0..<images.count).contains($0) }) {
            throw PictureInputError(images.count == 0 ? "Image \(index) cannot be drawn: there are no images."
                                    : "Image \(index) cannot be drawn: there are \(images.count) images (indices 0 to \(images.count - 1)).")
        }
        guard let shape = images.imageShape else {
            throw PictureInputError("The samples are not images (their shape is \(images.sampleShape)).")
        }
        guard images.width == model.inputWidth else {
            throw PictureInputError("The model takes \(model.inputWidth) values per image but the images have "
                                    + "\(images.width) (\(Experiment.shapeText(images.sampleShape))).")
        }
        let originals = images.matrix(at: indices)
        let rows: [Matrix]
        if let noise {
            // A denoising model's picture: what went in (the clean image with the training's
            // noise), what came out, and the clean image it should give back.
            var noisy = originals
            var generator = noise.generator
            noisy.storage.withUnsafeMutableBufferPointer { values in
                if noise.maskingShare > 0 {
                    generator.dropValues(values.baseAddress!, count: values.count, share: noise.maskingShare)
                }
                generator.addGaussianNoise(values.baseAddress!, count: values.count, factor: noise.gaussianFactor)
            }
            rows = [noisy, model.reconstruct(noisy), originals]
        } else {
            rows = [originals, model.reconstruct(originals)]
        }
        return try ImageGrid(rows: rows.map { matrix in (0..<matrix.rows).map { Array(matrix.row($0)) } },
                             imageWidth: shape.width, imageHeight: shape.height, scale: 3, colorMap: colorMap,
                             channels: shape.channels).render()
    }

    /// For samples that are not images: the first `count` samples (or those at `indices`) as
    /// line plots, each with the model's reconstruction and the gap between them shaded, in
    /// the data's own units (the scaling undone), as the TensorFlow tutorial draws its ECG beats.
    public static func signalReconstructions(
        of model: AutoencoderModel, samples: Dataset, indices: [Int]? = nil, count: Int = 5
    ) throws -> RGBImage {
        let indices = indices ?? Array(0..<min(count, samples.count))
        if let index = indices.first(where: { !(0..<samples.count).contains($0) }) {
            throw PictureInputError("Sample \(index) cannot be drawn: there are \(samples.count) samples.")
        }
        let inputs = samples.matrix(at: indices)
        let outputs = model.reconstruct(inputs)
        let width = samples.width
        let originals = samples.scaling.inverted(inputs.storage, width: width)
        let reconstructions = samples.scaling.inverted(outputs.storage, width: width)
        let panels = indices.enumerated().map { position, index in
            var error = 0.0
            for column in 0..<width {
                let difference = Double(inputs.storage[position * width + column]) - Double(outputs.storage[position * width + column])
                error += difference * difference
            }
            return SignalComparison.Panel(
                original: Array(originals[(position * width)..<((position + 1) * width)]),
                reconstruction: Array(reconstructions[(position * width)..<((position + 1) * width)]),
                title: "sample \(index)" + (samples.labels.map { ", label \($0[index])" } ?? "")
                    + ", MSE " + String(format: "%.4g", error / Double(max(width, 1))))
        }
        return try SignalComparison(panels: panels).render()
    }

    /// The noise a denoising model was trained with, for its reconstruction picture.
    public struct InputNoise: Sendable {
        /// The share of values set to 0 (masking noise).
        public var maskingShare: Float
        /// The factor of Gaussian noise, clipped to [0, 1].
        public var gaussianFactor: Float
        /// The generator the noise is drawn from.
        public var generator: RandomGenerator

        /// Creates a description of the noise.
        public init(maskingShare: Float = 0, gaussianFactor: Float = 0, generator: RandomGenerator) {
            self.maskingShare = maskingShare
            self.gaussianFactor = gaussianFactor
            self.generator = generator
        }
    }

    /// The tutorial's scatter plot of 2-D codes coloured by label (digit, for MNIST), with a
    /// colour bar titled "label"; all in one colour when there are no labels.
    public static func codeScatter(codes: Matrix, labels: [Int]?) throws -> RGBImage {
        precondition(codes.columns == 2, "A code scatter plot needs 2-D codes.")
        return try ScatterPlot(
            x: (0..<codes.rows).map { codes[$0, 0] }, y: (0..<codes.rows).map { codes[$0, 1] },
            labels: labels ?? [Int](repeating: 0, count: codes.rows), title: "Test-set codes",
            xAxisTitle: "code 1", yAxisTitle: "code 2", colorBarTitle: "label"
        ).render()
    }
}

extension RGBImage {
    /// Writes the image as a PNG file, atomically.
    public func write(to url: URL) throws {
        try PNG.write(self, to: url)
    }
}
