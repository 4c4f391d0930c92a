import Foundation

/// The result of scoring a set of samples with a model: each sample's error and whether it is
/// called an anomaly, the threshold and how it was chosen, and (with labels that say which
/// samples are normal) the detection metrics. What `autoencoder score` writes as
/// `scores.csv` (``csv()``) and `scores.json` (``json()``).
public struct ScoreReport: Sendable, Equatable, Encodable {
    /// The model file scored with.
    public var modelFile: String
    /// The data scored, as named in messages (`the test set`, a file's name).
    public var data: String
    /// The error measured.
    public var error: ReconstructionErrorKind
    /// The threshold used and how it was chosen.
    public var threshold: AnomalyThreshold
    /// The number of samples scored.
    public var samples: Int
    /// The number of samples called anomalies (error above the threshold).
    public var anomalies: Int
    /// The labels counted as normal (every other label is an anomaly), when known.
    public var normalLabels: [Int]?
    /// The number of training samples whose errors chose the threshold, when they did.
    public var trainingSamples: Int?
    /// The detection metrics, when the samples' labels and the normal labels are known.
    public var metrics: DetectionMetrics?
    /// Remarks on what was or could not be measured, one sentence each.
    public var notes: [String]
    /// Each sample's error, in order (in `scores.csv`, not in the JSON).
    public var errors: [Double]
    /// Each sample's label, when known (in `scores.csv`, not in the JSON).
    public var labels: [Int]?

    private enum CodingKeys: String, CodingKey {
        case modelFile, data, error, threshold, samples, anomalies, normalLabels, trainingSamples, metrics, notes
    }

    /// Creates a report of `errors` (and their `labels`, when known) against `threshold`; with
    /// `normalLabels` and `labels`, with the detection metrics.
    ///
    /// Throws ``ScoringError`` for no samples, or labels not one per error.
    public init(modelFile: String, data: String, errors: [Double], labels: [Int]?, threshold: AnomalyThreshold,
                normalLabels: [Int]?, trainingSamples: Int? = nil) throws {
        guard !errors.isEmpty else { throw ScoringError("There are no samples to score.") }
        if let labels, labels.count != errors.count {
            throw ScoringError("There are \(errors.count) samples but \(labels.count) labels.")
        }
        self.modelFile = modelFile
        self.data = data
        self.error = threshold.error
        self.threshold = threshold
        self.samples = errors.count
        self.anomalies = errors.filter { $0 > threshold.value }.count
        self.normalLabels = normalLabels
        self.trainingSamples = trainingSamples
        self.errors = errors
        self.labels = labels
        self.notes = []
        if let labels, let normalLabels {
            let normal = Set(normalLabels)
            let metrics = try DetectionMetrics(errors: errors, isAnomaly: labels.map { !normal.contains($0) },
                                               threshold: threshold.value)
            self.metrics = metrics
            notes += metrics.notes
        }
    }

    /// Whether each sample is an anomaly by the labels (`nil` without labels or normal labels).
    public var isAnomaly: [Bool]? {
        guard let labels, let normalLabels else { return nil }
        let normal = Set(normalLabels)
        return labels.map { !normal.contains($0) }
    }

    /// The table `index,label,error,anomaly` (no `label` column without labels), one row per
    /// sample; `anomaly` is 1 when the error is above the threshold, else 0.
    public func csv() -> String {
        var text = labels == nil ? "index,error,anomaly\n" : "index,label,error,anomaly\n"
        text.reserveCapacity(errors.count * 24)
        for (index, error) in errors.enumerated() {
            text += "\(index),"
            if let labels { text += "\(labels[index])," }
            text += String(format: "%.9g", error) + (error > threshold.value ? ",1\n" : ",0\n")
        }
        return text
    }

    /// The report without the per-sample values, as pretty-printed JSON.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// The report as a few lines for the console.
    public func summary() -> String {
        var lines = ["Scored \(samples) samples of \(data) by \(error.rawValue).",
                     "Threshold: \(String(format: "%.6g", threshold.value)) (\(threshold.rule)\(threshold.parameter.map { " \(String(format: "%g", $0))" } ?? ""))",
                     "Anomalies: \(anomalies) of \(samples)"]
        if let metrics {
            func show(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "undefined" }
            lines.append("TP \(metrics.truePositives), FP \(metrics.falsePositives), TN \(metrics.trueNegatives), FN \(metrics.falseNegatives)")
            lines.append("Precision \(show(metrics.precision)), recall \(show(metrics.recall)), F1 \(show(metrics.f1))")
            lines.append("ROC-AUC \(show(metrics.rocAUC)), average precision \(show(metrics.averagePrecision))")
        }
        lines += notes.map { "Note: \($0)" }
        return lines.joined(separator: "\n")
    }
}
