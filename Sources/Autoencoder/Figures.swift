import Foundation

/// The pictures a run draws, composed from the picture module's building blocks.
public enum Figures {
    /// The tutorial's figure: the first `count` images of `images` (or those at `indices`) on
    /// top, their reconstructions by `model` below, each digit drawn at 3x (84 px). With
    /// `noise` (a denoising model's), three rows: the images with that noise, the model's
    /// outputs for them, and the clean images.
    ///
    /// Throws `PictureInputError` for an index outside `images`, images of another size than
    /// the model takes, or no image to draw.
    public static func reconstructions(
        of model: AutoencoderModel, images: LabeledImages, indices: [Int]? = nil, count: Int = 10,
        colorMap: ColorMap = .viridis, noise: InputNoise? = nil
    ) throws -> RGBImage {
        let indices = indices ?? Array(0..<min(count, images.count))
        if let index = indices.first(where: { !(0..<images.count).contains($0) }) {
            throw PictureInputError(images.count == 0 ? "Image \(index) cannot be drawn: there are no images."
                                    : "Image \(index) cannot be drawn: there are \(images.count) images (indices 0 to \(images.count - 1)).")
        }
        guard images.pixelsPerImage == model.inputWidth else {
            throw PictureInputError("The model takes \(model.inputWidth) values per image but the images have "
                                    + "\(images.pixelsPerImage) (\(images.rows)x\(images.columns)).")
        }
        let originals = Matrix(rows: indices.count, columns: images.pixelsPerImage,
                               storage: indices.flatMap { images.matrix($0..<($0 + 1)).storage })
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
                             imageWidth: images.columns, imageHeight: images.rows, scale: 3, colorMap: colorMap).render()
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
    /// colour bar titled "label".
    public static func codeScatter(codes: Matrix, labels: [UInt8]) throws -> RGBImage {
        precondition(codes.columns == 2, "A code scatter plot needs 2-D codes.")
        return try ScatterPlot(
            x: (0..<codes.rows).map { codes[$0, 0] }, y: (0..<codes.rows).map { codes[$0, 1] },
            labels: labels.map(Int.init), title: "Test-set codes",
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
