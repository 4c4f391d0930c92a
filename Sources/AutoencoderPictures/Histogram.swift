import Foundation

/// Two distributions drawn as overlaid semi-transparent histograms over shared bins, with an
/// optional vertical threshold line: matplotlib's `plt.hist(a, bins, alpha=0.5)` twice and
/// `plt.axvline(threshold)`, as anomaly-detection tutorials draw the errors of normal and
/// anomalous samples.
///
/// The bins split the range of both sets' finite values (and the threshold, so it is always
/// on the picture) into ``binCount`` equal parts, the last bin closed; each bar's height is
/// the share of its own set in the bin (a density-free normalisation, so a small anomalous
/// set stays visible beside a large normal one). NaN and infinite values are left out.
public struct Histogram: Sendable {
    /// One distribution: a name for the legend and its values.
    public struct Distribution: Sendable, Equatable {
        /// The name shown in the legend.
        public var name: String
        /// The values.
        public var values: [Double]
        /// Makes a distribution.
        public init(name: String, values: [Double]) {
            self.name = name
            self.values = values
        }
    }

    /// The first distribution (drawn in blue, first).
    public let first: Distribution
    /// The second distribution (drawn in orange, over the first).
    public let second: Distribution
    /// Where the vertical line is drawn, or nil for none.
    public let threshold: Double?
    /// The number of bins.
    public let binCount: Int
    /// The width of the picture in pixels.
    public let width: Int
    /// The height of the picture in pixels.
    public let height: Int
    /// A title above the plot, or nil.
    public let title: String?
    /// A title under the horizontal axis, or nil.
    public let xAxisTitle: String?

    /// The colour of the threshold line: matplotlib's red.
    public static let thresholdColor = RGB(214, 39, 40)

    /// Makes a histogram of two distributions.
    ///
    /// - Throws: ``PictureInputError`` for fewer than 1 or more than 1000 bins, a non-finite
    ///   threshold, or a size smaller than 200x150.
    public init(_ first: Distribution, _ second: Distribution, threshold: Double? = nil, binCount: Int = 50,
                width: Int = 1000, height: Int = 750, title: String? = nil, xAxisTitle: String? = nil) throws {
        guard (1...1000).contains(binCount) else {
            throw PictureInputError("A histogram needs between 1 and 1000 bins, not \(binCount).")
        }
        if let threshold, !threshold.isFinite {
            throw PictureInputError("A histogram's threshold line must be at a finite value, not \(threshold).")
        }
        guard width >= 200, height >= 150 else {
            throw PictureInputError("A histogram needs at least 200x150 pixels, not \(width)x\(height).")
        }
        self.first = first
        self.second = second
        self.threshold = threshold
        self.binCount = binCount
        self.width = width
        self.height = height
        self.title = title
        self.xAxisTitle = xAxisTitle
    }

    /// The bins' edges (``binCount`` + 1 of them, ascending).
    public var binEdges: [Double] {
        let values = (first.values + second.values + (threshold.map { [$0] } ?? [])).filter(\.isFinite)
        var low = values.min() ?? 0, high = values.max() ?? 1
        if high <= low { low -= 0.5; high += 0.5 }
        return (0...binCount).map { low + (high - low) * Double($0) / Double(binCount) }
    }

    /// The share of `values`' finite members in each bin.
    public func shares(of values: [Double]) -> [Double] {
        let edges = binEdges
        let finite = values.filter(\.isFinite)
        var counts = [Int](repeating: 0, count: binCount)
        let low = edges[0], span = edges[binCount] - edges[0]
        for value in finite {
            let bin = min(max(Int(((value - low) / span * Double(binCount)).rounded(.down)), 0), binCount - 1)
            counts[bin] += 1
        }
        return counts.map { finite.isEmpty ? 0 : Double($0) / Double(finite.count) }
    }

    /// The axes (internal: the layout, for tests and drawing).
    var axes: PlotAxes {
        let edges = binEdges
        let highest = max(shares(of: first.values).max() ?? 0, shares(of: second.values).max() ?? 0)
        return PlotAxes(width: width, height: height, title: title, xAxisTitle: xAxisTitle, yAxisTitle: "share of samples",
                        xValues: [edges[0], edges[binCount]], yValues: [0, highest], logScaleY: false,
                        yRange: (0, max(highest, 1e-9) * 1.05))
    }

    /// The rectangle inside the axes where the bars are drawn.
    public var plotRectangle: PixelRectangle { axes.plot }

    /// Draws the figure.
    public func render() -> RGBImage {
        let axes = self.axes
        var picture = RGBImage(width: width, height: height, filledWith: .white)
        let edges = binEdges
        for (distribution, color) in [(first, LinePlot.palette[0]), (second, LinePlot.palette[1])] {
            for (bin, share) in shares(of: distribution.values).enumerated() where share > 0 {
                let left = Int(axes.pixelX(edges[bin]).rounded()), right = Int(axes.pixelX(edges[bin + 1]).rounded())
                let top = Int(axes.pixelY(share).rounded())
                let bar = PixelRectangle(x: left, y: top, width: max(right - left, 1), height: axes.plot.maxY - top)
                picture.fill(bar.intersection(axes.plot), with: color, opacity: 0.5)
            }
        }
        if let threshold {
            let column = min(max(Int(axes.pixelX(threshold).rounded()), axes.plot.x), axes.plot.maxX - 1)
            let thickness = max(2, axes.style.lineWidth * 2)
            picture.fill(PixelRectangle(x: column - thickness / 2, y: axes.plot.y, width: thickness, height: axes.plot.height),
                         with: Self.thresholdColor)
        }
        axes.drawFrame(on: &picture)
        axes.drawLegend([(first.name, LinePlot.palette[0]), (second.name, LinePlot.palette[1])]
                        + (threshold.map { [("threshold \(String(format: "%.4g", $0))", Self.thresholdColor)] } ?? []),
                        on: &picture)
        return picture
    }
}
