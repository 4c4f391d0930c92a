import Testing
@testable import AutoencoderPictures

@Suite("Colour maps")
struct ColorMapTests {
    @Test("viridis has matplotlib's 256 entries and endpoints")
    func viridisEndpoints() {
        #expect(ColorMap.viridis.colors.count == 256)
        #expect(ColorMap.viridis.color(at: Float(0)) == RGB(68, 1, 84))
        #expect(ColorMap.viridis.color(at: Float(1)) == RGB(253, 231, 37))
        // The hex form of the published table: #440154, #21918c (the middle), #fde725.
        #expect(ColorMap.viridis.colors[128] == RGB(0x21, 0x91, 0x8C))
    }

    @Test("gray runs from black to white")
    func grayEndpoints() {
        #expect(ColorMap.gray.color(at: 0.0) == .black)
        #expect(ColorMap.gray.color(at: 1.0) == .white)
        #expect(ColorMap.gray.color(at: 0.5) == RGB(128, 128, 128))
    }

    @Test("Lookup follows matplotlib: floor(v · N), clamped, NaN to the low end")
    func lookupRule() {
        let viridis = ColorMap.viridis
        #expect(viridis.index(for: 1.0 / 9.0) == 28)
        #expect(viridis.index(for: 0.999) == 255)
        #expect(viridis.index(for: 1.0) == 255)
        #expect(viridis.index(for: 0.5) == 128)
        #expect(viridis.color(at: -3.0) == viridis.color(at: 0.0))
        #expect(viridis.color(at: 7.0) == viridis.color(at: 1.0))
        #expect(viridis.color(at: Double.nan) == viridis.color(at: 0.0))
        #expect(viridis.color(at: Double.infinity) == viridis.color(at: 1.0))
    }

    @Test("Colour maps are found by name")
    func namedMaps() {
        #expect(ColorMap.named("viridis") == .viridis)
        #expect(ColorMap.named("Gray") == .gray)
        #expect(ColorMap.named("jet") == nil)
        #expect(ColorMap(name: "empty", colors: []) == nil)
    }

    @Test("Blending mixes colours by opacity")
    func blending() {
        #expect(RGB.black.blended(over: .white, opacity: 0.5) == RGB(128, 128, 128))
        #expect(RGB.black.blended(over: .white, opacity: 0) == .white)
        #expect(RGB.black.blended(over: .white, opacity: 1) == .black)
    }
}
