import Foundation

/// How the anomaly threshold is chosen: a sample whose error is above it is called an anomaly.
///
/// - ``value(_:)``: the threshold itself.
/// - ``percentile(_:)``: the `p`-th percentile (0–100, linear interpolation as NumPy's
///   default) of the errors on the training data, which is all normal.
/// - ``meanStd(_:)``: the mean plus `k` standard deviations (population) of the training
///   errors: the TensorFlow anomaly-detection tutorial's rule (mean + 1 std).
/// - ``targetFalsePositiveRate(_:)``: the lowest threshold that calls at most the share `r`
///   of the normal samples anomalies.
/// - ``bestF1``: the threshold with the highest F1 score on a labelled set.
public enum ThresholdRule: Sendable, Equatable {
    /// A fixed threshold.
    case value(Double)
    /// The `p`-th percentile (0 to 100) of the training errors.
    case percentile(Double)
    /// The training errors' mean plus `k` standard deviations.
    case meanStd(Double)
    /// At most the share `r` (0 ≤ r < 1) of the normal samples above the threshold.
    case targetFalsePositiveRate(Double)
    /// The highest F1 score on a labelled set.
    case bestF1

    /// The rule's name as `scores.json` and the model file record it: `value`,
    /// `percentile`, `mean_std`, `target_fpr` or `best_f1`.
    public var name: String {
        switch self {
        case .value: "value"
        case .percentile: "percentile"
        case .meanStd: "mean_std"
        case .targetFalsePositiveRate: "target_fpr"
        case .bestF1: "best_f1"
        }
    }

    /// The rule's number (`nil` for ``bestF1``).
    public var parameter: Double? {
        switch self {
        case let .value(x), let .percentile(x), let .meanStd(x), let .targetFalsePositiveRate(x): x
        case .bestF1: nil
        }
    }

    /// Whether the rule needs the errors of the (all normal) training data.
    public var needsTrainingErrors: Bool {
        switch self {
        case .percentile, .meanStd: true
        default: false
        }
    }

    /// Whether the rule needs a labelled set: ``bestF1`` always; ``targetFalsePositiveRate(_:)``
    /// takes the normal samples of a labelled set, or else the training errors.
    public var needsLabels: Bool { self == .bestF1 }

    /// Throws ``ScoringError`` for a number out of the rule's range.
    public func validate() throws {
        switch self {
        case let .value(x) where !x.isFinite:
            throw ScoringError("The threshold must be a finite number, not \(x).")
        case let .percentile(p) where !(0...100).contains(p):
            throw ScoringError("The percentile must be between 0 and 100, not \(p).")
        case let .meanStd(k) where !k.isFinite:
            throw ScoringError("The number of standard deviations must be a finite number, not \(k).")
        case let .targetFalsePositiveRate(r) where !(r >= 0 && r < 1):
            throw ScoringError("The target false-positive rate must be at least 0 and less than 1, not \(r).")
        default: break
        }
    }

