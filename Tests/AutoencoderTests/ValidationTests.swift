@testable import Autoencoder
import Foundation
import Testing

/// `TrainingConfiguration.validationFraction` and `earlyStoppingPatience`: the seeded split,
/// the validation loss per epoch, early stopping, and resuming such a run.
@Suite struct ValidationTests {
    /// The held-out images of `data` for `split`, copied (for an independent computation).
    static func heldOut(_ images: LabeledImages, _ indices: [Int]) -> LabeledImages {
        LabeledImages(rows: images.rows, columns: images.columns,
                      pixels: indices.flatMap { images.image(at: $0) }, labels: indices.map { images.labels[$0] })
    }

    /// A small dense run: 784-64-16 on 512 images, batches of 64.
    static func experiment(fraction: Double? = 0.25, patience: Int? = nil, epochs: Int = 2,
                           learningRate: Float = 0.01) -> Experiment {
        Experiment(name: "custom", model: ModelConfiguration(encoderWidths: [784, 64, 16]),
                   training: TrainingConfiguration(epochs: epochs, batchSize: 64, learningRate: learningRate, seed: 3,
                                                   validationFraction: fraction, earlyStoppingPatience: patience))
    }

    @Test func theSplitIsSeededDisjointAndComplete() {
        let split = ValidationSplit(sampleCount: 100, fraction: 0.2, seed: 7)
        #expect(split == ValidationSplit(sampleCount: 100, fraction: 0.2, seed: 7))
        #expect(split.validation.count == 20 && split.training.count == 80)
        #expect(Set(split.training).isDisjoint(with: split.validation))
        #expect((split.training + split.validation).sorted() == Array(0..<100))
        #expect(split.training == split.training.sorted() && split.validation == split.validation.sorted())
        // Not simply the last images, and another seed holds out others.
        #expect(split.validation != Array(80..<100))
        #expect(ValidationSplit(sampleCount: 100, fraction: 0.2, seed: 8).validation != split.validation)
        // ⌈F·N⌉, with products that are whole numbers up to rounding kept whole.
        #expect(ValidationSplit.validationCount(sampleCount: 10, fraction: 0.3) == 3)
        #expect(ValidationSplit.validationCount(sampleCount: 2048, fraction: 0.1) == 205)
        #expect(ValidationSplit.validationCount(sampleCount: 7, fraction: 0.01) == 1)
        #expect(TrainingConfiguration(seed: 7, validationFraction: 0.2).validationSplit(sampleCount: 100) == split)
        #expect(TrainingConfiguration().validationSplit(sampleCount: 100) == nil)
    }

