@testable import Autoencoder
import Foundation
import Testing

/// ``Experiment/progress`` hears every batch of every epoch, and changes none of the lines.
@Suite struct ExperimentProgressTests {
    /// Collects the reports (called on the training thread).
    final class Reports: @unchecked Sendable {
        private let lock = NSLock()
        private var collected: [EpochProgress] = []
        var all: [EpochProgress] { lock.withLock { collected } }
        func append(_ progress: EpochProgress) { lock.withLock { collected.append(progress) } }
    }

    @Test func everyBatchOfEveryEpochIsReportedAndTheLinesAreUnchanged() throws {
        let folder = Fixtures.temporaryFolder(), plainFolder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder); try? FileManager.default.removeItem(at: plainFolder) }
        var experiment = Experiment(preset: .encoder2d)
        experiment.training.epochs = 2
        experiment.training.batchSize = 256
        let data = Fixtures.small(training: 1024, test: 100)
        var plainLines: [String] = []
        try experiment.run(on: data, writingTo: plainFolder, log: { plainLines.append($0) })
        let reports = Reports()
        experiment.progress = { reports.append($0) }
        var lines: [String] = []
        try experiment.run(on: data, writingTo: folder, log: { lines.append($0) })
        // 1024 images in batches of 256: four a epoch.
        #expect(reports.all.map(\.epoch) == [1, 1, 1, 1, 2, 2, 2, 2])
        #expect(reports.all.allSatisfy { $0.epochs == 2 && $0.batch.batchCount == 4 })
        #expect(reports.all.map(\.batch.samplesDone) == [256, 512, 768, 1024, 256, 512, 768, 1024])
        // The same lines but for the seconds per epoch.
        #expect(lines.dropLast() == plainLines.dropLast())
    }
}
