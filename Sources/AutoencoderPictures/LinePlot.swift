import Foundation

/// A line chart of several named series of (x, y) points with axes, tick labels, titles and a
/// legend: matplotlib's `plt.plot(x, y, label=name)` for each series, then `plt.legend()`.
///
/// Each series is drawn as straight segments between its points, in the order given, in its
/// own colour (matplotlib's tab10 cycle unless told); with at most 60 points each point also
/// gets a small marker, so that a one-point series still shows. With ``logScaleY`` the
/// vertical axis is logarithmic (ticks at powers of ten), for values that span orders of
/// magnitude, such as training losses; points with a y of 0 or below cannot be placed then.
/// Points with a NaN or infinite coordinate are skipped, and a segment is not drawn across
/// them. The axes span the data plus a 5% margin and carry 1-2-5 tick values.
///
/// Usage: `let image = try LinePlot(series: [.init(name: "training", x: epochs, y: losses)]).render()`.
public struct LinePlot: Sendable {
    /// One named line.
    public struct Series: Sendable, Equatable {
        /// The name shown in the legend.
        public var name: String
        /// The horizontal coordinate of each point.
        public var x: [Double]
        /// The vertical coordinate of each point.
        public var y: [Double]
        /// The line's colour; `nil` takes the next colour of ``LinePlot/palette``.
        public var color: RGB?

        /// Makes a series; `x` and `y` must be equally long (`LinePlot.init` checks).
        public init(name: String, x: [Double], y: [Double], color: RGB? = nil) {
            self.name = name
            self.x = x
            self.y = y
            self.color = color
        }
    }

    /// matplotlib's default colour cycle (tab10's first colours): blue, orange, green, red,
    /// purple, brown.
    public static let palette: [RGB] = [RGB(31, 119, 180), RGB(255, 127, 14), RGB(44, 160, 44),
                                        RGB(214, 39, 40), RGB(148, 103, 189), RGB(140, 86, 75)]

    /// The series, in drawing order.
    public let series: [Series]
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
    /// Whether the vertical axis is logarithmic.
    public let logScaleY: Bool
    /// The corner of the plot the legend sits in.
    public let legendCorner: LegendCorner

    /// Where a legend is drawn inside the plot.
    public enum LegendCorner: Sendable {
        /// The top right corner, matplotlib's `loc="upper right"`: for falling lines (losses).
        case topRight
        /// The bottom right corner: for rising lines (an ROC curve).
        case bottomRight
    }

    /// Makes a line plot.
    ///
    /// - Throws: ``PictureInputError`` when a series has different numbers of x and y values,
    ///   or the size is smaller than 200x150.
    public init(series: [Series], width: Int = 1000, height: Int = 750, title: String? = nil,
                xAxisTitle: String? = nil, yAxisTitle: String? = nil, logScaleY: Bool = false,
                legendCorner: LegendCorner = .topRight) throws {
        if let bad = series.first(where: { $0.x.count != $0.y.count }) {
            throw PictureInputError("The line '\(bad.name)' needs one y per x, but has \(bad.x.count) x values and \(bad.y.count) y values.")
        }
        guard width >= 200, height >= 150 else {
            throw PictureInputError("A line plot needs at least 200x150 pixels, not \(width)x\(height).")
        }
        self.series = series.enumerated().map { index, series in
            var series = series
            if series.color == nil { series.color = Self.palette[index % Self.palette.count] }
            return series
        }
        self.width = width
        self.height = height
        self.title = title
        self.xAxisTitle = xAxisTitle
        self.yAxisTitle = yAxisTitle
        self.logScaleY = logScaleY
        self.legendCorner = legendCorner
    }

    /// Whether a point can be placed on the axes.
    private func isDrawable(_ x: Double, _ y: Double) -> Bool {
        x.isFinite && y.isFinite && (!logScaleY || y > 0)
    }

