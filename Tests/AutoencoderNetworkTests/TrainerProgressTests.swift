import AutoencoderNetwork
import AutoencoderNumerics
import Foundation
import Testing

/// `Trainer.trainEpoch(on:progress:)` reports each batch and trains as it does without.
@Suite struct TrainerProgressTests {
    /// Collects the reports (the callback is synchronous, on the training thread).
    final class Reports {
        var all: [BatchProgress] = []
    }

    @Test func theHookIsCalledOncePerBatchWithTheRightCounts() throws {
        let data = TrainerTests.data()
        let watched = try TrainerTests.trainer(seed: 3, multiplier: BuiltInMatrixMultiplier())
        let plain = try TrainerTests.trainer(seed: 3, multiplier: BuiltInMatrixMultiplier())
        let reports = Reports()
        let report = try watched.trainEpoch(on: data) { reports.all.append($0) }
        let plainReport = try plain.trainEpoch(on: data)
        // 64 samples in batches of 16: four batches.
        #expect(reports.all.map(\.batchesDone) == [1, 2, 3, 4])
        #expect(reports.all.allSatisfy { $0.batchCount == 4 })
        #expect(reports.all.map(\.samplesDone) == [16, 32, 48, 64])
        #expect(reports.all.last?.meanLoss == report.meanCost)
        #expect(zip(reports.all, reports.all.dropFirst()).allSatisfy { $0.seconds <= $1.seconds })
        // Watching changes nothing.
        #expect(report.meanCost == plainReport.meanCost)
        #expect(watched.network.parameters == plain.network.parameters)
    }
}
