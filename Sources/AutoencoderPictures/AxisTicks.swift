import Foundation

/// Chooses "nice" tick values for an axis — multiples of 1, 2 or 5 times a power of ten — and
/// writes their labels, as matplotlib's default locator and formatter do.
struct AxisTicks: Sendable, Equatable {
    /// The tick values, ascending, all inside the axis range.
    let values: [Double]
    /// The distance between neighbouring ticks.
    let step: Double

    /// The ticks for the range `low ... high` with at most `maximumCount` ticks, using the
    /// smallest 1-2-5 step that keeps within that count.
    init(low: Double, high: Double, maximumCount: Int) {
        let count = max(maximumCount, 2)
        let span = high - low
        guard low.isFinite, high.isFinite, span.isFinite, span > 0 else {
            values = low.isFinite ? [low] : []
            step = 1
            return
        }
        var exponent = Int((log10(span / Double(count))).rounded(.down)) - 1
        while true {
            let power = pow(10, Double(exponent))
            for multiplier in [1.0, 2.0, 5.0] {
                let step = multiplier * power
                let first = (low / step - 1e-9).rounded(.up)
                let last = (high / step + 1e-9).rounded(.down)
                if last - first + 1 <= Double(count) {
                    self.step = step
                    self.values = stride(from: first, through: last, by: 1).map { index in
                        index == 0 ? 0 : index * step
                    }
                    return
                }
            }
            exponent += 1
        }
    }

    /// Ticks at every whole number from `low` to `high` — for a colour bar of a few integer labels.
    init(integersFrom low: Int, through high: Int) {
        values = (low ... max(low, high)).map(Double.init)
        step = 1
    }

    /// The labels of the ticks: plain decimals with as many places as the step needs
    /// ("0", "2.5", "-0.4"), or scientific form ("1.5e6", "2e-5") for very large or small values.
    var labels: [String] {
        let largest = values.map(abs).max() ?? 0
        let stepExponent = Int(log10(step).rounded(.down))
        if largest >= 1e6 || (largest > 0 && largest < 1e-4) || stepExponent < -6 {
            let exponent = Int(log10(largest).rounded(.down))
            let places = max(0, exponent - stepExponent)
            return values.map { value in
                guard value != 0 else { return "0" }
                let mantissa = value / pow(10, Double(exponent))
                return String(format: "%.\(places)f", mantissa) + "e\(exponent)"
            }
        }
        let places = min(max(0, -stepExponent), 12)
        return values.map { value in
            let text = String(format: "%.\(places)f", value)
            // "-0" and "-0.0" arise from tiny negative rounding noise.
            return text.allSatisfy({ "-0.".contains($0) }) ? String(text.drop(while: { $0 == "-" })) : text
        }
    }
}