    /// The axes: their rectangle and how values map to pixels.
    var axes: PlotAxes {
        let points = series.flatMap { series in zip(series.x, series.y).filter { isDrawable($0.0, $0.1) } }
        return PlotAxes(width: width, height: height, title: title, xAxisTitle: xAxisTitle, yAxisTitle: yAxisTitle,
                        xValues: points.map(\.0), yValues: points.map(\.1), logScaleY: logScaleY)
    }

    /// The rectangle inside the axes where the lines are drawn.
    public var plotRectangle: PixelRectangle { axes.plot }

    /// Draws the figure.
    public func render() -> RGBImage {
        let axes = self.axes
        var picture = RGBImage(width: width, height: height, filledWith: .white)
        let thickness = max(2, axes.style.lineWidth * 2)
        for series in series {
            let color = series.color ?? .black
            var previous: (Int, Int)? = nil
            let marked = series.x.count <= 60
            for (x, y) in zip(series.x, series.y) {
                guard isDrawable(x, y) else { previous = nil; continue }
                let point = (Int(axes.pixelX(x).rounded()), Int(axes.pixelY(y).rounded()))
                if let previous {
                    picture.drawLine(fromX: previous.0, y: previous.1, toX: point.0, y: point.1, color: color, thickness: thickness)
                }
                if marked {
                    picture.fillDisc(centerX: axes.pixelX(x), centerY: axes.pixelY(y), radius: Double(thickness) * 1.5,
                                     color: color, clippedTo: axes.plot)
                }
                previous = point
            }
        }
        axes.drawFrame(on: &picture)
        axes.drawLegend(series.map { ($0.name, $0.color ?? .black) }, atBottom: legendCorner == .bottomRight, on: &picture)
        return picture
    }

    /// Whether `values` (their positive, finite ones) span more than `factor` from smallest to
    /// largest: the test the training-loss picture uses to choose a logarithmic axis.
    public static func spansMoreThan(_ factor: Double, _ values: [Double]) -> Bool {
        let positive = values.filter { $0 > 0 && $0.isFinite }
        guard let low = positive.min(), let high = positive.max() else { return false }
        return high / low > factor
    }
}

/// The axes of a line plot or histogram: the layout (matplotlib's proportions, as
/// ``ScatterPlot``'s), value-to-pixel mapping on a linear or logarithmic vertical axis, and
/// the frame, ticks, labels, titles and legend.
struct PlotAxes {
    let style: ScatterPlot.Style
    let plot: PixelRectangle
    let horizontal: ScatterPlot.AxisMapping
    /// Maps y, or log10(y) on a logarithmic axis.
    let vertical: ScatterPlot.AxisMapping
    let xTicks: AxisTicks
    /// The vertical ticks' values (in data units) and labels.
    let yTicks: [(value: Double, label: String)]
    let logScaleY: Bool
    let title: String?
    let xAxisTitle: String?
    let yAxisTitle: String?
    let xAxisTitleTop: Int
    let yAxisTitleLeft: Int

