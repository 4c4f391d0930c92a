import Foundation

/// How well errors separate anomalies from normal samples: the counts at a threshold (a
/// sample whose error is above it is called an anomaly) and the threshold-free ROC-AUC and
/// average precision.
///
/// - **ROC-AUC**: the probability that a random anomaly has a larger error than a random
///   normal sample, ties counting one half (the Mann-Whitney U statistic over the product of
///   the class sizes, with tied errors given their average rank); equal to scikit-learn's
///   `roc_auc_score`.
/// - **Average precision**: `Σ (Rₙ − Rₙ₋₁) Pₙ` over the distinct errors from the largest down,
///   as scikit-learn's `average_precision_score`.
///
/// With only normal or only anomalous samples, neither is defined: they are `nil` and
/// ``notes`` says why. Precision is `nil` when nothing is called an anomaly, recall when
/// there is no anomaly, F1 when either is.
public struct DetectionMetrics: Sendable, Equatable, Codable {
    /// The threshold the counts are taken at.
    public var threshold: Double
    /// Anomalies called anomalies.
    public var truePositives: Int
    /// Normal samples called anomalies.
    public var falsePositives: Int
    /// Normal samples called normal.
    public var trueNegatives: Int
    /// Anomalies called normal.
    public var falseNegatives: Int
    /// `TP / (TP + FP)`.
    public var precision: Double?
    /// `TP / (TP + FN)`, the true-positive rate.
    public var recall: Double?
    /// `FP / (FP + TN)`.
    public var falsePositiveRate: Double?
    /// The harmonic mean of precision and recall, `2TP / (2TP + FP + FN)`.
    public var f1: Double?
    /// The area under the ROC curve.
    public var rocAUC: Double?
    /// The average precision (area under the precision-recall curve).
    public var averagePrecision: Double?
    /// Why a measure is missing, one sentence each.
    public var notes: [String]

    /// The measures of `errors` against `isAnomaly` (one per error) at `threshold`.
    ///
    /// Throws ``ScoringError`` for no samples or for counts that differ.
    public init(errors: [Double], isAnomaly: [Bool], threshold: Double) throws {
        guard !errors.isEmpty else { throw ScoringError("Detection metrics need at least one sample; the set is empty.") }
        guard errors.count == isAnomaly.count else {
            throw ScoringError("Detection metrics need one label per error, but there are \(errors.count) errors and \(isAnomaly.count) labels.")
        }
        self.threshold = threshold
        var tp = 0, fp = 0, tn = 0, fn = 0
        for (error, anomaly) in zip(errors, isAnomaly) {
            switch (error > threshold, anomaly) {
            case (true, true): tp += 1
            case (true, false): fp += 1
            case (false, false): tn += 1
            case (false, true): fn += 1
            }
        }
        truePositives = tp
        falsePositives = fp
        trueNegatives = tn
        falseNegatives = fn
        precision = tp + fp > 0 ? Double(tp) / Double(tp + fp) : nil
        recall = tp + fn > 0 ? Double(tp) / Double(tp + fn) : nil
        falsePositiveRate = fp + tn > 0 ? Double(fp) / Double(fp + tn) : nil
        f1 = precision != nil && recall != nil ? 2 * Double(tp) / Double(2 * tp + fp + fn) : nil
        notes = []
        if tp + fn == 0 || fp + tn == 0 {
            let only = tp + fn == 0 ? "normal" : "anomalous"
            notes.append("Every sample is \(only), so ROC-AUC and average precision are undefined.")
            rocAUC = nil
            averagePrecision = nil
        } else {
            rocAUC = Self.rocAUC(errors: errors, isAnomaly: isAnomaly)
            averagePrecision = Self.averagePrecision(errors: errors, isAnomaly: isAnomaly)
        }
        if precision == nil { notes.append("No sample is above the threshold, so precision is undefined.") }
    }

    /// The Mann-Whitney form of the ROC-AUC: `(R₊ − n₊(n₊ + 1)/2) / (n₊ n₋)`, `R₊` the sum of
    /// the anomalies' ranks among all errors (ties given their average rank). Both classes
    /// must be present.
    static func rocAUC(errors: [Double], isAnomaly: [Bool]) -> Double {
        let order = errors.indices.sorted { errors[$0] < errors[$1] }
        var rankSum = 0.0
        var index = 0
        while index < order.count {
            var end = index
            while end + 1 < order.count, errors[order[end + 1]] == errors[order[index]] { end += 1 }
            // Ranks index+1 … end+1 share their average.
            let rank = Double(index + end + 2) / 2
            for position in index...end where isAnomaly[order[position]] { rankSum += rank }
            index = end + 1
        }
        let positives = Double(isAnomaly.filter { $0 }.count)
        let negatives = Double(isAnomaly.count) - positives
        return (rankSum - positives * (positives + 1) / 2) / (positives * negatives)
    }

    /// Average precision over the distinct errors from the largest down, tied errors taken
    /// together. At least one anomaly must be present.
    static func averagePrecision(errors: [Double], isAnomaly: [Bool]) -> Double {
        let positives = Double(isAnomaly.filter { $0 }.count)
        var truePositives = 0, flagged = 0
        var previousRecall = 0.0, sum = 0.0
        for point in ROCCurve.cuts(errors: errors, isAnomaly: isAnomaly) {
            truePositives = point.truePositives
            flagged = point.flagged
            let recall = Double(truePositives) / positives
            sum += (recall - previousRecall) * Double(truePositives) / Double(flagged)
            previousRecall = recall
        }
        return sum
    }
}

/// The ROC curve of errors against anomaly labels: one point per distinct error, from
/// (0, 0) (nothing flagged) to (1, 1) (everything flagged), as scikit-learn's `roc_curve`
/// without dropping intermediate points.
public struct ROCCurve: Sendable, Equatable {
    /// The false-positive rate of each point.
    public var falsePositiveRates: [Double]
    /// The true-positive rate of each point.
    public var truePositiveRates: [Double]

    /// The curve of `errors` against `isAnomaly`; throws ``ScoringError`` unless both classes
    /// are present.
    public init(errors: [Double], isAnomaly: [Bool]) throws {
        guard errors.count == isAnomaly.count else {
            throw ScoringError("An ROC curve needs one label per error, but there are \(errors.count) errors and \(isAnomaly.count) labels.")
        }
        let positives = isAnomaly.filter { $0 }.count, negatives = isAnomaly.count - positives
        guard positives > 0, negatives > 0 else {
            throw ScoringError("An ROC curve needs both normal and anomalous samples.")
        }
        falsePositiveRates = [0]
        truePositiveRates = [0]
        for cut in Self.cuts(errors: errors, isAnomaly: isAnomaly) {
            falsePositiveRates.append(Double(cut.flagged - cut.truePositives) / Double(negatives))
            truePositiveRates.append(Double(cut.truePositives) / Double(positives))
        }
    }

    /// For each distinct error from the largest down, how many samples are flagged at or
    /// above it and how many of those are anomalies.
    static func cuts(errors: [Double], isAnomaly: [Bool]) -> [(flagged: Int, truePositives: Int)] {
        let order = errors.indices.sorted { errors[$0] > errors[$1] }
        var result: [(flagged: Int, truePositives: Int)] = []
        var truePositives = 0, index = 0
        while index < order.count {
            let value = errors[order[index]]
            while index < order.count, errors[order[index]] == value {
                if isAnomaly[order[index]] { truePositives += 1 }
                index += 1
            }
            result.append((index, truePositives))
        }
        return result
    }
}
