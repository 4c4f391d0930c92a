/// A small fixed-width pixel font (5×7 capitals and digits, lowercase with two-row descenders)
/// for tick numbers, axis titles and labels, drawn at any whole-number scale.
///
/// The module draws its own text so that figures need no font files or font libraries; the
/// glyph table at the bottom of this file is the whole font. It covers printable ASCII;
/// the Unicode minus sign `−` draws as `-`, and any other character draws as a hollow box.
public struct BitmapFont: Sendable {
    /// One character's pixels: `rows[r]` is row `r` from the top of the cell (rows 0–6 sit above
    /// the baseline, rows 7–8 hold descenders); bit 4 is the leftmost column, bit 0 the rightmost.
    public struct Glyph: Sendable, Hashable {
        /// Nine rows of five bits each.
        public let rows: [UInt8]

        /// Whether the pixel at `column` (0 = left) and `row` (0 = top) is ink.
        public func isInk(column: Int, row: Int) -> Bool {
            guard row >= 0, row < rows.count, column >= 0, column < 5 else { return false }
            return rows[row] & (1 << (4 - column)) != 0
        }
    }

    /// Width of a glyph's ink cell, in font pixels.
    public let glyphWidth = 5
    /// Rows above the baseline (capitals and digits fill all of them).
    public let ascent = 7
    /// Rows below the baseline, for descenders of g, j, p, q, y and commas.
    public let descent = 2
    /// Horizontal distance from one character to the next, in font pixels (one blank column).
    public let advance = 6

    private let glyphs: [Character: Glyph]
    private let missing: Glyph

    /// The module's one font, used by every figure.
    public static let standard = BitmapFont()

    private init() {
        var table: [Character: Glyph] = [:]
        for (character, pattern) in glyphPatterns {
            let rows = pattern.split(separator: " ").map { row -> UInt8 in
                precondition(row.count == 5, "Glyph '\(character)' has a row that is not 5 pixels wide.")
                return row.reduce(0) { ($0 << 1) | ($1 == "#" ? 1 : 0) }
            }
            precondition(rows.count <= 9, "Glyph '\(character)' has more than 9 rows.")
            table[character] = Glyph(rows: rows + Array(repeating: 0, count: 9 - rows.count))
        }
        table["\u{2212}"] = table["-"]
        glyphs = table
        missing = Glyph(rows: [0b11111, 0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b11111, 0, 0])
    }

    /// The glyph drawn for `character`: its own, or a hollow box when the font lacks it.
    public func glyph(for character: Character) -> Glyph {
        glyphs[character] ?? missing
    }

    /// Whether the font has a real glyph for `character` (rather than the hollow box).
    public func hasGlyph(for character: Character) -> Bool {
        glyphs[character] != nil
    }

    /// The width in pixels of `text` drawn at `scale`, without trailing spacing.
    public func width(of text: String, scale: Int = 1) -> Int {
        text.isEmpty ? 0 : ((text.count - 1) * advance + glyphWidth) * scale
    }

    /// The height in pixels of one line at `scale`, descenders included.
    public func lineHeight(scale: Int = 1) -> Int {
        (ascent + descent) * scale
    }
}

/// How a line of text is placed horizontally relative to its anchor point.
public enum HorizontalTextAlignment: Sendable {
    /// The text starts at the anchor.
    case left
    /// The text is centred on the anchor.
    case center
    /// The text ends at the anchor.
    case right
}

/// How a line of text is placed vertically relative to its anchor point.
public enum VerticalTextAlignment: Sendable {
    /// The top of the capitals is at the anchor.
    case top
    /// The middle of the capitals (digits) is at the anchor — for tick labels.
    case middle
    /// The baseline (bottom of capitals) is at the anchor.
    case baseline
}

/// The direction in which a line of text runs.
public enum TextDirection: Sendable {
    /// Ordinary text, left to right.
    case leftToRight
    /// Text turned a quarter turn anticlockwise, read from bottom to top — for a y-axis title.
    case bottomToTop
}