    /// Lays out axes for the given data (finite values; positive ones for a logarithmic y).
    /// `yRange` replaces the y values' own range (plus margin) when given.
    init(width: Int, height: Int, title: String?, xAxisTitle: String?, yAxisTitle: String?,
         xValues: [Double], yValues: [Double], logScaleY: Bool, yRange: (low: Double, high: Double)? = nil) {
        let style = ScatterPlot.Style(width: width, height: height)
        let font = BitmapFont.standard
        let textHeight = font.ascent * style.fontScale
        let line = style.lineWidth
        let outside = line + style.tickLength + style.labelPadding
        self.style = style
        self.logScaleY = logScaleY
        self.title = title
        self.xAxisTitle = xAxisTitle
        self.yAxisTitle = yAxisTitle

        let xRange = ScatterPlot.axisRange(xValues)
        let yData = logScaleY ? yValues.map(log10) : yValues
        let yLimits = yRange ?? ScatterPlot.axisRange(yData)

        let hasXTitle = !(xAxisTitle ?? "").isEmpty
        let hasTitle = !(title ?? "").isEmpty
        let bottomNeeded = outside + textHeight + (hasXTitle ? style.labelPadding * 2 + textHeight : 0) + style.labelPadding * 2
        let topNeeded = hasTitle ? line + style.titlePadding + font.ascent * style.titleScale + style.labelPadding * 2
                                 : line + textHeight
        let top = max(Int((0.12 * Double(height)).rounded()), topNeeded)
        let bottom = max(Int((0.11 * Double(height)).rounded()), bottomNeeded)
        let plotHeight = max(height - top - bottom, 10)

        var yTicks: [(value: Double, label: String)]
        if logScaleY {
            yTicks = Self.logTicks(low: yLimits.low, high: yLimits.high)
        } else {
            let ticks = ScatterPlot.ticks(low: yLimits.low, high: yLimits.high, length: plotHeight,
                                          spacing: max(textHeight * 4, 40), labelExtent: { _ in textHeight })
            yTicks = Array(zip(ticks.values, ticks.labels)).map { (value: $0.0, label: $0.1) }
        }
        let widestY = yTicks.map { font.width(of: $0.label, scale: style.fontScale) }.max() ?? 0
        let hasYTitle = !(yAxisTitle ?? "").isEmpty
        let leftNeeded = outside + widestY + (hasYTitle ? style.labelPadding * 2 + textHeight : 0) + style.labelPadding * 2
        let left = max(Int((0.125 * Double(width)).rounded()), leftNeeded)
        let right = Int((0.1 * Double(width)).rounded())
        let plotWidth = max(width - left - right, 10)
        plot = PixelRectangle(x: left, y: top, width: plotWidth, height: plotHeight)
        var xTicks = ScatterPlot.ticks(low: xRange.low, high: xRange.high, length: plotWidth, spacing: max(textHeight * 5, 50),
                                       labelExtent: { ticks in ticks.labels.map { font.width(of: $0, scale: style.fontScale) }.max() ?? 0 })
        // Whole-number data (epochs) gets no ticks between whole numbers.
        if xTicks.step < 1, !xValues.isEmpty, xValues.allSatisfy({ $0 == $0.rounded() }) {
            xTicks = AxisTicks(integersFrom: Int(xRange.low.rounded(.up)), through: Int(xRange.high.rounded(.down)))
        }
        self.xTicks = xTicks
        self.yTicks = yTicks
        horizontal = ScatterPlot.AxisMapping(low: xRange.low, high: xRange.high,
                                             startPixel: Double(plot.x), endPixel: Double(plot.maxX))
        vertical = ScatterPlot.AxisMapping(low: yLimits.low, high: yLimits.high,
                                           startPixel: Double(plot.maxY), endPixel: Double(plot.y))
        xAxisTitleTop = plot.maxY + outside + textHeight + style.labelPadding * 2
        yAxisTitleLeft = plot.x - outside - widestY - style.labelPadding * 2 - textHeight
    }

    /// The pixel column of `x`.
    func pixelX(_ x: Double) -> Double { horizontal.pixel(for: x) }
    /// The pixel row of `y` (its logarithm's on a logarithmic axis).
    func pixelY(_ y: Double) -> Double { vertical.pixel(for: logScaleY ? log10(y) : y) }

    /// Ticks on a logarithmic axis from 10^low to 10^high: every power of ten, or with fewer
    /// than two in range also 2 and 5 times each.
    static func logTicks(low: Double, high: Double) -> [(value: Double, label: String)] {
        guard low.isFinite, high.isFinite, high > low else { return [] }
        let first = Int(low.rounded(.down)), last = Int(high.rounded(.up))
        var decades = (first...last).map { pow(10, Double($0)) }.filter { (low...high).contains(log10($0)) }
        if decades.count < 2 {
            decades = (first...last).flatMap { e in [1.0, 2.0, 5.0].map { $0 * pow(10, Double(e)) } }
                .filter { (low...high).contains(log10($0)) }
        }
        // With more than ten decades, every other one (or fewer) keeps the labels apart.
        let stride = max(1, (decades.count + 9) / 10)
        return decades.enumerated().filter { $0.offset % stride == 0 }.map { (value: $0.element, label: Self.logLabel($0.element)) }
    }

