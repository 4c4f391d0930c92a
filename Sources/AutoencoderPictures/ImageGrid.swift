/// A figure of small greyscale or colour images laid out in rows and columns, each pixel enlarged and
/// coloured through a colour map — the tutorial's 2×10 "original / reconstructed" figure, or a
/// 15×15 sweep of decoded latent points.
///
/// Usage: `let image = try ImageGrid(rows: [originals, reconstructions]).render()`.
/// Rows may hold different numbers of images; missing cells stay background.
public struct ImageGrid: Sendable {
    /// How an image's values are turned into positions on the colour map.
    public enum Scaling: Sendable, Hashable {
        /// Values are taken as they are: 0 is the low end, 1 the high end; values outside [0, 1]
        /// are clamped. Every cell shares one scale, so brightness compares across cells.
        case unitInterval
        /// Each image is stretched from its own smallest to its largest value, as matplotlib's
        /// `imshow` does by default (a constant image maps to the low end).
        case perImage
    }

    /// The images, row by row; each image is `imageWidth × imageHeight` values, row-major
    /// (for colour, ``channels`` such planes: red, green, blue, channels first).
    public let rows: [[[Float]]]
    /// 1 for greyscale images drawn through the colour map, 3 for colour images drawn as
    /// they are (each channel's [0, 1] onto 0–255).
    public let channels: Int
    /// The width of every image, in image pixels.
    public let imageWidth: Int
    /// The height of every image, in image pixels.
    public let imageHeight: Int
    /// How many picture pixels wide and high each image pixel is drawn.
    public let scale: Int
    /// Blank pixels between neighbouring cells.
    public let gap: Int
    /// Blank pixels around the whole figure.
    public let margin: Int
    /// The colour map the values are drawn through.
    public let colorMap: ColorMap
    /// How values become colour-map positions.
    public let scaling: Scaling
    /// One optional title per row, drawn to the left of that row (empty: no titles).
    public let rowTitles: [String]
    /// The colour of gaps, margins and empty cells.
    public let background: RGB

    /// The font scale of row titles.
    private let titleScale = 2
    /// Space between the row titles and the first column.
    private let titlePadding = 10

    /// Makes a grid figure.
    ///
    /// - Parameters:
    ///   - rows: the images row by row, each `imageWidth × imageHeight` values, row-major,
    ///     normally in [0, 1].
    ///   - imageWidth: width of each image in image pixels (28 for MNIST).
    ///   - imageHeight: height of each image in image pixels (28 for MNIST).
    ///   - scale: how many picture pixels each image pixel becomes (3 turns 28 into 84).
    ///   - gap: blank pixels between cells.
    ///   - margin: blank pixels around the figure.
    ///   - colorMap: viridis, as in the tutorial's figures, or ``ColorMap/gray``.
    ///   - scaling: fixed [0, 1] (default) or per image, as `imshow` does.
    ///   - rowTitles: optional titles, one per row at most, such as "original", "reconstructed".
    ///   - background: the colour of gaps and margins.
    ///   - channels: 1 (greyscale, through `colorMap`) or 3 (colour, planes of red, green, blue).
    /// - Throws: ``PictureInputError`` when there are no images, a size is not positive, an
    ///   image does not hold `channels × imageWidth × imageHeight` values, or the figure would have more
    ///   than ``PNG/maximumPixelCount`` pixels.
    public init(rows: [[[Float]]], imageWidth: Int = 28, imageHeight: Int = 28, scale: Int = 3,
                gap: Int = 4, margin: Int = 8, colorMap: ColorMap = .viridis,
                scaling: Scaling = .unitInterval, rowTitles: [String] = [],
                background: RGB = .white, channels: Int = 1) throws {
        guard channels == 1 || channels == 3 else {
            throw PictureInputError("An image grid draws images of 1 or 3 channels, not \(channels).")
        }
        guard imageWidth > 0, imageHeight > 0 else {
            throw PictureInputError("An image grid needs a positive image size, not \(imageWidth)x\(imageHeight).")
        }
        guard scale > 0 else {
            throw PictureInputError("An image grid needs a scale of at least 1, not \(scale).")
        }
        guard gap >= 0, margin >= 0 else {
            throw PictureInputError("An image grid cannot have a negative gap (\(gap)) or margin (\(margin)).")
        }
        guard rows.contains(where: { !$0.isEmpty }) else {
            throw PictureInputError("An image grid needs at least one image.")
        }
        guard rowTitles.count <= rows.count else {
            throw PictureInputError("An image grid has \(rowTitles.count) row titles for only \(rows.count) rows.")
        }
        for (rowIndex, row) in rows.enumerated() {
            for (columnIndex, image) in row.enumerated() where image.count != channels * imageWidth * imageHeight {
                throw PictureInputError(
                    "Image \(columnIndex + 1) of row \(rowIndex + 1) has \(image.count) values, "
                    + "not \(channels * imageWidth * imageHeight) (\(channels == 1 ? "" : "\(channels)x")\(imageWidth)x\(imageHeight)).")
            }
        }
        self.rows = rows
        self.channels = channels
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
        self.scale = scale
        self.gap = gap
        self.margin = margin
        self.colorMap = colorMap
        self.scaling = scaling
        self.rowTitles = rowTitles
        self.background = background
        if let problem = ImageGrid.sizeProblem(rows: rows.count, columns: columnCount, imageWidth: imageWidth,
                                               imageHeight: imageHeight, scale: scale, gap: gap, margin: margin,
                                               titleWidth: titleColumnWidth) {
            throw PictureInputError(problem)
        }
    }