    /// The threshold the rule gives. `trainingErrors` are the errors on the model's (normal)
    /// training data; `labelled` a set's errors with whether each sample is an anomaly.
    ///
    /// Throws ``ScoringError`` when the rule's set is missing or empty, when a labelled set
    /// for ``bestF1`` has no anomaly or no normal sample, and for a number out of range.
    public func threshold(trainingErrors: [Double]? = nil,
                          labelled: (errors: [Double], isAnomaly: [Bool])? = nil) throws -> Double {
        try validate()
        if let labelled, labelled.errors.count != labelled.isAnomaly.count {
            throw ScoringError("The labelled set has \(labelled.errors.count) errors but \(labelled.isAnomaly.count) labels.")
        }
        func training() throws -> [Double] {
            guard let trainingErrors else { throw ScoringError("The \(name) rule needs the errors on the training data.") }
            guard !trainingErrors.isEmpty else { throw ScoringError("The \(name) rule cannot be applied to an empty training set.") }
            return trainingErrors
        }
        switch self {
        case let .value(x):
            return x
        case let .percentile(p):
            return Self.percentile(p, of: try training())
        case let .meanStd(k):
            let errors = try training()
            let mean = errors.reduce(0, +) / Double(errors.count)
            let variance = errors.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(errors.count)
            return mean + k * variance.squareRoot()
        case let .targetFalsePositiveRate(r):
            let normal = try labelled.map { set in
                guard !set.errors.isEmpty else { throw ScoringError("The target_fpr rule cannot be applied to an empty set.") }
                let normal = zip(set.errors, set.isAnomaly).filter { !$0.1 }.map(\.0)
                guard !normal.isEmpty else { throw ScoringError("The target_fpr rule needs normal samples, but every labelled sample is an anomaly.") }
                return normal
            } ?? training()
            // At most ⌊r·n⌋ normal errors strictly above the threshold.
            let sorted = normal.sorted()
            let allowed = Int((r * Double(sorted.count)).rounded(.down))
            return sorted[sorted.count - 1 - allowed]
        case .bestF1:
            guard let labelled else { throw ScoringError("The best_f1 rule needs a labelled set.") }
            guard !labelled.errors.isEmpty else { throw ScoringError("The best_f1 rule cannot be applied to an empty set.") }
            return try Self.bestF1Threshold(errors: labelled.errors, isAnomaly: labelled.isAnomaly)
        }
    }

    /// The `p`-th percentile of `values` (not empty) with linear interpolation between the
    /// closest ranks, as `numpy.percentile`'s default.
    public static func percentile(_ p: Double, of values: [Double]) -> Double {
        precondition(!values.isEmpty, "A percentile needs at least one value.")
        let sorted = values.sorted()
        let position = p / 100 * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = Int(position.rounded(.up))
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }

    /// The threshold with the highest F1 when samples above it are called anomalies: each cut
    /// between neighbouring distinct errors is tried, the threshold being the larger error
    /// left below it (the smallest error's next lower number when every sample is flagged).
    static func bestF1Threshold(errors: [Double], isAnomaly: [Bool]) throws -> Double {
        let positives = isAnomaly.filter { $0 }.count
        guard positives > 0 else { throw ScoringError("The best_f1 rule needs at least one anomaly among the labelled samples.") }
        guard positives < isAnomaly.count else { throw ScoringError("The best_f1 rule needs at least one normal sample among the labelled samples.") }
        let order = errors.indices.sorted { errors[$0] > errors[$1] }
        var truePositives = 0, flagged = 0
        var best = (f1: -1.0, threshold: 0.0)
        var index = 0
        while index < order.count {
            let value = errors[order[index]]
            while index < order.count, errors[order[index]] == value {
                if isAnomaly[order[index]] { truePositives += 1 }
                flagged += 1
                index += 1
            }
            let f1 = 2 * Double(truePositives) / Double(flagged + positives)
            if f1 > best.f1 {
                best = (f1, index < order.count ? errors[order[index]] : value.nextDown)
            }
        }
        return best.threshold
    }
}

/// A threshold as stored with a model (the model file's `anomaly_threshold` entry) and
/// written to `scores.json`: later scoring without a rule uses it.
public struct AnomalyThreshold: Sendable, Equatable, Codable {
    /// The threshold: a sample whose error is above it is an anomaly.
    public var value: Double
    /// The rule that chose it (``ThresholdRule/name``).
    public var rule: String
    /// The rule's number, when it has one (a percentile, a `k`, a rate).
    public var parameter: Double?
    /// The error the threshold applies to (``ReconstructionErrorKind``'s raw value).
    public var error: ReconstructionErrorKind

    /// Creates a stored threshold.
    public init(value: Double, rule: String, parameter: Double? = nil, error: ReconstructionErrorKind) {
        self.value = value
        self.rule = rule
        self.parameter = parameter
        self.error = error
    }

    /// The threshold `rule` gave for errors of `kind`.
    public init(value: Double, rule: ThresholdRule, error: ReconstructionErrorKind) {
        self.init(value: value, rule: rule.name, parameter: rule.parameter, error: error)
    }
}
