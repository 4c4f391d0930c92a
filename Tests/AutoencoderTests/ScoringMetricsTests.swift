@testable import Autoencoder
import Foundation
import Testing

/// Detection metrics and threshold rules on fixed small examples.
@Suite struct ScoringMetricsTests {
    // Ten samples, the errors 0.4 shared by two normal samples and one anomaly (a tie).
    let labels = [0, 0, 1, 1, 0, 1, 0, 0, 1, 0]
    let scores = [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.2, 0.05, 0.9, 0.3]
    var isAnomaly: [Bool] { labels.map { $0 == 1 } }

    /// scikit-learn 1.x:
    /// `roc_auc_score(y, s)` → 0.875 and `average_precision_score(y, s)` → 0.8166666666666667
    /// with `y = [0,0,1,1,0,1,0,0,1,0]`, `s = [0.1,0.4,0.35,0.8,0.4,0.4,0.2,0.05,0.9,0.3]`.
    @Test func rocAUCAndAveragePrecisionMatchScikitLearn() throws {
        let metrics = try DetectionMetrics(errors: scores, isAnomaly: isAnomaly, threshold: 0.38)
        #expect(abs(metrics.rocAUC! - 0.875) < 1e-12)
        #expect(abs(metrics.averagePrecision! - 0.8166666666666667) < 1e-12)
        #expect(metrics.notes.isEmpty)
    }

    @Test func countsPrecisionRecallAndF1AtTheThreshold() throws {
        // Above 0.38: 0.4 (normal), 0.8 (anomaly), 0.4 (normal), 0.4 (anomaly), 0.9 (anomaly).
        let metrics = try DetectionMetrics(errors: scores, isAnomaly: isAnomaly, threshold: 0.38)
        let counts: [Int] = [metrics.truePositives, metrics.falsePositives, metrics.trueNegatives, metrics.falseNegatives]
        #expect(counts == [3, 2, 4, 1])
        #expect(metrics.precision == 0.6)
        #expect(metrics.recall == 0.75)
        #expect(abs(metrics.f1! - 2.0 * 0.6 * 0.75 / 1.35) < 1e-12)
        #expect(metrics.falsePositiveRate == 2.0 / 6)
    }

    @Test func perfectAndReversedSeparation() throws {
        let perfect = try DetectionMetrics(errors: [1, 2, 3, 4], isAnomaly: [false, false, true, true], threshold: 2.5)
        #expect(perfect.rocAUC == 1 && perfect.averagePrecision == 1 && perfect.f1 == 1)
        let reversed = try DetectionMetrics(errors: [4, 3, 2, 1], isAnomaly: [false, false, true, true], threshold: 2.5)
        #expect(reversed.rocAUC == 0)
        // All tied: chance.
        let tied = try DetectionMetrics(errors: [1, 1, 1, 1], isAnomaly: [false, true, false, true], threshold: 0)
        #expect(tied.rocAUC == 0.5)
    }

