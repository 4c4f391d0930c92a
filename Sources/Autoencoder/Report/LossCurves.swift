import Foundation

/// The loss curves of a run as an inline SVG: the mean training loss of each epoch and,
/// with a validation fraction, the held-out loss, against the epoch. Drawn from
/// `metrics.json`'s numbers, so the page needs no picture file and stays sharp at any zoom.
struct LossCurves {
    /// One curve: its name, colour and value per epoch (NaN where there is none).
    struct Curve {
        var name: String
        var color: String
        var values: [Double]
    }

    /// The curves, each with a value per epoch.
    var curves: [Curve]

    /// The training and (when recorded) validation curves of `metrics`.
    init(_ metrics: RunMetrics) {
        curves = [Curve(name: "training (mean over the epoch's batches)", color: "#1f77b4", values: metrics.epochMeanCosts)]
        if let validation = metrics.validationLosses {
            curves.append(Curve(name: "validation", color: "#ff7f0e", values: validation))
        }
    }

    private let width = 520.0, height = 300.0
    private let left = 70.0, right = 20.0, top = 20.0, bottom = 60.0

    /// The SVG element.
    var svg: String {
        let epochs = curves.map(\.values.count).max() ?? 0
        let finite = curves.flatMap(\.values).filter(\.isFinite)
        guard epochs > 0, let lowest = finite.min(), let highest = finite.max() else {
            return "<p>No per-epoch losses were recorded.</p>"
        }
        let pad = highest > lowest ? (highest - lowest) * 0.05 : max(abs(highest) * 0.05, 1e-6)
        let y0 = lowest - pad, y1 = highest + pad
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        func px(_ epoch: Int) -> Double {
            epochs == 1 ? left + plotWidth / 2 : left + Double(epoch - 1) / Double(epochs - 1) * plotWidth
        }
        func py(_ value: Double) -> Double { top + (y1 - value) / (y1 - y0) * plotHeight }
        func f(_ value: Double) -> String { String(format: "%.1f", value) }
        var parts: [String] = []
        parts.append("<svg id=\"loss-curves\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"Loss per epoch\">")
        parts.append("<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"#fff\" stroke=\"#999\"/>")
        // Five value ticks and at most ten epoch ticks.
        for step in 0...4 {
            let value = y0 + (y1 - y0) * Double(step) / 4
            let y = py(value)
            parts.append("<line x1=\"\(f(left))\" x2=\"\(f(left + plotWidth))\" y1=\"\(f(y))\" y2=\"\(f(y))\" stroke=\"#eee\"/>")
            parts.append("<text x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\" font-size=\"11\">\(String(format: "%.4g", value))</text>")
        }
        let every = max(1, Int((Double(epochs) / 10).rounded(.up)))
        for epoch in stride(from: 1, through: epochs, by: every) {
            parts.append("<text x=\"\(f(px(epoch)))\" y=\"\(f(top + plotHeight + 16))\" text-anchor=\"middle\" font-size=\"11\">\(epoch)</text>")
        }
        parts.append("<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 26))\" text-anchor=\"middle\" font-size=\"12\">epoch</text>")
        parts.append("<text transform=\"translate(16 \(f(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">loss</text>")
        for (index, curve) in curves.enumerated() {
            let points = curve.values.enumerated().filter { $0.element.isFinite }
                .map { "\(f(px($0.offset + 1))),\(f(py($0.element)))" }
            if points.count > 1 {
                parts.append("<polyline class=\"curve\" data-name=\"\(HTMLText.escape(curve.name))\" fill=\"none\" stroke=\"\(curve.color)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>")
            }
            if epochs <= 60 {
                for point in points {
                    let xy = point.split(separator: ",")
                    parts.append("<circle cx=\"\(xy[0])\" cy=\"\(xy[1])\" r=\"2.5\" fill=\"\(curve.color)\"/>")
                }
            }
            let legendX = left + Double(index) * 270, legendY = height - 8
            parts.append("<line x1=\"\(f(legendX))\" x2=\"\(f(legendX + 20))\" y1=\"\(f(legendY - 4))\" y2=\"\(f(legendY - 4))\" stroke=\"\(curve.color)\" stroke-width=\"2\"/>")
            parts.append("<text x=\"\(f(legendX + 26))\" y=\"\(f(legendY))\" font-size=\"11\">\(HTMLText.escape(curve.name))</text>")
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }
}
