/// An axis-aligned rectangle of whole pixels: columns `x ..< x + width`, rows `y ..< y + height`.
///
/// Figures are laid out in these (the plot area, the colour bar, one cell of a grid) and the
/// drawing methods take them to fill, outline or clip.
public struct PixelRectangle: Sendable, Hashable {
    /// The leftmost column.
    public var x: Int
    /// The top row.
    public var y: Int
    /// The number of columns; zero or less means the rectangle is empty.
    public var width: Int
    /// The number of rows; zero or less means the rectangle is empty.
    public var height: Int

    /// Makes a rectangle from its top-left corner and size.
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// One past the rightmost column.
    public var maxX: Int { x + width }
    /// One past the bottom row.
    public var maxY: Int { y + height }
    /// Whether the rectangle covers no pixel.
    public var isEmpty: Bool { width <= 0 || height <= 0 }

    /// The part of this rectangle that lies inside `other` (possibly empty).
    public func intersection(_ other: PixelRectangle) -> PixelRectangle {
        let left = max(x, other.x), top = max(y, other.y)
        let right = min(maxX, other.maxX), bottom = min(maxY, other.maxY)
        return PixelRectangle(x: left, y: top, width: max(0, right - left), height: max(0, bottom - top))
    }
}

/// Drawing primitives. Every one clips at the picture's edge, so shapes may safely cross it.
extension RGBImage {
    /// The whole picture as a rectangle, for clipping.
    public var bounds: PixelRectangle { PixelRectangle(x: 0, y: 0, width: width, height: height) }

    /// Paints `color` over the pixel at `(x, y)` with the given opacity (1 replaces it);
    /// does nothing outside the picture.
    public mutating func blendPixel(x: Int, y: Int, color: RGB, opacity: Double = 1) {
        guard contains(x: x, y: y), opacity > 0 else { return }
        self[x, y] = opacity >= 1 ? color : color.blended(over: self[x, y], opacity: opacity)
    }

    /// Fills `rectangle` with `color`, blended with the given opacity (1 paints it solid).
    public mutating func fill(_ rectangle: PixelRectangle, with color: RGB, opacity: Double = 1) {
        let area = rectangle.intersection(bounds)
        guard !area.isEmpty else { return }
        for y in area.y ..< area.maxY {
            for x in area.x ..< area.maxX {
                blendPixel(x: x, y: y, color: color, opacity: opacity)
            }
        }
    }

    /// Draws the outline of `rectangle` in `color`, `thickness` pixels wide, inside its edge.
    public mutating func stroke(_ rectangle: PixelRectangle, with color: RGB, thickness: Int = 1) {
        guard !rectangle.isEmpty, thickness > 0 else { return }
        let t = min(thickness, rectangle.width, rectangle.height)
        let r = rectangle
        fill(PixelRectangle(x: r.x, y: r.y, width: r.width, height: t), with: color)
        fill(PixelRectangle(x: r.x, y: r.maxY - t, width: r.width, height: t), with: color)
        fill(PixelRectangle(x: r.x, y: r.y, width: t, height: r.height), with: color)
        fill(PixelRectangle(x: r.maxX - t, y: r.y, width: t, height: r.height), with: color)
    }

    /// Draws a straight line between two pixel centres with a square pen `thickness` pixels wide.
    ///
    /// Horizontal and vertical lines (axes, ticks) come out exactly `thickness` pixels thick;
    /// other directions use Bresenham's algorithm, which is enough for guide lines.
    public mutating func drawLine(fromX x0: Int, y y0: Int, toX x1: Int, y y1: Int,
                                  color: RGB, thickness: Int = 1) {
        guard thickness > 0 else { return }
        let before = (thickness - 1) / 2
        var x = x0, y = y0
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let stepX = x0 < x1 ? 1 : -1, stepY = y0 < y1 ? 1 : -1
        var error = dx + dy
        while true {
            fill(PixelRectangle(x: x - before, y: y - before, width: thickness, height: thickness), with: color)
            if x == x1 && y == y1 { break }
            let doubled = 2 * error
            if doubled >= dy { error += dy; x += stepX }
            if doubled <= dx { error += dx; y += stepY }
        }
    }

    /// Fills a disc (a round scatter marker) centred at `(centerX, centerY)` in continuous pixel
    /// coordinates — pixel `(i, j)` covers `[i, i+1) × [j, j+1)` — with anti-aliased edges.
    ///
    /// Each pixel receives `color` with `opacity` times the fraction of it the disc covers, so
    /// overlapping semi-transparent markers build up density the way matplotlib's do.
    /// Nothing is drawn outside `clip` (the whole picture when nil).
    public mutating func fillDisc(centerX: Double, centerY: Double, radius: Double, color: RGB,
                                  opacity: Double = 1, clippedTo clip: PixelRectangle? = nil) {
        guard radius > 0, centerX.isFinite, centerY.isFinite, opacity > 0 else { return }
        let reach = radius + 1
        let box = PixelRectangle(x: Int((centerX - reach).rounded(.down)),
                                 y: Int((centerY - reach).rounded(.down)),
                                 width: Int((2 * reach).rounded(.up)) + 1,
                                 height: Int((2 * reach).rounded(.up)) + 1)
        let area = box.intersection(clip.map { $0.intersection(bounds) } ?? bounds)
        guard !area.isEmpty else { return }
        for y in area.y ..< area.maxY {
            let dy = Double(y) + 0.5 - centerY
            for x in area.x ..< area.maxX {
                let dx = Double(x) + 0.5 - centerX
                let coverage = min(max(radius + 0.5 - (dx * dx + dy * dy).squareRoot(), 0), 1)
                if coverage > 0 {
                    blendPixel(x: x, y: y, color: color, opacity: opacity * coverage)
                }
            }
        }
    }

    /// Copies `image` into this picture with its top-left corner at `(x, y)`, clipping at the edge.
    public mutating func draw(_ image: RGBImage, atX x: Int, y: Int) {
        let area = PixelRectangle(x: x, y: y, width: image.width, height: image.height).intersection(bounds)
        guard !area.isEmpty else { return }
        for row in area.y ..< area.maxY {
            for column in area.x ..< area.maxX {
                self[column, row] = image[column - x, row - y]
            }
        }
    }
}