    @Test func oneClassOnlyLeavesTheAreasUndefinedWithANote() throws {
        let normal = try DetectionMetrics(errors: [1, 2, 3], isAnomaly: [false, false, false], threshold: 2.5)
        #expect(normal.rocAUC == nil && normal.averagePrecision == nil && normal.recall == nil && normal.f1 == nil)
        #expect(normal.precision == 0)
        #expect(normal.notes == ["Every sample is normal, so ROC-AUC and average precision are undefined."])
        let anomalous = try DetectionMetrics(errors: [1, 2, 3], isAnomaly: [true, true, true], threshold: 5)
        #expect(anomalous.rocAUC == nil && anomalous.precision == nil && anomalous.recall == 0)
        #expect(anomalous.notes == ["Every sample is anomalous, so ROC-AUC and average precision are undefined.",
                                    "No sample is above the threshold, so precision is undefined."])
    }

    @Test func emptyOrMismatchedSetsAreOneSentence() {
        #expect(throws: ScoringError("Detection metrics need at least one sample; the set is empty.")) {
            try DetectionMetrics(errors: [], isAnomaly: [], threshold: 0)
        }
        #expect(throws: ScoringError("Detection metrics need one label per error, but there are 2 errors and 1 labels.")) {
            try DetectionMetrics(errors: [1, 2], isAnomaly: [true], threshold: 0)
        }
        #expect(throws: ScoringError("The percentile rule cannot be applied to an empty training set.")) {
            try ThresholdRule.percentile(95).threshold(trainingErrors: [])
        }
        #expect(throws: ScoringError("The best_f1 rule needs at least one anomaly among the labelled samples.")) {
            try ThresholdRule.bestF1.threshold(labelled: ([1, 2], [false, false]))
        }
    }

    @Test func theROCCurveRunsFromNothingToEverythingFlagged() throws {
        let curve = try ROCCurve(errors: scores, isAnomaly: isAnomaly)
        // sklearn's roc_curve(y, s, drop_intermediate=False) has one point per distinct score plus (0, 0).
        #expect(curve.falsePositiveRates.count == Set(scores).count + 1)
        #expect(curve.falsePositiveRates.first == 0 && curve.truePositiveRates.first == 0)
        #expect(curve.falsePositiveRates.last == 1 && curve.truePositiveRates.last == 1)
        // The trapezoids under it are the ROC-AUC.
        var area = 0.0
        for i in 1..<curve.falsePositiveRates.count {
            area += (curve.falsePositiveRates[i] - curve.falsePositiveRates[i - 1])
                * (curve.truePositiveRates[i] + curve.truePositiveRates[i - 1]) / 2
        }
        #expect(abs(area - 0.875) < 1e-12)
    }

    /// NumPy: `np.percentile([1, 2, 3, 4, 10], 90)` → 7.6; `np.mean(...) + 2 * np.std(...)` → 4 + 2·3.1622776601683795.
    @Test func percentileAndMeanStdFollowNumPy() throws {
        let training = [1.0, 2, 3, 4, 10]
        #expect(abs(try ThresholdRule.percentile(90).threshold(trainingErrors: training) - 7.6) < 1e-12)
        #expect(try ThresholdRule.percentile(0).threshold(trainingErrors: training) == 1)
        #expect(try ThresholdRule.percentile(100).threshold(trainingErrors: training) == 10)
        #expect(abs(try ThresholdRule.meanStd(2).threshold(trainingErrors: training) - (4 + 2 * 3.1622776601683795)) < 1e-12)
        #expect(try ThresholdRule.value(0.5).threshold() == 0.5)
    }

    @Test func targetFalsePositiveRateKeepsAtMostThatShareOfNormalsAbove() throws {
        let normal = (1...100).map(Double.init)
        let threshold = try ThresholdRule.targetFalsePositiveRate(0.05).threshold(trainingErrors: normal)
        #expect(threshold == 95)
        #expect(normal.filter { $0 > threshold }.count == 5)
        // On a labelled set, only its normal samples count.
        let labelled = try ThresholdRule.targetFalsePositiveRate(0).threshold(labelled: ([1, 2, 50, 3], [false, false, true, false]))
        #expect(labelled == 3)
    }

    @Test func bestF1FindsTheCutThatSeparates() throws {
        let threshold = try ThresholdRule.bestF1.threshold(labelled: ([0.1, 0.2, 0.3, 0.7, 0.8], [false, false, false, true, true]))
        #expect(threshold == 0.3)
        let metrics = try DetectionMetrics(errors: [0.1, 0.2, 0.3, 0.7, 0.8], isAnomaly: [false, false, false, true, true],
                                           threshold: threshold)
        #expect(metrics.f1 == 1)
        // On the tied example no other cut has a higher F1.
        let tied = try ThresholdRule.bestF1.threshold(labelled: (scores, isAnomaly))
        let best = try DetectionMetrics(errors: scores, isAnomaly: isAnomaly, threshold: tied).f1!
        for candidate in Set(scores).map({ $0 - 1e-9 }) + [1] {
            #expect(try DetectionMetrics(errors: scores, isAnomaly: isAnomaly, threshold: candidate).f1 ?? 0 <= best + 1e-12)
        }
    }

    @Test func rulesOutOfRangeAreRefused() {
        #expect(throws: ScoringError("The percentile must be between 0 and 100, not 101.0.")) { try ThresholdRule.percentile(101).validate() }
        #expect(throws: ScoringError("The target false-positive rate must be at least 0 and less than 1, not 1.0.")) {
            try ThresholdRule.targetFalsePositiveRate(1).validate()
        }
        #expect(throws: ScoringError("The threshold must be a finite number, not nan.")) { try ThresholdRule.value(.nan).validate() }
    }

    @Test func theReportsTableHasALabelColumnOnlyWithLabels() throws {
        let threshold = AnomalyThreshold(value: 0.38, rule: .value(0.38), error: .mse)
        let labelled = try ScoreReport(modelFile: "m", data: "d", errors: [0.1, 0.5], labels: [3, 7], threshold: threshold,
                                       normalLabels: [3])
        #expect(labelled.csv() == "index,label,error,anomaly\n0,3,0.1,0\n1,7,0.5,1\n")
        #expect(labelled.metrics?.rocAUC == 1)
        #expect(labelled.anomalies == 1)
        let unlabelled = try ScoreReport(modelFile: "m", data: "d", errors: [0.1, 0.5], labels: nil, threshold: threshold,
                                         normalLabels: nil)
        #expect(unlabelled.csv() == "index,error,anomaly\n0,0.1,0\n1,0.5,1\n")
        #expect(unlabelled.metrics == nil)
        let json = try JSONSerialization.jsonObject(with: Data(try labelled.json().utf8)) as! [String: Any]
        #expect((json["threshold"] as! [String: Any])["rule"] as? String == "value")
        #expect(json["errors"] == nil)
    }
}
