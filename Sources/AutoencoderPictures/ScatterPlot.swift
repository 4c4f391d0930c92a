import Foundation

/// A scatter plot of 2-D points coloured by integer label, with a colour bar — the tutorial's
/// `plt.scatter(codes[:, 0], codes[:, 1], c=labels); plt.colorbar()`.
///
/// As in matplotlib, the labels are spread over the whole colour map (the smallest label gets
/// the low end, the largest the high end) and the colour bar is continuous, with a tick at each
/// label when there are at most 20 distinct whole-number steps. The axes span the data plus a
/// 5% margin and carry 1-2-5 tick values. Markers are small, anti-aliased and semi-transparent
/// so that dense clusters stay readable; they are drawn in the order given.
///
/// Points with a NaN or infinite coordinate cannot be placed and are skipped (counted in
/// ``skippedPointCount``); with no drawable point the axes show the range 0 to 1.
/// When all points coincide, the axes are widened around them as matplotlib does.
///
/// Usage: `let image = try ScatterPlot(x: xs, y: ys, labels: digits).render()`.
public struct ScatterPlot: Sendable {
    /// The horizontal coordinate of each point.
    public let x: [Float]
    /// The vertical coordinate of each point.
    public let y: [Float]
    /// The label of each point, which picks its colour.
    public let labels: [Int]
    /// The width of the picture in pixels.
    public let width: Int
    /// The height of the picture in pixels.
    public let height: Int
    /// A title above the plot, or nil.
    public let title: String?
    /// A title under the horizontal axis, or nil.
    public let xAxisTitle: String?
    /// A title beside the vertical axis (reading upwards), or nil.
    public let yAxisTitle: String?
    /// A title beside the colour bar (reading upwards), or nil.
    public let colorBarTitle: String?
    /// The colour map the labels are drawn through.
    public let colorMap: ColorMap
    /// The radius of each marker in pixels.
    public let markerRadius: Double
    /// The opacity of each marker, from 0 (invisible) to 1 (solid).
    public let markerOpacity: Double
    /// The colour bar's range, worked out once from the labels.
    private let labelScale: LabelScale

    /// Makes a scatter plot.
    ///
    /// - Parameters:
    ///   - x: the horizontal coordinate of each point.
    ///   - y: the vertical coordinate of each point.
    ///   - labels: each point's label (a digit, for MNIST), one per point.
    ///   - width: picture width in pixels, at least 200 (matplotlib's look at 1000×750).
    ///   - height: picture height in pixels, at least 150.
    ///   - title: an optional title above the plot.
    ///   - xAxisTitle: an optional title under the horizontal axis.
    ///   - yAxisTitle: an optional title beside the vertical axis.
    ///   - colorBarTitle: an optional title beside the colour bar, such as "digit".
    ///   - colorMap: viridis, matplotlib's default, unless told.
    ///   - markerRadius: marker radius in pixels; small, so 10,000 points stay apart.
    ///   - markerOpacity: marker opacity in (0, 1]; below 1 so that density shows.
    /// - Throws: ``PictureInputError`` when `x`, `y` and `labels` differ in length, the size is
    ///   too small to lay out, or the marker settings are out of range.
    public init(x: [Float], y: [Float], labels: [Int], width: Int = 1000, height: Int = 750,
                title: String? = nil, xAxisTitle: String? = nil, yAxisTitle: String? = nil,
                colorBarTitle: String? = nil, colorMap: ColorMap = .viridis,
                markerRadius: Double = 2.5, markerOpacity: Double = 0.55) throws {
        guard x.count == y.count, x.count == labels.count else {
            throw PictureInputError("A scatter plot needs one x, one y and one label per point, "
                                    + "but got \(x.count) x values, \(y.count) y values and \(labels.count) labels.")
        }
        guard width >= 200, height >= 150 else {
            throw PictureInputError("A scatter plot needs at least 200x150 pixels, not \(width)x\(height).")
        }
        guard markerRadius > 0, markerRadius.isFinite, markerOpacity > 0, markerOpacity <= 1 else {
            throw PictureInputError("A scatter plot needs a positive marker radius and an opacity in (0, 1], "
                                    + "not \(markerRadius) and \(markerOpacity).")
        }
        self.x = x
        self.y = y
        self.labels = labels
        self.width = width
        self.height = height
        self.title = title
        self.xAxisTitle = xAxisTitle
        self.yAxisTitle = yAxisTitle
        self.colorBarTitle = colorBarTitle
        self.colorMap = colorMap
        self.markerRadius = markerRadius
        self.markerOpacity = markerOpacity
        self.labelScale = Self.labelScale(for: labels)
    }

    /// How many points have a NaN or infinite coordinate and are therefore left out of the plot.
    public var skippedPointCount: Int {
        zip(x, y).reduce(0) { $0 + ($1.0.isFinite && $1.1.isFinite ? 0 : 1) }
    }