extension RGBImage {
    /// Draws one line of `text` in `font`, each font pixel a `scale`×`scale` square of `color`.
    ///
    /// The anchor `(x, y)` is placed by the alignments, measured along the text's own direction:
    /// for `.bottomToTop` text, "left" is the bottom end and "top" is the left side.
    /// Text crossing the picture's edge is clipped.
    public mutating func drawText(_ text: String, x: Int, y: Int, scale: Int = 1, color: RGB = .black,
                                  horizontalAlignment: HorizontalTextAlignment = .left,
                                  verticalAlignment: VerticalTextAlignment = .top,
                                  direction: TextDirection = .leftToRight,
                                  font: BitmapFont = .standard) {
        guard !text.isEmpty, scale > 0 else { return }
        let length = font.width(of: text, scale: scale)
        // Offsets of the text's top-left corner from the anchor, in text coordinates
        // (u along the text, v across it, downwards).
        let uStart: Int
        switch horizontalAlignment {
        case .left: uStart = 0
        case .center: uStart = -length / 2
        case .right: uStart = -length
        }
        let vStart: Int
        switch verticalAlignment {
        case .top: vStart = 0
        case .middle: vStart = -(font.ascent * scale) / 2
        case .baseline: vStart = -font.ascent * scale
        }
        for (index, character) in text.enumerated() {
            let glyph = font.glyph(for: character)
            let glyphU = uStart + index * font.advance * scale
            for row in 0 ..< font.ascent + font.descent {
                for column in 0 ..< font.glyphWidth where glyph.isInk(column: column, row: row) {
                    let u = glyphU + column * scale, v = vStart + row * scale
                    let square: PixelRectangle
                    switch direction {
                    case .leftToRight:
                        square = PixelRectangle(x: x + u, y: y + v, width: scale, height: scale)
                    case .bottomToTop:
                        square = PixelRectangle(x: x + v, y: y - u - scale, width: scale, height: scale)
                    }
                    fill(square, with: color)
                }
            }
        }
    }
}

