import Foundation

extension Figures {
    /// Images (one per row of `images`) laid out `columns` to a row.
    public static func imageGrid(
        _ images: Matrix, shape: ModelFile.ImageShape, columns: Int = 10, scale: Int = 2,
        colorMap: ColorMap = .viridis
    ) throws -> RGBImage {
        precondition(images.columns == shape.valueCount, "The images are not \(shape.text).")
        let columns = max(1, columns)
        let rows = stride(from: 0, to: images.rows, by: columns).map { start in
            (start..<min(start + columns, images.rows)).map { Array(images.row($0)) }
        }
        return try ImageGrid(rows: rows, imageWidth: shape.columns, imageHeight: shape.rows, scale: scale,
                             gap: imageGridGap, margin: imageGridMargin, colorMap: colorMap,
                             channels: shape.channels).render()
    }

    /// Throws the error ``imageGrid(_:shape:columns:scale:colorMap:)`` would throw for `count`
    /// images too many or too large to draw, before they are made.
    public static func checkImageGrid(count: Int, shape: ModelFile.ImageShape, columns: Int = 10, scale: Int = 2) throws {
        let columns = max(1, columns)
        if let problem = ImageGrid.sizeProblem(rows: (count + columns - 1) / columns, columns: min(count, columns),
                                               imageWidth: shape.columns, imageHeight: shape.rows, scale: scale,
                                               gap: imageGridGap, margin: imageGridMargin) {
            throw PictureInputError(problem)
        }
    }

    private static let imageGridGap = 2
    private static let imageGridMargin = 6

    /// The codes of an `size × size` sweep over a 2-D code box, row by row from the top:
    /// the first coordinate grows to the right, the second grows upwards (as on a plot).
    public static func sweepCodes(size: Int, range: ModelFile.CodeRange) -> Matrix {
        precondition(size >= 2 && range.low.count == 2 && range.high.count == 2, "A sweep needs a 2-D box and size ≥ 2.")
        var storage: [Float] = []
        for row in 0..<size {
            let t = Float(row) / Float(size - 1)
            let y = range.high[1] - (range.high[1] - range.low[1]) * t
            for column in 0..<size {
                let s = Float(column) / Float(size - 1)
                storage += [range.low[0] + (range.high[0] - range.low[0]) * s, y]
            }
        }
        return Matrix(rows: size * size, columns: 2, storage: storage)
    }
}