    /// `0.01`, `1`, `1000`, or `1e-05` and `1e+06` beyond those.
    static func logLabel(_ value: Double) -> String {
        String(format: "%g", value)
    }

    /// Draws the frame, ticks, tick labels and titles.
    func drawFrame(on picture: inout RGBImage) {
        let line = style.lineWidth
        picture.stroke(PixelRectangle(x: plot.x - line, y: plot.y - line, width: plot.width + 2 * line, height: plot.height + 2 * line),
                       with: .black, thickness: line)
        for (value, label) in zip(xTicks.values, xTicks.labels) {
            let column = min(max(Int(pixelX(value).rounded(.down)), plot.x), plot.maxX - 1)
            picture.fill(PixelRectangle(x: column - line / 2, y: plot.maxY + line, width: line, height: style.tickLength), with: .black)
            picture.drawText(label, x: column, y: plot.maxY + line + style.tickLength + style.labelPadding,
                             scale: style.fontScale, horizontalAlignment: .center, verticalAlignment: .top)
        }
        for tick in yTicks {
            let row = min(max(Int(pixelY(tick.value).rounded(.down)), plot.y), plot.maxY - 1)
            picture.fill(PixelRectangle(x: plot.x - line - style.tickLength, y: row - line / 2, width: style.tickLength, height: line),
                         with: .black)
            picture.drawText(tick.label, x: plot.x - line - style.tickLength - style.labelPadding, y: row,
                             scale: style.fontScale, horizontalAlignment: .right, verticalAlignment: .middle)
        }
        if let title, !title.isEmpty {
            picture.drawText(title, x: plot.x + plot.width / 2, y: plot.y - line - style.titlePadding,
                             scale: style.titleScale, horizontalAlignment: .center, verticalAlignment: .baseline)
        }
        if let xAxisTitle, !xAxisTitle.isEmpty {
            picture.drawText(xAxisTitle, x: plot.x + plot.width / 2, y: xAxisTitleTop,
                             scale: style.fontScale, horizontalAlignment: .center, verticalAlignment: .top)
        }
        if let yAxisTitle, !yAxisTitle.isEmpty {
            picture.drawText(yAxisTitle, x: yAxisTitleLeft, y: plot.y + plot.height / 2, scale: style.fontScale,
                             horizontalAlignment: .center, verticalAlignment: .top, direction: .bottomToTop)
        }
    }

    /// Draws a legend of `entries` (name and colour, a short thick line each) in a framed
    /// white box at the plot's top right, or bottom right when `atBottom`.
    func drawLegend(_ entries: [(name: String, color: RGB)], atBottom: Bool = false, on picture: inout RGBImage) {
        let shown = entries.filter { !$0.name.isEmpty }
        guard !shown.isEmpty else { return }
        let font = BitmapFont.standard
        let scale = style.fontScale
        let pad = style.labelPadding * 2
        let swatch = 6 * style.tickLength
        let rowHeight = font.lineHeight(scale: scale) + style.labelPadding * 2
        let textWidth = shown.map { font.width(of: $0.name, scale: scale) }.max() ?? 0
        let boxHeight = pad * 2 + rowHeight * shown.count
        let box = PixelRectangle(x: plot.maxX - pad - (pad * 3 + swatch + textWidth), y: atBottom ? plot.maxY - pad - boxHeight : plot.y + pad,
                                 width: pad * 3 + swatch + textWidth, height: boxHeight)
        picture.fill(box, with: .white, opacity: 0.8)
        picture.stroke(box, with: RGB(204, 204, 204), thickness: style.lineWidth)
        for (index, entry) in shown.enumerated() {
            let middle = box.y + pad + rowHeight * index + rowHeight / 2
            let thickness = max(2, style.lineWidth * 2)
            picture.fill(PixelRectangle(x: box.x + pad, y: middle - thickness / 2, width: swatch, height: thickness), with: entry.color)
            picture.drawText(entry.name, x: box.x + pad * 2 + swatch, y: middle, scale: scale,
                             horizontalAlignment: .left, verticalAlignment: .middle)
        }
    }
}
