import Foundation
import Testing
@testable import AutoencoderPictures

@Suite("Line plots and histograms")
struct LinePlotTests {
    /// How many pixels of the plot area have exactly `color`.
    func count(_ color: RGB, in image: RGBImage, within area: PixelRectangle) -> Int {
        var total = 0
        for y in area.y ..< area.maxY {
            for x in area.x ..< area.maxX where image[x, y] == color { total += 1 }
        }
        return total
    }

    @Test("Two named series are drawn in their own colours, with a legend, at the size asked")
    func twoSeries() throws {
        let epochs = (1...20).map(Double.init)
        let plot = try LinePlot(series: [
            .init(name: "training", x: epochs, y: epochs.map { 0.1 / $0 }),
            .init(name: "validation", x: epochs, y: epochs.map { 0.12 / $0 }),
        ], width: 800, height: 600, title: "Loss per epoch", xAxisTitle: "epoch", yAxisTitle: "loss")
        let image = plot.render()
        #expect(image.width == 800 && image.height == 600)
        let area = plot.plotRectangle
        #expect(count(LinePlot.palette[0], in: image, within: area) > 300)
        #expect(count(LinePlot.palette[1], in: image, within: area) > 300)
        // The frame is black and the outside white.
        #expect(image[area.x - 1, area.y + area.height / 2] == .black)
        #expect(image[2, 2] == .white)
        // The first point is at the top left of the data, the last at the bottom right.
        let top = image[area.x + area.width / 20, area.y + area.height / 20]
        #expect(top != .white || count(LinePlot.palette[1], in: image, within: PixelRectangle(
            x: area.x, y: area.y, width: area.width / 8, height: area.height / 4)) > 0)
    }

    @Test("A logarithmic axis spreads values over decades evenly and drops values of 0 or below")
    func logarithmicAxis() throws {
        let x = [1.0, 2, 3, 4]
        let plot = try LinePlot(series: [.init(name: "loss", x: x, y: [1, 0.1, 0.01, 0])], logScaleY: true)
        let axes = plot.axes
        // Equal ratios are equal distances.
        let a = axes.pixelY(1) - axes.pixelY(0.1), b = axes.pixelY(0.1) - axes.pixelY(0.01)
        #expect(abs(a - b) < 1e-9)
        #expect(axes.yTicks.map(\.label) == ["0.01", "0.1", "1"])
        _ = plot.render()
    }

    @Test("Whole-number x values (epochs) get whole-number ticks")
    func epochTicks() throws {
        let plot = try LinePlot(series: [.init(name: "loss", x: [1, 2, 3], y: [3, 2, 1])])
        #expect(plot.axes.xTicks.values == [1, 2, 3])
    }

    @Test("The loss picture's rule: a logarithmic axis past a factor of 20")
    func spanRule() {
        #expect(LinePlot.spansMoreThan(20, [0.5, 0.02]))
        #expect(!LinePlot.spansMoreThan(20, [0.5, 0.03, 0, .nan]))
        #expect(!LinePlot.spansMoreThan(20, []))
    }

    @Test("Series of unequal lengths and tiny pictures are refused in one sentence")
    func refusals() {
        #expect(throws: PictureInputError("The line 'a' needs one y per x, but has 2 x values and 1 y values.")) {
            try LinePlot(series: [.init(name: "a", x: [1, 2], y: [1])])
        }
        #expect(throws: PictureInputError("A line plot needs at least 200x150 pixels, not 100x100.")) {
            try LinePlot(series: [], width: 100, height: 100)
        }
        #expect(throws: PictureInputError("A histogram needs between 1 and 1000 bins, not 0.")) {
            try Histogram(.init(name: "a", values: [1]), .init(name: "b", values: [2]), binCount: 0)
        }
    }

    @Test("A histogram shows both distributions and a red threshold line where it belongs")
    func histogram() throws {
        let normal = (0..<1000).map { 0.01 + 0.02 * Double($0 % 100) / 100 }
        let anomalous = (0..<100).map { 0.05 + 0.05 * Double($0) / 100 }
        let histogram = try Histogram(.init(name: "normal", values: normal), .init(name: "anomalous", values: anomalous),
                                      threshold: 0.04, binCount: 40, width: 800, height: 600)
        #expect(abs(histogram.shares(of: normal).reduce(0, +) - 1) < 1e-12)
        // The bins run from the smallest value to the largest (the last anomalous error).
        #expect(histogram.binEdges.first == 0.01 && histogram.binEdges.last == 0.05 + 0.05 * 99 / 100)
        let image = histogram.render()
        let area = histogram.plotRectangle
        #expect(image.width == 800 && image.height == 600)
        // The threshold's column is red from top to bottom (under the legend, which is at the right).
        let column = Int(histogram.axes.pixelX(0.04).rounded())
        #expect(image[column, area.maxY - 2] == Histogram.thresholdColor)
        // Bars left of the threshold are the normal errors' blue, right of it the anomalies' orange.
        let blue = LinePlot.palette[0].blended(over: .white, opacity: 0.5)
        let orange = LinePlot.palette[1].blended(over: .white, opacity: 0.5)
        #expect(image[Int(histogram.axes.pixelX(0.02).rounded()), area.maxY - 2] == blue)
        #expect(image[Int(histogram.axes.pixelX(0.08).rounded()), area.maxY - 2] == orange)
    }

    @Test("Pictures go through the PNG writer unchanged")
    func pngRoundTrip() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let image = try LinePlot(series: [.init(name: "a", x: [0, 1], y: [0, 1])], width: 300, height: 200).render()
        let url = folder.url.appendingPathComponent("line.png")
        try PNG.write(image, to: url)
        #expect(try PNG.read(from: url) == image)
    }
}
