/// One opaque 8-bit sRGB colour.
///
/// Every picture this module draws is made of these, so that a pixel read back from a PNG
/// can be compared exactly with the colour that was meant to be drawn.
public struct RGB: Sendable, Hashable, CustomStringConvertible {
    /// The red channel, 0 (none) to 255 (full).
    public var red: UInt8
    /// The green channel, 0 (none) to 255 (full).
    public var green: UInt8
    /// The blue channel, 0 (none) to 255 (full).
    public var blue: UInt8

    /// Makes a colour from its three channels, in red, green, blue order.
    public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// Pure white, the background of every figure.
    public static let white = RGB(255, 255, 255)
    /// Pure black, the colour of axes, ticks and text.
    public static let black = RGB(0, 0, 0)

    /// The colour as `(r, g, b)`, for messages and test failures.
    public var description: String { "(\(red), \(green), \(blue))" }

    /// This colour painted over `background` with the given opacity (0 leaves the background,
    /// 1 replaces it), rounding each channel to the nearest byte.
    ///
    /// Used for semi-transparent scatter markers and anti-aliased edges, so that dense
    /// clusters darken gradually instead of becoming a solid blot.
    public func blended(over background: RGB, opacity: Double) -> RGB {
        let alpha = opacity.isNaN ? 0 : min(max(opacity, 0), 1)
        func mix(_ top: UInt8, _ bottom: UInt8) -> UInt8 {
            UInt8((Double(top) * alpha + Double(bottom) * (1 - alpha)).rounded())
        }
        return RGB(mix(red, background.red), mix(green, background.green), mix(blue, background.blue))
    }
}

/// An 8-bit RGB picture stored row-major, top row first, three bytes (red, green, blue) per pixel.
///
/// This is the in-memory form of every figure: the drawing primitives paint into it and
/// ``PNG`` writes and reads it. It is a value type, so copies are independent.
public struct RGBImage: Sendable, Hashable {
    /// The number of pixel columns.
    public let width: Int
    /// The number of pixel rows.
    public let height: Int
    /// The pixel bytes: `3 * width * height` of them, row by row from the top, each pixel as
    /// red, green, blue. The layout libpng's `PNG_FORMAT_RGB` expects.
    public private(set) var bytes: [UInt8]

    /// Makes a picture of the given size, every pixel set to `color` (white unless told).
    ///
    /// Negative sizes are a programming error and stop the program.
    public init(width: Int, height: Int, filledWith color: RGB = .white) {
        precondition(width >= 0 && height >= 0, "An image cannot have a negative size (\(width)x\(height)).")
        self.width = width
        self.height = height
        var bytes = [UInt8](repeating: 0, count: 3 * width * height)
        var index = 0
        while index < bytes.count {
            bytes[index] = color.red
            bytes[index + 1] = color.green
            bytes[index + 2] = color.blue
            index += 3
        }
        self.bytes = bytes
    }

    /// Makes a picture from existing row-major RGB bytes, or returns nil when `bytes` does not
    /// hold exactly `3 * width * height` values (or a size is negative).
    public init?(width: Int, height: Int, bytes: [UInt8]) {
        guard width >= 0, height >= 0, bytes.count == 3 * width * height else { return nil }
        self.width = width
        self.height = height
        self.bytes = bytes
    }

    /// Whether `(x, y)` (column, row; row 0 at the top) lies inside the picture.
    public func contains(x: Int, y: Int) -> Bool {
        x >= 0 && y >= 0 && x < width && y < height
    }

    /// The colour at column `x`, row `y` (row 0 at the top).
    ///
    /// Reading or writing outside the picture is a programming error; the drawing methods
    /// clip instead, so use those when a shape may cross the edge.
    public subscript(x: Int, y: Int) -> RGB {
        get {
            precondition(contains(x: x, y: y), "Pixel (\(x), \(y)) is outside the \(width)x\(height) image.")
            let index = 3 * (y * width + x)
            return RGB(bytes[index], bytes[index + 1], bytes[index + 2])
        }
        set {
            precondition(contains(x: x, y: y), "Pixel (\(x), \(y)) is outside the \(width)x\(height) image.")
            let index = 3 * (y * width + x)
            bytes[index] = newValue.red
            bytes[index + 1] = newValue.green
            bytes[index + 2] = newValue.blue
        }
    }

    /// The set of distinct colours in the picture, for tests and quick checks of what a
    /// figure contains.
    public var distinctColors: Set<RGB> {
        var colors = Set<RGB>()
        var index = 0
        while index < bytes.count {
            colors.insert(RGB(bytes[index], bytes[index + 1], bytes[index + 2]))
            index += 3
        }
        return colors
    }
}
