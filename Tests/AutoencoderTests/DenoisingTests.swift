import Autoencoder
import Foundation
import Testing

/// A denoising autoencoder (`TrainingConfiguration.inputNoise`, `train --input-noise`): the
/// network sees each training image with a share of its pixels set to 0 and learns to give
/// back the clean image.
@Suite struct DenoisingTests {
    /// The masking draws drop about the share asked for, the same values for the same
    /// seed, and nothing for a share of 0.
    @Test func masksTheShareAskedFor() {
        let count = 1 << 20
        let values = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { values.deallocate() }
        func dropped(share: Float, seed: UInt64) -> [Int] {
            values.initialize(repeating: 1, count: count)
            var generator = RandomGenerator(seed: seed)
            generator.dropValues(values, count: count, share: share)
            return (0..<count).filter { values[$0] == 0 }
        }
        let a = dropped(share: 0.3, seed: 1)
        #expect(abs(Double(a.count) / Double(count) - 0.3) < 0.003)
        #expect(dropped(share: 0.3, seed: 1) == a)
        #expect(dropped(share: 0.3, seed: 2) != a)
        #expect(dropped(share: 0, seed: 1).isEmpty)
        #expect(abs(Double(dropped(share: 0.9, seed: 3).count) / Double(count) - 0.9) < 0.003)
    }

    /// Training with input noise is reproducible, differs from plain training, and a model
    /// so trained takes masked images back to clean ones better than a plain one does.
    @Test func trainsADenoisingModel() throws {
        let data = Fixtures.small(training: 512, test: 100)
        func train(noise: Float) throws -> AutoencoderModel {
            var experiment = Experiment(name: "custom", model: ModelConfiguration(encoderWidths: [784, 64], activation: .sigmoid),
                                        training: TrainingConfiguration(epochs: 8, batchSize: 32, inputNoise: noise))
            experiment.writesModelFile = false
            let folder = Fixtures.temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            return try experiment.train(on: data, writingTo: folder, log: { _ in }).model.model
        }
        let plain = try train(noise: 0), denoising = try train(noise: 0.5)
        #expect(try train(noise: 0.5).network.parameters == denoising.network.parameters)
        #expect(plain.network.parameters != denoising.network.parameters)

        let clean = data.test.matrix()
        var masked = clean
        var generator = RandomGenerator(seed: 9)
        masked.storage.withUnsafeMutableBufferPointer { generator.dropValues($0.baseAddress!, count: $0.count, share: 0.5) }
        func error(_ model: AutoencoderModel) -> Float {
            let output = model.reconstruct(masked)
            return zip(output.storage, clean.storage).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Float(clean.storage.count)
        }
        #expect(error(denoising) < error(plain), "denoising \(error(denoising)), plain \(error(plain))")
    }

    /// A checkpointed run with input noise resumes bit-identically (the masks come from the
    /// run's generator, which the checkpoint keeps).
    @Test func resumesBitIdentically() throws {
        let data = Fixtures.small(training: 256, test: 20)
        var experiment = Experiment(name: "custom", model: ModelConfiguration(encoderWidths: [784, 16], activation: .sigmoid),
                                    training: TrainingConfiguration(epochs: 3, batchSize: 64, inputNoise: 0.25))
        let whole = Fixtures.temporaryFolder(), parts = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: whole); try? FileManager.default.removeItem(at: parts) }
        let uninterrupted = try experiment.train(on: data, writingTo: whole, log: { _ in })
        experiment.checkpointEvery = 1
        experiment.training.epochs = 1
        _ = try experiment.train(on: data, writingTo: parts, log: { _ in })
        var checkpoint = try Checkpoint.read(from: parts.appendingPathComponent(Checkpoint.fileName))
        #expect(checkpoint.experiment.training.inputNoise == 0.25)
        checkpoint.experiment.training.epochs = 3
        let resumed = try checkpoint.experiment.train(on: data, writingTo: parts, resumingFrom: checkpoint, log: { _ in })
        #expect(resumed.model.model.network.parameters == uninterrupted.model.model.network.parameters)
        #expect(try ModelFile.read(from: whole.appendingPathComponent(ModelFile.defaultName)).training?.inputNoise == 0.25)
        #expect(try ModelFile.read(from: whole.appendingPathComponent(ModelFile.defaultName)).rawMetadata["format_version"] == "2")
        #expect(try ModelFile.read(from: parts.appendingPathComponent(Checkpoint.fileName)).rawMetadata["format_version"] == "2")
    }

    /// The setting is checked, and files of plain runs do not mention it (they stay as they
    /// were); a file without it reads as 0.
    @Test func theSettingIsCheckedAndWrittenOnlyWhenUsed() throws {
        // Shares that would drop nothing or every pixel (the masks are drawn in 1/65536 steps).
        for share: Float in [-0.1, 1, .nan, .infinity, 1e-9, 0.999999] {
            do {
                try TrainingConfiguration(inputNoise: share).validate()
                Issue.record("input noise \(share) was accepted")
            } catch let error as ConfigurationError {
                guard case .inputNoise = error else { Issue.record("\(error)"); continue }
            }
        }
        try TrainingConfiguration(inputNoise: 0.99999).validate()
        try TrainingConfiguration(inputNoise: 0.00001).validate()
        #expect(ConfigurationError.inputNoise(1).description
                == "The input noise must be 0 or from 0.00001 to 0.99999 (the share of pixels set to 0), not 1.0.")
        let plain = String(decoding: try JSONEncoder().encode(TrainingConfiguration()), as: UTF8.self)
        #expect(!plain.contains("inputNoise"))
        let noisy = try JSONEncoder().encode(TrainingConfiguration(inputNoise: 0.3))
        #expect(try JSONDecoder().decode(TrainingConfiguration.self, from: noisy).inputNoise == 0.3)
        // A denoising model is format version 2 (earlier builds would resume its checkpoint
        // without the noise); a plain one stays version 1.
        let model = try AutoencoderModel(configuration: ModelConfiguration(encoderWidths: [784, 4], activation: .sigmoid),
                                         parameters: [Float](repeating: 0.01, count: 784 * 4 + 4 + 4 * 784 + 784))
        #expect(try ModelFile(model: model, training: TrainingConfiguration(inputNoise: 0.3)).metadata()["format_version"] == "2")
        #expect(try ModelFile(model: model, training: TrainingConfiguration()).metadata()["format_version"] == "1")
        let old = #"{"batchSize":256,"epochs":10,"learningRate":0.01,"seed":0}"#
        #expect(try JSONDecoder().decode(TrainingConfiguration.self, from: Data(old.utf8)) == TrainingConfiguration())
    }
}
