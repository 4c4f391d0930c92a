import Foundation
import Testing
@testable import AutoencoderPictures

/// Ten Gaussian clusters of `perLabel` points each, labelled 0–9, from a fixed seed.
func gaussianClusters(perLabel: Int = 1000) -> (x: [Float], y: [Float], labels: [Int]) {
    var generator = SplitMix64(seed: 42)
    var xs: [Float] = [], ys: [Float] = [], labels: [Int] = []
    for index in 0 ..< 10 * perLabel {
        let label = index % 10
        let angle = Double(label) / 10 * 2 * Double.pi
        let (a, b) = generator.nextGaussianPair()
        xs.append(Float(6 * cos(angle) + 1.1 * a + 2))
        ys.append(Float(4 * sin(angle) + 0.8 * b - 1))
        labels.append(label)
    }
    return (xs, ys, labels)
}

/// A small deterministic random-number generator, so test pictures never change.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Two independent standard normal numbers (Box–Muller).
    mutating func nextGaussianPair() -> (Double, Double) {
        let u = Double.random(in: Double.ulpOfOne ..< 1, using: &self)
        let v = Double.random(in: 0 ..< 1, using: &self)
        let r = (-2 * log(u)).squareRoot()
        return (r * cos(2 * .pi * v), r * sin(2 * .pi * v))
    }
}

@Suite("Scatter plots")
struct ScatterPlotTests {
    @Test("10,000 labelled points make a large plot showing every label colour")
    func tutorialScatter() throws {
        let data = gaussianClusters()
        let plot = try ScatterPlot(x: data.x, y: data.y, labels: data.labels)
        let image = plot.render()
        #expect(image.width >= 800 && image.height >= 600)
        #expect(plot.skippedPointCount == 0)

        // Markers are semi-transparent, so look for colours close to each label's colour
        // inside the plot area.
        let area = plot.plotRectangle
        let labelColors = (0 ..< 10).map { plot.color(forLabel: $0) }
        var seen = Set<Int>()
        for y in stride(from: area.y, to: area.maxY, by: 2) {
            for x in stride(from: area.x, to: area.maxX, by: 2) {
                let pixel = image[x, y]
                for label in 0 ..< 10 where !seen.contains(label) && distance(pixel, labelColors[label]) < 24 {
                    seen.insert(label)
                }
            }
        }
        #expect(seen.count == 10, "saw label colours \(seen.sorted())")
        #expect(image[2, 2] == .white)
    }

    @Test("Labels are spread over the whole colour map, and so is the colour bar")
    func labelColours() throws {
        let data = gaussianClusters(perLabel: 10)
        let plot = try ScatterPlot(x: data.x, y: data.y, labels: data.labels)
        #expect(plot.color(forLabel: 0) == RGB(68, 1, 84))
        #expect(plot.color(forLabel: 9) == RGB(253, 231, 37))
        #expect(plot.color(forLabel: 1) == ColorMap.viridis.colors[28])
        let image = plot.render()
        let bar = plot.colorBarRectangle
        #expect(bar.minXIsRightOf(plot.plotRectangle))
        #expect(image[bar.x + bar.width / 2, bar.y] == RGB(253, 231, 37))
        #expect(image[bar.x + bar.width / 2, bar.maxY - 1] == RGB(68, 1, 84))
        // Ten tick labels (0 … 9) to the right of the bar: dark pixels there.
        var dark = 0
        for y in bar.y ..< bar.maxY {
            for x in bar.maxX + 2 ..< min(bar.maxX + 60, image.width) where image[x, y] == .black { dark += 1 }
        }
        #expect(dark > 300)
    }

    @Test("NaN and infinite points are skipped; identical points still plot")
    func degenerateData() throws {
        let plot = try ScatterPlot(x: [1, .nan, 3, .infinity], y: [1, 2, -.infinity, 4], labels: [0, 1, 2, 3])
        #expect(plot.skippedPointCount == 3)
        _ = plot.render()

        let same = try ScatterPlot(x: [2, 2, 2], y: [5, 5, 5], labels: [4, 4, 4], markerOpacity: 1)
        let image = same.render()
        let area = same.plotRectangle
        // The single location is in the middle of the plot, in the middle colour.
        let centre = image[area.x + area.width / 2, area.y + area.height / 2]
        #expect(centre == ColorMap.viridis.color(at: 0.5))

        let empty = try ScatterPlot(x: [], y: [], labels: [])
        #expect(empty.render().width == 1000)

        // Extreme values and labels still lay out.
        let extreme = try ScatterPlot(x: [-.greatestFiniteMagnitude, .greatestFiniteMagnitude], y: [0, 1e-30],
                                      labels: [.min, .max], width: 800, height: 600)
        #expect(extreme.render().height == 600)
    }

    @Test("Mismatched lengths and tiny sizes are refused")
    func invalidInput() {
        let error = #expect(throws: PictureInputError.self) { try ScatterPlot(x: [1, 2], y: [1], labels: [0, 1]) }
        #expect(error?.description == "A scatter plot needs one x, one y and one label per point, "
                + "but got 2 x values, 1 y values and 2 labels.")
        #expect(throws: PictureInputError.self) { try ScatterPlot(x: [], y: [], labels: [], width: 100) }
    }

    @Test("Axis ticks use 1-2-5 steps and readable labels")
    func ticks() {
        let ticks = AxisTicks(low: -0.37, high: 9.41, maximumCount: 8)
        #expect(ticks.values == [0, 2, 4, 6, 8])
        #expect(ticks.labels == ["0", "2", "4", "6", "8"])
        let small = AxisTicks(low: -0.26, high: 0.31, maximumCount: 7)
        #expect(small.labels == ["-0.2", "-0.1", "0.0", "0.1", "0.2", "0.3"])
        let large = AxisTicks(low: 0, high: 3.2e7, maximumCount: 5)
        #expect(large.labels == ["0", "1e7", "2e7", "3e7"])
        let fives = AxisTicks(low: 3, high: 27, maximumCount: 6)
        #expect(fives.values == [5, 10, 15, 20, 25])
    }
}

private func distance(_ a: RGB, _ b: RGB) -> Int {
    abs(Int(a.red) - Int(b.red)) + abs(Int(a.green) - Int(b.green)) + abs(Int(a.blue) - Int(b.blue))
}

private extension PixelRectangle {
    func minXIsRightOf(_ other: PixelRectangle) -> Bool { x > other.maxX }
}