    /// Why a grid of `rows` x `columns` images of these sizes would be too large for a PNG
    /// (more than ``PNG/maximumPixelCount`` pixels, or a side over ``PNG/maximumSide``), or
    /// `nil`; so that a caller can refuse before making the images. Row titles are not
    /// counted unless `titleWidth` (their column's width in pixels) is given.
    public static func sizeProblem(rows: Int, columns: Int, imageWidth: Int, imageHeight: Int, scale: Int,
                                   gap: Int, margin: Int, titleWidth: Int = 0) -> String? {
        // Counted in Double so that absurd sizes cannot overflow before they are refused.
        let width = 2 * Double(margin) + Double(titleWidth)
            + Double(columns) * Double(imageWidth) * Double(scale) + Double(columns - 1) * Double(gap)
        let height = 2 * Double(margin) + Double(rows) * Double(imageHeight) * Double(scale) + Double(rows - 1) * Double(gap)
        let limit = width * height > Double(PNG.maximumPixelCount)
            ? "more than the \(PNG.maximumPixelCount) a PNG may have here"
            : max(width, height) > Double(PNG.maximumSide) ? "a side longer than the \(PNG.maximumSide) a PNG may have" : nil
        return limit.map {
            "An image grid of \(rows)x\(columns) images of \(imageWidth)x\(imageHeight) pixels at scale \(scale) "
                + "would have \(width.formatted)x\(height.formatted) pixels, \($0); draw fewer or smaller images."
        }
    }

    /// The number of columns: the length of the longest row.
    public var columnCount: Int { rows.map(\.count).max() ?? 0 }

    /// The width of the space reserved for row titles, padding included (0 without titles).
    private var titleColumnWidth: Int {
        let widest = rowTitles.map { BitmapFont.standard.width(of: $0, scale: titleScale) }.max() ?? 0
        return widest > 0 ? widest + titlePadding : 0
    }

    /// The width of the rendered figure in pixels.
    public var width: Int {
        let cells = columnCount * imageWidth * scale + max(columnCount - 1, 0) * gap
        return 2 * margin + titleColumnWidth + cells
    }

    /// The height of the rendered figure in pixels.
    public var height: Int {
        2 * margin + rows.count * imageHeight * scale + max(rows.count - 1, 0) * gap
    }

    /// Where the image at `row`, `column` (both from 0) is drawn in the rendered figure.
    public func cellRectangle(row: Int, column: Int) -> PixelRectangle {
        PixelRectangle(x: margin + titleColumnWidth + column * (imageWidth * scale + gap),
                       y: margin + row * (imageHeight * scale + gap),
                       width: imageWidth * scale, height: imageHeight * scale)
    }

    /// Draws the figure.
    public func render() -> RGBImage {
        var picture = RGBImage(width: width, height: height, filledWith: background)
        for (rowIndex, row) in rows.enumerated() {
            for (columnIndex, values) in row.enumerated() {
                let cell = cellRectangle(row: rowIndex, column: columnIndex)
                let (offset, span) = valueRange(of: values)
                let plane = imageWidth * imageHeight
                /// A channel's value as a byte, after the grid's scaling.
                func byte(_ index: Int) -> UInt8 {
                    let value = (Double(values[index]) - offset) / span
                    return value.isNaN ? 0 : UInt8((min(max(value, 0), 1) * 255).rounded())
                }
                for y in 0 ..< imageHeight {
                    for x in 0 ..< imageWidth {
                        let index = y * imageWidth + x
                        let color = channels == 3 ? RGB(byte(index), byte(plane + index), byte(2 * plane + index))
                            : colorMap.color(at: (Double(values[index]) - offset) / span)
                        picture.fill(PixelRectangle(x: cell.x + x * scale, y: cell.y + y * scale,
                                                    width: scale, height: scale),
                                     with: color)
                    }
                }
            }
        }
        for (rowIndex, title) in rowTitles.enumerated() where !title.isEmpty {
            let cell = cellRectangle(row: rowIndex, column: 0)
            picture.drawText(title, x: cell.x - titlePadding, y: cell.y + cell.height / 2,
                             scale: titleScale, color: .black,
                             horizontalAlignment: .right, verticalAlignment: .middle)
        }
        return picture
    }

    /// The value shown at the low end and the width of the range shown, for one image.
    private func valueRange(of values: [Float]) -> (offset: Double, span: Double) {
        switch scaling {
        case .unitInterval:
            return (0, 1)
        case .perImage:
            let finite = values.lazy.filter(\.isFinite).map(Double.init)
            guard let low = finite.min(), let high = finite.max(), high > low else {
                return (finite.min() ?? 0, .infinity)
            }
            return (low, high - low)
        }
    }
}

private extension Double {
    /// A whole number of pixels as digits (`12000`, not `12000.0`).
    var formatted: String { self < 1e18 ? String(Int(self)) : String(self) }
}
