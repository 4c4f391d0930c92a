import Foundation
import Testing
@testable import AutoencoderPictures

/// Writes sample figures for a person to look at, only when `PICTURES_SAMPLE_DIR` names a
/// folder: `PICTURES_SAMPLE_DIR=/tmp swift test --filter SamplePictures`.
@Suite("Sample pictures", .enabled(if: ProcessInfo.processInfo.environment["PICTURES_SAMPLE_DIR"] != nil))
struct SamplePictureTests {
    let folder = URL(fileURLWithPath: ProcessInfo.processInfo.environment["PICTURES_SAMPLE_DIR"] ?? "/tmp")

    @Test("Scatter of ten Gaussian clusters")
    func scatter() throws {
        let data = gaussianClusters()
        let plot = try ScatterPlot(x: data.x, y: data.y, labels: data.labels)
        try PNG.write(plot.render(), to: folder.appendingPathComponent("pictures-sample-scatter.png"))
        let titled = try ScatterPlot(x: data.x.map { $0 * 1000 }, y: data.y.map { $0 / 100 }, labels: data.labels,
                                     title: "Latent space of the test digits",
                                     xAxisTitle: "code 1", yAxisTitle: "code 2", colorBarTitle: "digit")
        try PNG.write(titled.render(), to: folder.appendingPathComponent("pictures-sample-scatter-titled.png"))
        let degenerate = try ScatterPlot(x: [2, 2, 2, .nan], y: [-3, -3, -3, 1], labels: [0, 5, 9, 1],
                                         width: 800, height: 600, title: "Identical points")
        try PNG.write(degenerate.render(), to: folder.appendingPathComponent("pictures-sample-scatter-degenerate.png"))
    }

    @Test("Grid of synthetic digits, 2×10, and a 15×15 sweep")
    func grids() throws {
        var generator = SplitMix64(seed: 7)
        func ring(radius: Double, blur: Double) -> [Float] {
            (0 ..< 784).map { index in
                let dx = Double(index % 28) - 13.5, dy = Double(index / 28) - 13.5
                let distance = abs((dx * dx + dy * dy).squareRoot() - radius)
                return Float(max(0, 1 - distance / blur))
            }
        }
        let originals = (0 ..< 10).map { _ in ring(radius: Double.random(in: 5 ... 10, using: &generator), blur: 2) }
        let reconstructions = originals.map { image in
            image.map { min(1, max(0, $0 * 0.8 + Float.random(in: 0 ... 0.15, using: &generator))) }
        }
        let grid = try ImageGrid(rows: [originals, reconstructions], rowTitles: ["original", "reconstructed"])
        try PNG.write(grid.render(), to: folder.appendingPathComponent("pictures-sample-grid.png"))
        let gray = try ImageGrid(rows: [originals, reconstructions], colorMap: .gray)
        try PNG.write(gray.render(), to: folder.appendingPathComponent("pictures-sample-grid-gray.png"))

        let sweep = (0 ..< 15).map { row in
            (0 ..< 15).map { column in ring(radius: 3 + Double(column) * 0.6, blur: 1 + Double(row) * 0.25) }
        }
        let sweepGrid = try ImageGrid(rows: sweep, scale: 2, gap: 0, colorMap: .gray)
        try PNG.write(sweepGrid.render(), to: folder.appendingPathComponent("pictures-sample-sweep.png"))
    }
}