    /// The colour a point with `label` is drawn in: its place between the smallest and the
    /// largest label, through the colour map (a lone label value takes the middle colour).
    public func color(forLabel label: Int) -> RGB {
        colorMap.color(at: labelScale.position(of: Double(label)))
    }

    /// The rectangle inside the axes where points are drawn.
    public var plotRectangle: PixelRectangle { layout.plot }

    /// The rectangle of the colour bar's gradient.
    public var colorBarRectangle: PixelRectangle { layout.colorBar }

    /// Draws the figure.
    public func render() -> RGBImage {
        let layout = self.layout
        let style = layout.style
        var picture = RGBImage(width: width, height: height, filledWith: .white)
        let plot = layout.plot

        // Points, clipped to the plot area, in the order given.
        var colorCache: [Int: RGB] = [:]
        for index in x.indices {
            let px = Double(x[index]), py = Double(y[index])
            guard px.isFinite, py.isFinite else { continue }
            let label = labels[index]
            let color: RGB
            if let cached = colorCache[label] {
                color = cached
            } else {
                color = colorMap.color(at: labelScale.position(of: Double(label)))
                colorCache[label] = color
            }
            picture.fillDisc(centerX: layout.horizontal.pixel(for: px), centerY: layout.vertical.pixel(for: py),
                             radius: markerRadius, color: color, opacity: markerOpacity, clippedTo: plot)
        }

        // Axes: frame, ticks outside it, tick labels.
        let line = style.lineWidth
        picture.stroke(PixelRectangle(x: plot.x - line, y: plot.y - line,
                                      width: plot.width + 2 * line, height: plot.height + 2 * line),
                       with: .black, thickness: line)
        for (value, label) in zip(layout.xTicks.values, layout.xTicks.labels) {
            let column = tickCoordinate(layout.horizontal.pixel(for: value), within: plot.x ..< plot.maxX)
            picture.fill(PixelRectangle(x: column - line / 2, y: plot.maxY + line,
                                        width: line, height: style.tickLength), with: .black)
            picture.drawText(label, x: column, y: plot.maxY + line + style.tickLength + style.labelPadding,
                             scale: style.fontScale, horizontalAlignment: .center, verticalAlignment: .top)
        }
        for (value, label) in zip(layout.yTicks.values, layout.yTicks.labels) {
            let row = tickCoordinate(layout.vertical.pixel(for: value), within: plot.y ..< plot.maxY)
            picture.fill(PixelRectangle(x: plot.x - line - style.tickLength, y: row - line / 2,
                                        width: style.tickLength, height: line), with: .black)
            picture.drawText(label, x: plot.x - line - style.tickLength - style.labelPadding, y: row,
                             scale: style.fontScale, horizontalAlignment: .right, verticalAlignment: .middle)
        }

        // Colour bar: a continuous gradient from the smallest label (bottom) to the largest (top).
        let bar = layout.colorBar
        for row in bar.y ..< bar.maxY {
            let fraction = 1 - (Double(row - bar.y) + 0.5) / Double(bar.height)
            let value = labelScale.low + fraction * (labelScale.high - labelScale.low)
            picture.fill(PixelRectangle(x: bar.x, y: row, width: bar.width, height: 1),
                         with: colorMap.color(at: labelScale.position(of: value)))
        }
        picture.stroke(PixelRectangle(x: bar.x - line, y: bar.y - line,
                                      width: bar.width + 2 * line, height: bar.height + 2 * line),
                       with: .black, thickness: line)
        for (value, label) in zip(layout.colorBarTicks.values, layout.colorBarTicks.labels) {
            let fraction = (value - labelScale.low) / (labelScale.high - labelScale.low)
            let row = tickCoordinate(Double(bar.maxY) - fraction * Double(bar.height), within: bar.y ..< bar.maxY)
            picture.fill(PixelRectangle(x: bar.maxX + line, y: row - line / 2,
                                        width: style.tickLength, height: line), with: .black)
            picture.drawText(label, x: bar.maxX + line + style.tickLength + style.labelPadding, y: row,
                             scale: style.fontScale, horizontalAlignment: .left, verticalAlignment: .middle)
        }

        // Titles.
        if let title, !title.isEmpty {
            picture.drawText(title, x: plot.x + plot.width / 2, y: plot.y - line - style.titlePadding,
                             scale: style.titleScale, horizontalAlignment: .center, verticalAlignment: .baseline)
        }
        if let xAxisTitle, !xAxisTitle.isEmpty {
            picture.drawText(xAxisTitle, x: plot.x + plot.width / 2, y: layout.xAxisTitleTop,
                             scale: style.fontScale, horizontalAlignment: .center, verticalAlignment: .top)
        }
        if let yAxisTitle, !yAxisTitle.isEmpty {
            picture.drawText(yAxisTitle, x: layout.yAxisTitleLeft, y: plot.y + plot.height / 2,
                             scale: style.fontScale, horizontalAlignment: .center, verticalAlignment: .top,
                             direction: .bottomToTop)
        }
        if let colorBarTitle, !colorBarTitle.isEmpty {
            picture.drawText(colorBarTitle, x: layout.colorBarTitleLeft, y: bar.y + bar.height / 2,
                             scale: style.fontScale, horizontalAlignment: .center, verticalAlignment: .top,
                             direction: .bottomToTop)
        }
        return picture
    }

