/// The shape of one sample as a layer sees it, without the batch: `[features]` for a
/// vector, `[channels, height, width]` for an image (PyTorch's order, which is also how
/// a row of a batch lays the image out).
public struct SampleShape: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// The dimensions, outermost first.
    public var dimensions: [Int]

    /// Creates a shape from its dimensions.
    public init(_ dimensions: [Int]) {
        self.dimensions = dimensions
    }

    /// A vector of `features` values.
    public static func vector(_ features: Int) -> SampleShape { SampleShape([features]) }

    /// An image of `channels × height × width` values.
    public static func image(channels: Int, height: Int, width: Int) -> SampleShape {
        SampleShape([channels, height, width])
    }

    /// The number of values, or `nil` when it overflows.
    public var count: Int? {
        var total = 1
        for dimension in dimensions {
            let (product, overflow) = total.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            total = product
        }
        return total
    }

    /// The number of values (0 on overflow; shapes are checked before layers are built).
    public var width: Int { count ?? 0 }

    /// `(channels, height, width)` when the shape is an image.
    public var image: (channels: Int, height: Int, width: Int)? {
        dimensions.count == 3 ? (dimensions[0], dimensions[1], dimensions[2]) : nil
    }

    /// `[1, 28, 28]`, as messages and summaries show a shape.
    public var description: String { "[" + dimensions.map(String.init).joined(separator: ", ") + "]" }

    /// Reads a JSON array of dimensions.
    public init(from decoder: any Decoder) throws {
        dimensions = try [Int](from: decoder)
    }

    /// Writes a JSON array of dimensions.
    public func encode(to encoder: any Encoder) throws {
        try dimensions.encode(to: encoder)
    }
}