    @Test func badSettingsAreRefusedWithASentence() throws {
        for fraction in [0, 1, -0.5, 1.5, Double.infinity] {
            #expect(throws: ConfigurationError.validationFraction(fraction)) {
                try TrainingConfiguration(validationFraction: fraction).validate()
            }
        }
        #expect(throws: ConfigurationError.self) { try TrainingConfiguration(validationFraction: .nan).validate() }
        // 512 images, 0.9 held out: 461 held, 51 left, fewer than a batch of 64.
        let tooFew = TrainingConfiguration(batchSize: 64, validationFraction: 0.9)
        #expect(throws: ConfigurationError.validationSplit(0.9, sampleCount: 512, validationCount: 461, batchSize: 64)) {
            try tooFew.validate(sampleCount: 512)
        }
        try tooFew.validate()  // without the data, only the fraction itself is checked
        try TrainingConfiguration(batchSize: 64, validationFraction: 0.875).validate(sampleCount: 512)
        #expect(throws: ConfigurationError.earlyStoppingWithoutValidation) {
            try TrainingConfiguration(earlyStoppingPatience: 2).validate()
        }
        for patience in [0, -3] {
            #expect(throws: ConfigurationError.earlyStoppingPatience(patience)) {
                try TrainingConfiguration(validationFraction: 0.1, earlyStoppingPatience: patience).validate()
            }
        }
        #expect(ConfigurationError.validationFraction(0).description
                == "The validation fraction must be more than 0 and less than 1, not 0.0.")
        #expect(ConfigurationError.validationSplit(0.9, sampleCount: 512, validationCount: 461, batchSize: 64).description
                == "The validation fraction 0.9 holds out 461 of the 512 training images, leaving 51 to train on, fewer than the batch size 64.")
        #expect(ConfigurationError.earlyStoppingPatience(0).description
                == "The early-stopping patience must be at least 1 epoch, not 0.")
        #expect(ConfigurationError.earlyStoppingWithoutValidation.description
                == "Early stopping needs a validation fraction: it stops when the validation loss stops improving.")
        // A run checks the split against its data before training.
        var lines: [String] = []
        var experiment = Self.experiment(fraction: 0.9)
        experiment.writesModelFile = false
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: ConfigurationError.self) {
            try experiment.run(on: Fixtures.small(training: 512, test: 20), writingTo: folder, log: { lines.append($0) })
        }
        #expect(lines.isEmpty)
    }

    /// The settings are written only when set (the tutorial's files stay byte-identical),
    /// read back, and an unknown neighbour is still refused.
    @Test func theSettingsAreWrittenOnlyWhenSet() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(TrainingConfiguration()), as: UTF8.self)
                == #"{"batchSize":256,"epochs":10,"learningRate":0.01,"seed":0}"#)
        let set = TrainingConfiguration(validationFraction: 0.2, earlyStoppingPatience: 3)
        let text = String(decoding: try encoder.encode(set), as: UTF8.self)
        #expect(text.contains(#""validationFraction":0.2"#) && text.contains(#""earlyStoppingPatience":3"#))
        #expect(try JSONDecoder().decode(TrainingConfiguration.self, from: Data(text.utf8)) == set)
        #expect(throws: (any Error).self) {
            try JSONDecoder().decode(TrainingConfiguration.self, from: Data(#"{"validationFractions":0.2}"#.utf8))
        }
    }

    /// Without the options, the tutorial's console lines and metrics are as they were.
    @Test func withoutTheOptionsNothingChanges() throws {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var experiment = Experiment(preset: .autoencoder)
        experiment.training.epochs = 1
        experiment.training.batchSize = 64
        var lines: [String] = []
        let metrics = try experiment.run(on: Fixtures.small(training: 256, test: 20), writingTo: folder, log: { lines.append($0) })
        #expect(lines.count == 4)
        #expect(lines[0].wholeMatch(of: /Epoch: 0001 cost= 0\.\d{9}/) != nil, "\(lines[0])")
        #expect(lines[1] == "Optimization Finished!")
        #expect(metrics.validationLosses == nil && metrics.bestEpoch == nil && metrics.stoppedEarlyAfterEpoch == nil)
        let json = try String(contentsOf: folder.appendingPathComponent("metrics.json"), encoding: .utf8)
        #expect(!json.contains("alidation") && !json.contains("arly") && !json.contains("bestEpoch"))
    }

    /// The validation loss after each epoch is printed after the epoch's line, recorded, and
    /// equals the mean squared error of the trained model on the held-out images.
    @Test func theValidationLossIsThatOfTheHeldOutImages() throws {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = Fixtures.small(training: 512, test: 20)
        var lines: [String] = []
        let outcome = try Self.experiment().train(on: data, writingTo: folder, log: { lines.append($0) })
        let losses = try #require(outcome.metrics.validationLosses)
        #expect(losses.count == 2 && outcome.metrics.validationSamples == 128)
        #expect(lines[0].wholeMatch(of: /Epoch: 0001 cost= 0\.\d{9}/) != nil)
        #expect(lines[1] == String(format: "Validation loss: %.9f", losses[0]))
        #expect(lines[2].hasPrefix("Epoch: 0002 cost= "))
        #expect(lines[3] == String(format: "Validation loss: %.9f", losses[1]))
        #expect(lines[4] == "Optimization Finished!")
        // The model after the last epoch, measured on the held-out images copied out.
        let split = try #require(Self.experiment().training.validationSplit(sampleCount: 512))
        let expected = outcome.model.model.meanSquaredError(on: Self.heldOut(data.training, split.validation))
        #expect(abs(losses[1] - expected) <= 1e-5 * expected, "\(losses[1]) vs \(expected)")
        #expect(losses[1] < losses[0])
        // In metrics.json, which round-trips.
        let decoded = try JSONDecoder().decode(RunMetrics.self, from: Data(contentsOf: folder.appendingPathComponent("metrics.json")))
        #expect(decoded == outcome.metrics)
        #expect(outcome.metrics.bestEpoch == nil && outcome.metrics.stoppedEarlyAfterEpoch == nil)
    }

    /// With a learning rate too large to keep improving, patience 1 stops after the first
    /// epoch that is worse than the best, and the model is the best epoch's: bit-identical to
    /// a run of only that many epochs.
    @Test func earlyStoppingStopsAndKeepsTheBestEpochsWeights() throws {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = Fixtures.small(training: 512, test: 20)
        var lines: [String] = []
        let stopped = try Self.experiment(patience: 1, epochs: 12, learningRate: Self.rateThatOvershoots)
            .train(on: data, writingTo: folder, log: { lines.append($0) })
        let metrics = stopped.metrics
        let losses = try #require(metrics.validationLosses)
        let after = try #require(metrics.stoppedEarlyAfterEpoch, "\(losses)")
        let best = try #require(metrics.bestEpoch)
        #expect(after == best + 1 && losses.count == after)
        #expect(losses[best - 1] == losses.min())
        #expect(losses[after - 1] >= losses[best - 1])
        #expect(lines.contains("Early stopping after epoch \(after): the validation loss has not improved for 1 epoch; keeping epoch \(best)'s weights."))
        #expect(lines.filter { $0.hasPrefix("Epoch: ") }.count == after)
        #expect(stopped.model.epochsCompleted == after)

        var short = Self.experiment(epochs: best, learningRate: Self.rateThatOvershoots)
        short.writesModelFile = false
        let reference = try short.train(on: data, writingTo: Fixtures.temporaryFolder(), log: { _ in })
        #expect(stopped.model.model.network.parameters == reference.model.model.network.parameters)
        #expect(reference.metrics.validationLosses == Array(losses.prefix(best)))
    }

    /// A learning rate at which the small run's validation loss rises within a few epochs.
    static let rateThatOvershoots: Float = 0.5

    /// A run with early stopping that is checkpointed, stopped and resumed ends bit-identical
    /// to one that ran through, early-stopping decision included; resuming from the
    /// checkpoint written when it stopped only finishes the run.
    @Test func aResumedRunStopsAndEndsAsAnUninterruptedOne() throws {
        let data = Fixtures.small(training: 512, test: 20)
        var whole = Self.experiment(patience: 2, epochs: 12, learningRate: Self.rateThatOvershoots)
        whole.checkpointEvery = 1
        let wholeFolder = Fixtures.temporaryFolder(), partsFolder = Fixtures.temporaryFolder()
        defer {
            try? FileManager.default.removeItem(at: wholeFolder)
            try? FileManager.default.removeItem(at: partsFolder)
        }
        let uninterrupted = try whole.train(on: data, writingTo: wholeFolder, log: { _ in })
        let after = try #require(uninterrupted.metrics.stoppedEarlyAfterEpoch, "\(uninterrupted.metrics.validationLosses ?? [])")
        let best = try #require(uninterrupted.metrics.bestEpoch)

        // Interrupted after the best epoch (its weights must come from the checkpoint), before the stop.
        var part = whole
        part.training.epochs = best + 1
        _ = try part.train(on: data, writingTo: partsFolder, log: { _ in })
        var checkpoint = try Checkpoint.read(from: partsFolder.appendingPathComponent(Checkpoint.fileName))
        #expect(checkpoint.best?.epoch == best)
        checkpoint.experiment.training.epochs = 12
        var lines: [String] = []
        let resumed = try checkpoint.experiment.train(on: data, writingTo: partsFolder, resumingFrom: checkpoint,
                                                      log: { lines.append($0) })
        #expect(resumed.model.model.network.parameters == uninterrupted.model.model.network.parameters)
        #expect(resumed.metrics.validationLosses == uninterrupted.metrics.validationLosses)
        #expect(resumed.metrics.bestEpoch == best && resumed.metrics.stoppedEarlyAfterEpoch == after)
        #expect(lines.first == "Resuming after epoch \(best + 1) of 12 from checkpoint.safetensors")

        // The checkpoint written when the run stopped: no more epochs, the same model.
        let final = try Checkpoint.read(from: wholeFolder.appendingPathComponent(Checkpoint.fileName))
        #expect(final.completedEpochs == after && final.best?.epoch == best)
        lines = []
        let finished = try final.experiment.train(on: data, writingTo: wholeFolder, resumingFrom: final, log: { lines.append($0) })
        #expect(!lines.contains { $0.hasPrefix("Epoch: ") })
        #expect(lines.contains { $0.hasPrefix("Early stopping after epoch \(after):") })
        #expect(finished.model.model.network.parameters == uninterrupted.model.model.network.parameters)
        #expect(finished.metrics.validationLosses == uninterrupted.metrics.validationLosses)

        // A checkpoint whose early-stopping state does not fit its settings is not written.
        var withoutBest = final
        withoutBest.best = nil
        #expect(throws: CheckpointError.self) { try withoutBest.write(to: partsFolder.appendingPathComponent("bad.safetensors")) }
        var badEpoch = final
        badEpoch.best?.epoch = after + 1
        #expect(throws: CheckpointError.self) { try badEpoch.write(to: partsFolder.appendingPathComponent("bad.safetensors")) }
        var notStopping = final
        notStopping.experiment.training.earlyStoppingPatience = nil
        #expect(throws: CheckpointError.self) { try notStopping.write(to: partsFolder.appendingPathComponent("bad.safetensors")) }
        #expect(!FileManager.default.fileExists(atPath: partsFolder.appendingPathComponent("bad.safetensors").path))

        // The model file read from a checkpoint ignores the best-parameters tensor.
        let asModel = try ModelFile.read(from: wholeFolder.appendingPathComponent(Checkpoint.fileName))
        #expect(asModel.model.network.parameterCount == uninterrupted.model.model.network.parameterCount)
    }
}
