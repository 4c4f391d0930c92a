import Testing
@testable import AutoencoderPictures

@Suite("Bitmap font and drawing")
struct BitmapFontTests {
    @Test("Every digit and the characters of numbers have a distinct glyph")
    func digitsHaveGlyphs() {
        let font = BitmapFont.standard
        let characters = Array("0123456789-.e+")
        for character in characters { #expect(font.hasGlyph(for: character)) }
        let glyphs = Set(characters.map { font.glyph(for: $0) })
        #expect(glyphs.count == characters.count)
        #expect(!font.hasGlyph(for: "€"))
        #expect(font.glyph(for: "\u{2212}") == font.glyph(for: "-"))
    }

    @Test("Rendered digits put ink exactly where the glyph says, scaled")
    func rendersDigits() {
        let font = BitmapFont.standard
        var image = RGBImage(width: 200, height: 40)
        image.drawText("0123456789", x: 10, y: 5, scale: 3)
        #expect(font.width(of: "0123456789", scale: 3) == (9 * 6 + 5) * 3)
        for (index, character) in "0123456789".enumerated() {
            let glyph = font.glyph(for: character)
            for row in 0 ..< 7 {
                for column in 0 ..< 5 {
                    let x = 10 + (index * 6 + column) * 3 + 1, y = 5 + row * 3 + 1
                    #expect((image[x, y] == .black) == glyph.isInk(column: column, row: row))
                }
            }
        }
        // Nothing outside the text's box.
        #expect(image[9, 10] == .white && image[10 + 59 * 3, 10] == .white)
    }

    @Test("Upward text is the horizontal text turned a quarter turn anticlockwise")
    func upwardText() {
        var across = RGBImage(width: 40, height: 20)
        across.drawText("7a", x: 0, y: 0, scale: 2)
        var up = RGBImage(width: 20, height: 40)
        up.drawText("7a", x: 0, y: 40, scale: 2, direction: .bottomToTop)
        for y in 0 ..< 20 {
            for x in 0 ..< 40 { #expect(across[x, y] == up[y, 39 - x]) }
        }
    }

    @Test("Alignment places the anchor at the right end or centre")
    func alignment() {
        var image = RGBImage(width: 60, height: 20)
        image.drawText("1", x: 30, y: 10, scale: 2, horizontalAlignment: .right, verticalAlignment: .middle)
        let inked = (0 ..< 60).flatMap { x in (0 ..< 20).map { (x, $0) } }.filter { image[$0.0, $0.1] == .black }
        #expect(inked.map(\.0).max() == 29 - 2)  // "1" has no ink in its last column
        #expect(inked.map(\.1).min() == 10 - 7 && inked.map(\.1).max() == 10 - 7 + 13)
    }

    @Test("Shapes clip at the picture's edge and discs blend")
    func shapes() {
        var image = RGBImage(width: 10, height: 10)
        image.fill(PixelRectangle(x: -5, y: 8, width: 100, height: 100), with: .black)
        #expect(image[0, 9] == .black && image[9, 8] == .black && image[0, 7] == .white)
        image.fillDisc(centerX: 5, centerY: 4, radius: 2, color: .black, opacity: 0.5)
        #expect(image[4, 3] == RGB(128, 128, 128))
        #expect(image[0, 0] == .white)
        image.drawLine(fromX: 0, y: 0, toX: 9, y: 0, color: RGB(1, 2, 3))
        #expect((0 ..< 10).allSatisfy { image[$0, 0] == RGB(1, 2, 3) })
        image.stroke(PixelRectangle(x: 2, y: 2, width: 3, height: 3), with: RGB(9, 9, 9))
        #expect(image[2, 2] == RGB(9, 9, 9) && image[4, 4] == RGB(9, 9, 9) && image[3, 3] != RGB(9, 9, 9))
        #expect(RGBImage(width: 2, height: 2, bytes: [1, 2, 3]) == nil)
    }
}
