/// Feature vectors drawn as line plots, each original with its reconstruction and the gap
/// between them shaded — how the TensorFlow autoencoder tutorial shows ECG beats — for data
/// that are not images (tables, signals).
///
/// One panel per sample, stacked; the original in blue, the reconstruction in red, the area
/// between them light red, and a title over each panel.
public struct SignalComparison: Sendable {
    /// One panel's curves and title.
    public struct Panel: Sendable {
        /// The sample's values.
        public var original: [Float]
        /// The model's output for it (as many values).
        public var reconstruction: [Float]
        /// Drawn over the panel, such as "sample 3, error 0.012".
        public var title: String

        /// Makes a panel.
        public init(original: [Float], reconstruction: [Float], title: String) {
            self.original = original
            self.reconstruction = reconstruction
            self.title = title
        }
    }

    /// The panels, top to bottom.
    public let panels: [Panel]
    /// The width of each panel's plot area in pixels.
    public let plotWidth: Int
    /// The height of each panel's plot area in pixels.
    public let plotHeight: Int

    private let margin = 10
    private let titleHeight = 18

    /// Checks the panels: at least one, each with two curves of the same positive length.
    ///
    /// - Throws: ``PictureInputError`` otherwise, or for a figure larger than a PNG may be.
    public init(panels: [Panel], plotWidth: Int = 560, plotHeight: Int = 120) throws {
        guard !panels.isEmpty else { throw PictureInputError("A signal comparison needs at least one sample.") }
        for (index, panel) in panels.enumerated() {
            guard !panel.original.isEmpty, panel.original.count == panel.reconstruction.count else {
                throw PictureInputError("Sample \(index + 1) has \(panel.original.count) values but its reconstruction "
                                        + "\(panel.reconstruction.count); a signal comparison needs as many, and at least one.")
            }
        }
        guard plotWidth > 0, plotHeight > 0,
              Double(plotWidth + 20) * Double(panels.count) * Double(plotHeight + 40) <= Double(PNG.maximumPixelCount) else {
            throw PictureInputError("A signal comparison of \(panels.count) samples at \(plotWidth)x\(plotHeight) is too large to draw.")
        }
        self.panels = panels
        self.plotWidth = plotWidth
        self.plotHeight = plotHeight
    }

    /// The picture's width in pixels.
    public var width: Int { plotWidth + 2 * margin }
    /// The picture's height in pixels.
    public var height: Int { margin + panels.count * (titleHeight + plotHeight + margin) }

    /// Draws the figure.
    public func render() -> RGBImage {
        var picture = RGBImage(width: width, height: height, filledWith: .white)
        let blue = RGB(31, 119, 180), red = RGB(214, 39, 40), shade = RGB(250, 200, 200), frame = RGB(190, 190, 190)
        for (index, panel) in panels.enumerated() {
            let top = margin + index * (titleHeight + plotHeight + margin) + titleHeight
            picture.drawText(panel.title, x: margin, y: top - titleHeight + 2, scale: 1, color: .black)
            let area = PixelRectangle(x: margin, y: top, width: plotWidth, height: plotHeight)
            let finite = (panel.original + panel.reconstruction).filter(\.isFinite)
            var low = Double(finite.min() ?? 0), high = Double(finite.max() ?? 1)
            if !(high > low) { low -= 0.5; high += 0.5 }
            /// The pixel row of a value (the top of the area is the highest value).
            func row(_ value: Float) -> Int {
                let t = value.isFinite ? (Double(value) - low) / (high - low) : 0
                return top + plotHeight - 1 - Int((t * Double(plotHeight - 1)).rounded())
            }
            /// The pixel column of feature `i`.
            func column(_ i: Int) -> Int {
                panel.original.count == 1 ? margin + plotWidth / 2
                    : margin + Int((Double(i) / Double(panel.original.count - 1) * Double(plotWidth - 1)).rounded())
            }
            // The gap, shaded column by column between the two curves (linearly between features).
            for x in 0..<plotWidth {
                let position = panel.original.count == 1 ? 0 : Double(x) / Double(plotWidth - 1) * Double(panel.original.count - 1)
                let i = min(Int(position), panel.original.count - 1), next = min(i + 1, panel.original.count - 1)
                let t = Float(position - Double(i))
                let a = row(panel.original[i] * (1 - t) + panel.original[next] * t)
                let b = row(panel.reconstruction[i] * (1 - t) + panel.reconstruction[next] * t)
                picture.fill(PixelRectangle(x: margin + x, y: min(a, b), width: 1, height: abs(a - b) + 1), with: shade)
            }
            picture.stroke(area, with: frame)
            for (values, color) in [(panel.original, blue), (panel.reconstruction, red)] {
                for i in 0..<max(values.count - 1, 1) {
                    let j = min(i + 1, values.count - 1)
                    picture.drawLine(fromX: column(i), y: row(values[i]), toX: column(j), y: row(values[j]), color: color, thickness: 2)
                }
            }
        }
        return picture
    }
}