/// The glyphs: seven (or, with descenders, nine) rows of five pixels, `#` for ink, top row first.
private let glyphPatterns: [(Character, String)] = [
    (" ", "..... ..... ..... ..... ..... ..... ....."),
    ("0", ".###. #...# #...# #...# #...# #...# .###."),
    ("1", "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###."),
    ("2", ".###. #...# ....# ...#. ..#.. .#... #####"),
    ("3", ".###. #...# ....# ..##. ....# #...# .###."),
    ("4", "...#. ..##. .#.#. #..#. ##### ...#. ...#."),
    ("5", "##### #.... ####. ....# ....# #...# .###."),
    ("6", "..##. .#... #.... ####. #...# #...# .###."),
    ("7", "##### ....# ...#. ..#.. .#... .#... .#..."),
    ("8", ".###. #...# #...# .###. #...# #...# .###."),
    ("9", ".###. #...# #...# .#### ....# ...#. .##.."),
    ("A", ".###. #...# #...# ##### #...# #...# #...#"),
    ("B", "####. #...# #...# ####. #...# #...# ####."),
    ("C", ".###. #...# #.... #.... #.... #...# .###."),
    ("D", "####. #...# #...# #...# #...# #...# ####."),
    ("E", "##### #.... #.... ####. #.... #.... #####"),
    ("F", "##### #.... #.... ####. #.... #.... #...."),
    ("G", ".###. #...# #.... #.### #...# #...# .####"),
    ("H", "#...# #...# #...# ##### #...# #...# #...#"),
    ("I", ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###."),
    ("J", "..### ...#. ...#. ...#. ...#. #..#. .##.."),
    ("K", "#...# #..#. #.#.. ##... #.#.. #..#. #...#"),
    ("L", "#.... #.... #.... #.... #.... #.... #####"),
    ("M", "#...# ##.## #.#.# #.#.# #...# #...# #...#"),
    ("N", "#...# #...# ##..# #.#.# #..## #...# #...#"),
    ("O", ".###. #...# #...# #...# #...# #...# .###."),
    ("P", "####. #...# #...# ####. #.... #.... #...."),
    ("Q", ".###. #...# #...# #...# #.#.# #..#. .##.#"),
    ("R", "####. #...# #...# ####. #.#.. #..#. #...#"),
    ("S", ".###. #...# #.... .###. ....# #...# .###."),
    ("T", "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#.."),
    ("U", "#...# #...# #...# #...# #...# #...# .###."),
    ("V", "#...# #...# #...# #...# #...# .#.#. ..#.."),
    ("W", "#...# #...# #...# #.#.# #.#.# #.#.# .#.#."),
    ("X", "#...# #...# .#.#. ..#.. .#.#. #...# #...#"),
    ("Y", "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#.."),
    ("Z", "##### ....# ...#. ..#.. .#... #.... #####"),
    ("a", "..... ..... .###. ....# .#### #...# .####"),
    ("b", "#.... #.... #.##. ##..# #...# #...# ####."),
    ("c", "..... ..... .###. #.... #.... #...# .###."),
    ("d", "....# ....# .##.# #..## #...# #...# .####"),
    ("e", "..... ..... .###. #...# ##### #.... .###."),
    ("f", "..##. .#..# .#... ###.. .#... .#... .#..."),
    ("g", "..... ..... .#### #...# #...# #...# .#### ....# .###."),
    ("h", "#.... #.... #.##. ##..# #...# #...# #...#"),
    ("i", "..#.. ..... .##.. ..#.. ..#.. ..#.. .###."),
    ("j", "...#. ..... ..##. ...#. ...#. ...#. ...#. #..#. .##.."),
    ("k", "#.... #.... #..#. #.#.. ##... #.#.. #..#."),
    ("l", ".##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###."),
    ("m", "..... ..... ##.#. #.#.# #.#.# #.#.# #.#.#"),
    ("n", "..... ..... #.##. ##..# #...# #...# #...#"),
    ("o", "..... ..... .###. #...# #...# #...# .###."),
    ("p", "..... ..... ####. #...# #...# #...# ####. #.... #...."),
    ("q", "..... ..... .#### #...# #...# #...# .#### ....# ....#"),
    ("r", "..... ..... #.##. ##..# #.... #.... #...."),
    ("s", "..... ..... .###. #.... .###. ....# ####."),
    ("t", ".#... .#... ###.. .#... .#... .#..# ..##."),
    ("u", "..... ..... #...# #...# #...# #..## .##.#"),
    ("v", "..... ..... #...# #...# #...# .#.#. ..#.."),
    ("w", "..... ..... #...# #...# #.#.# #.#.# .#.#."),
    ("x", "..... ..... #...# .#.#. ..#.. .#.#. #...#"),
    ("y", "..... ..... #...# #...# #...# #...# .#### ....# .###."),
    ("z", "..... ..... ##### ...#. ..#.. .#... #####"),
    ("!", "..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#.."),
    ("\"", ".#.#. .#.#. ..... ..... ..... ..... ....."),
    ("#", ".#.#. .#.#. ##### .#.#. ##### .#.#. .#.#."),
    ("$", "..#.. .#### #.#.. .###. ..#.# ####. ..#.."),
    ("%", "##..# ##..# ...#. ..#.. .#... #..## #..##"),
    ("&", ".##.. #..#. #.#.. .#... #.#.# #..#. .##.#"),
    ("'", "..#.. ..#.. ..... ..... ..... ..... ....."),
    ("(", "...#. ..#.. .#... .#... .#... ..#.. ...#."),
    (")", ".#... ..#.. ...#. ...#. ...#. ..#.. .#..."),
    ("*", "..... ..#.. #.#.# .###. #.#.# ..#.. ....."),
    ("+", "..... ..#.. ..#.. ##### ..#.. ..#.. ....."),
    (",", "..... ..... ..... ..... ..... .##.. .##.. ..#.. .#..."),
    ("-", "..... ..... ..... ##### ..... ..... ....."),
    (".", "..... ..... ..... ..... ..... .##.. .##.."),
    ("/", "..... ....# ...#. ..#.. .#... #.... ....."),
    (":", "..... .##.. .##.. ..... .##.. .##.. ....."),
    (";", "..... .##.. .##.. ..... ..... .##.. .##.. ..#.. .#..."),
    ("<", "...#. ..#.. .#... #.... .#... ..#.. ...#."),
    ("=", "..... ..... ##### ..... ##### ..... ....."),
    (">", ".#... ..#.. ...#. ....# ...#. ..#.. .#..."),
    ("?", ".###. #...# ....# ...#. ..#.. ..... ..#.."),
    ("@", ".###. #...# ....# .##.# #.#.# #.#.# .###."),
    ("[", ".###. .#... .#... .#... .#... .#... .###."),
    ("\\", "..... #.... .#... ..#.. ...#. ....# ....."),
    ("]", ".###. ...#. ...#. ...#. ...#. ...#. .###."),
    ("^", "..#.. .#.#. #...# ..... ..... ..... ....."),
    ("_", "..... ..... ..... ..... ..... ..... ..... #####"),
    ("`", ".#... ..#.. ...#. ..... ..... ..... ....."),
    ("{", "...#. ..#.. ..#.. .#... ..#.. ..#.. ...#."),
    ("|", "..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#.."),
    ("}", ".#... ..#.. ..#.. ...#. ..#.. ..#.. .#..."),
    ("~", "..... ..... .#... #.#.# ...#. ..... ....."),
]