    /// The pixel row or column of a tick, kept on the axis.
    private func tickCoordinate(_ position: Double, within range: Range<Int>) -> Int {
        min(max(Int(position.rounded(.down)), range.lowerBound), range.upperBound - 1)
    }

    // MARK: - Layout

    /// Sizes that follow the figure's size, matching matplotlib's proportions
    /// (a 1000×750 figure is matplotlib's 6.4×4.8-inch default at about 156 dots per inch).
    struct Style {
        /// Pixels per typographic point.
        let pixelsPerPoint: Double
        /// The width of the axes frame and ticks (0.8 pt).
        let lineWidth: Int
        /// The length of a tick mark (3.5 pt).
        let tickLength: Int
        /// The space between a tick and its label (3.5 pt).
        let labelPadding: Int
        /// The font scale of tick labels and axis titles (about 10 pt text).
        let fontScale: Int
        /// The font scale of the plot title (about 12 pt text).
        let titleScale: Int
        /// The space between the plot and its title (6 pt).
        let titlePadding: Int

        init(width: Int, height: Int) {
            let scale = min(Double(width) / 6.4, Double(height) / 4.8) / 72
            pixelsPerPoint = scale
            func points(_ size: Double) -> Int { max(1, Int((size * scale).rounded())) }
            lineWidth = points(0.8)
            tickLength = points(3.5)
            labelPadding = points(3.5)
            // A 10 pt sans-serif digit is about 7.3 pt tall; the font's digits are 7 pixels.
            fontScale = max(1, Int((10 * 0.73 * scale / 7).rounded()))
            titleScale = fontScale + 1
            titlePadding = points(6)
        }
    }

    /// Maps data values along one axis to continuous pixel coordinates.
    struct AxisMapping {
        /// The data value at the start of the axis (left, or bottom).
        let low: Double
        /// The data value at the end of the axis (right, or top).
        let high: Double
        /// The pixel coordinate of `low`.
        let startPixel: Double
        /// The pixel coordinate of `high`.
        let endPixel: Double

        /// The pixel coordinate of `value`.
        func pixel(for value: Double) -> Double {
            startPixel + (value - low) / (high - low) * (endPixel - startPixel)
        }
    }

    /// The colour bar's value range and how labels map into the colour map.
    struct LabelScale {
        /// The value at the bottom of the colour bar.
        let low: Double
        /// The value at the top of the colour bar.
        let high: Double

        /// The colour-map position (0 … 1) of `value`.
        func position(of value: Double) -> Double {
            (value - low) / (high - low)
        }
    }

    /// Where everything goes.
    struct Layout {
        let style: Style
        let plot: PixelRectangle
        let colorBar: PixelRectangle
        let horizontal: AxisMapping
        let vertical: AxisMapping
        let xTicks: AxisTicks
        let yTicks: AxisTicks
        let colorBarTicks: AxisTicks
        let xAxisTitleTop: Int
        let yAxisTitleLeft: Int
        let colorBarTitleLeft: Int
    }

    /// The smallest and largest label; a lone value gets a bar one unit tall around it.
    static func labelScale(for labels: [Int]) -> LabelScale {
        guard let low = labels.min(), let high = labels.max() else { return LabelScale(low: 0, high: 1) }
        return low == high ? LabelScale(low: Double(low) - 0.5, high: Double(high) + 0.5)
                           : LabelScale(low: Double(low), high: Double(high))
    }

    /// The data range shown along one axis: the finite values plus a 5% margin each side,
    /// widened around a single value as matplotlib does, or 0 … 1 when there is none.
    static func axisRange(_ values: [Double]) -> (low: Double, high: Double) {
        guard var low = values.min(), var high = values.max() else { return (0, 1) }
        if high - low <= max(abs(low), abs(high)) * 1e-12 {
            if low == 0 && high == 0 {
                low = -0.05
                high = 0.05
            } else {
                low -= 0.05 * abs(low)
                high += 0.05 * abs(high)
            }
        }
        let margin = 0.05 * (high - low)
        return (low - margin, high + margin)
    }

