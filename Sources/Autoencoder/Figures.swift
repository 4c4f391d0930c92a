import Foundation

/// The pictures a run draws, composed from the picture module's building blocks.
public enum Figures {
    /// The tutorial's figure: the first `count` images of `images` (or those at `indices`) on
    /// top, their reconstructions by `model` below, each digit drawn at 3x (84 px).
    ///
    /// Throws `PictureInputError` for an index outside `images`, images of another size than
    /// the model takes, or no image to draw.
    public static func reconstructions(
        of model: AutoencoderModel, images: LabeledImages, indices: [Int]? = nil, count: Int = 10,
        colorMap: ColorMap = .viridis
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
        let outputs = model.reconstruct(originals)
        let top = (0..<originals.rows).map { Array(originals.row($0)) }
        let bottom = (0..<outputs.rows).map { Array(outputs.row($0)) }
        return try ImageGrid(rows: [top, bottom], imageWidth: images.columns, imageHeight: images.rows,
                             scale: 3, colorMap: colorMap).render()
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
