/// A colour map: a table of colours from a low end to a high end, used to turn a number in
/// [0, 1] into a colour, as matplotlib's `cmap` does for `imshow` and `scatter(c=…)`.
///
/// Lookup follows matplotlib exactly: with N entries, a value v picks entry `⌊v·N⌋`, with 1
/// picking the last entry; values below 0 pick the first entry, values above 1 the last,
/// and NaN picks the first (matplotlib would leave such a pixel transparent).
public struct ColorMap: Sendable, Hashable {
    /// A short name for messages and command-line options, such as "viridis".
    public let name: String
    /// The entries, low end first; never empty.
    public let colors: [RGB]

    /// Makes a colour map from its entries, low end first; nil when `colors` is empty.
    public init?(name: String, colors: [RGB]) {
        guard !colors.isEmpty else { return nil }
        self.name = name
        self.colors = colors
    }

    /// The colour for `value`, where 0 is the low end and 1 the high end.
    public func color(at value: Double) -> RGB {
        colors[index(for: value)]
    }

    /// The colour for `value`, where 0 is the low end and 1 the high end.
    public func color(at value: Float) -> RGB {
        color(at: Double(value))
    }

    /// The table entry `value` selects (see the type's documentation for the rule).
    public func index(for value: Double) -> Int {
        guard value.isFinite else { return value == .infinity ? colors.count - 1 : 0 }
        let scaled = (value * Double(colors.count)).rounded(.down)
        return Int(min(max(scaled, 0), Double(colors.count - 1)))
    }

    /// matplotlib's default colour map: perceptually uniform, dark purple (68, 1, 84) at 0
    /// through teal to yellow (253, 231, 37) at 1.
    ///
    /// Built from matplotlib's published 256-entry table, each channel rounded to the nearest
    /// byte (the same as the table's usual hex form, `#440154` … `#fde725`; matplotlib's own
    /// `bytes=True` truncates instead and so can differ by 1 in a channel).
    public static let viridis: ColorMap = {
        var colors: [RGB] = []
        colors.reserveCapacity(256)
        for entry in 0 ..< viridisTable.count / 3 {
            func byte(_ channel: Int) -> UInt8 { UInt8((viridisTable[3 * entry + channel] * 255).rounded()) }
            colors.append(RGB(byte(0), byte(1), byte(2)))
        }
        return ColorMap(name: "viridis", colors: colors)!
    }()

    /// matplotlib's `gray`: 256 greys from black (0) to white (1); entry i is (i, i, i).
    public static let gray: ColorMap = ColorMap(
        name: "gray", colors: (0 ... 255).map { RGB(UInt8($0), UInt8($0), UInt8($0)) })!

    /// The built-in colour maps by name ("viridis", "gray"), for command-line options;
    /// nil for an unknown name.
    public static func named(_ name: String) -> ColorMap? {
        switch name.lowercased() {
        case "viridis": return .viridis
        case "gray", "grey": return .gray
        default: return nil
        }
    }
}