    /// Ticks for an axis `length` pixels long whose labels must not touch: at most one tick per
    /// `spacing` pixels, fewer while the widest label would not fit between neighbours.
    static func ticks(low: Double, high: Double, length: Int, spacing: Int,
                              labelExtent: (AxisTicks) -> Int) -> AxisTicks {
        var count = min(max(length / spacing, 3), 11)
        while true {
            let ticks = AxisTicks(low: low, high: high, maximumCount: count)
            let gaps = Double(length) * ticks.step / (high - low)
            if count <= 2 || Double(labelExtent(ticks)) * 1.5 <= gaps { return ticks }
            count -= 1
        }
    }

    /// Works out the figure's geometry from its size, data and titles.
    var layout: Layout {
        let style = Style(width: width, height: height)
        let font = BitmapFont.standard
        let textHeight = font.ascent * style.fontScale
        let line = style.lineWidth
        let outside = line + style.tickLength + style.labelPadding
        func widest(_ ticks: AxisTicks) -> Int { ticks.labels.map { font.width(of: $0, scale: style.fontScale) }.max() ?? 0 }

        let finite = zip(x, y).filter { $0.0.isFinite && $0.1.isFinite }
        let xRange = Self.axisRange(finite.map { Double($0.0) })
        let yRange = Self.axisRange(finite.map { Double($0.1) })

        // Vertical: matplotlib keeps 12% of the height above the axes and 11% below.
        let hasXTitle = !(xAxisTitle ?? "").isEmpty
        let hasTitle = !(title ?? "").isEmpty
        let bottomNeeded = outside + textHeight + (hasXTitle ? style.labelPadding * 2 + textHeight : 0) + style.labelPadding * 2
        let topNeeded = hasTitle ? line + style.titlePadding + font.ascent * style.titleScale + style.labelPadding * 2
                                 : line + textHeight
        let top = max(Int((0.12 * Double(height)).rounded()), topNeeded)
        let bottom = max(Int((0.11 * Double(height)).rounded()), bottomNeeded)
        let plotHeight = max(height - top - bottom, 10)
        let yTicks = Self.ticks(low: yRange.low, high: yRange.high, length: plotHeight,
                                spacing: max(textHeight * 4, 40), labelExtent: { _ in textHeight })

        // Horizontal: 12.5% of the width on the left, unless the labels need more; the
        // colour bar takes 15% of what remains up to 90% of the width, after a 5% pad.
        let hasYTitle = !(yAxisTitle ?? "").isEmpty
        let leftNeeded = outside + widest(yTicks) + (hasYTitle ? style.labelPadding * 2 + textHeight : 0) + style.labelPadding * 2
        let left = max(Int((0.125 * Double(width)).rounded()), leftNeeded)
        let region = Double(max(Int(0.9 * Double(width)) - left, 40))
        let pad = Int((0.05 * region).rounded())
        let barWidth = max(Int((Double(plotHeight) / 20).rounded()), 6)
        let labelScale = self.labelScale
        let barTicks: AxisTicks
        let lowLabel = labels.min() ?? 0, highLabel = labels.max() ?? 1
        if Double(highLabel) - Double(lowLabel) <= 20 {
            barTicks = AxisTicks(integersFrom: lowLabel, through: highLabel)
        } else {
            barTicks = Self.ticks(low: labelScale.low, high: labelScale.high, length: plotHeight,
                                  spacing: max(textHeight * 4, 40), labelExtent: { _ in textHeight })
        }
        let hasBarTitle = !(colorBarTitle ?? "").isEmpty
        let rightNeeded = outside + widest(barTicks) + (hasBarTitle ? style.labelPadding * 2 + textHeight : 0) + style.labelPadding * 2
        let plotWidth = max(min(Int(0.8 * region), width - left - pad - barWidth - 2 * line - rightNeeded), 10)
        let plot = PixelRectangle(x: left, y: top, width: plotWidth, height: plotHeight)
        let colorBar = PixelRectangle(x: plot.maxX + pad, y: top, width: barWidth, height: plotHeight)

        let xTicks = Self.ticks(low: xRange.low, high: xRange.high, length: plotWidth,
                                spacing: max(textHeight * 5, 50), labelExtent: widest)
        return Layout(
            style: style, plot: plot, colorBar: colorBar,
            horizontal: AxisMapping(low: xRange.low, high: xRange.high,
                                    startPixel: Double(plot.x), endPixel: Double(plot.maxX)),
            vertical: AxisMapping(low: yRange.low, high: yRange.high,
                                  startPixel: Double(plot.maxY), endPixel: Double(plot.y)),
            xTicks: xTicks, yTicks: yTicks, colorBarTicks: barTicks,
            xAxisTitleTop: plot.maxY + outside + textHeight + style.labelPadding * 2,
            yAxisTitleLeft: plot.x - outside - widest(yTicks) - style.labelPadding * 2 - textHeight,
            colorBarTitleLeft: colorBar.maxX + outside + widest(barTicks) + style.labelPadding * 2)
    }
}
