import Autoencoder
import Foundation
import Testing

/// The commands for model descriptions: `model show`, `train --model`, described presets,
/// `inspect`'s summary and `sample`.
@Suite struct DescriptionCommandTests {
    @Test func aShownPresetTrainsBackAndInspects() throws {
        let folder = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let shown = try Executable.run(["model", "show", "--preset", "conv"])
        #expect(shown.status == 0, "\(shown.error)")
        #expect(try ModelDescription.decode(json: Data(shown.output.utf8)) == Preset.conv.describedWithTraining)
        let file = folder.appendingPathComponent("conv.json")
        try shown.output.write(to: file, atomically: true, encoding: .utf8)
        let run = folder.appendingPathComponent("run")
        let trained = try Executable.run(["train", "--model", file.path, "--epochs", "1", "--batch-size", "64",
                                          "--data", TestData.smallFolder.path, "--output", run.path])
        #expect(trained.status == 0, "\(trained.error)")
        let lines = trained.output.split(separator: "\n").map(String.init)
        #expect(lines.first?.wholeMatch(of: /Epoch: 0001 cost= 0\.\d{9}/) != nil, "\(lines)")
        #expect(lines.dropFirst().first?.wholeMatch(of: /Epoch 1\/1: mean loss 0\.\d{6}, \d+\.\d s/) != nil, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("Test loss: 0.") && $0.hasSuffix("(binary_crossentropy)") }, "\(lines)")
        for name in ["model.safetensors", "reconstructions.png", "metrics.json"] {
            #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent(name).path), "\(name)")
        }
        let inspected = try Executable.run(["inspect", "--model", run.appendingPathComponent("model.safetensors").path])
        #expect(inspected.status == 0, "\(inspected.error)")
        let text = inspected.output
        #expect(text.contains("Format: swift-autoencoder version 3"))
        #expect(text.contains("  Layer                       Output shape  Parameters"), "\(text)")
        #expect(text.contains("  encoder.0 Conv2D (relu)     [16, 28, 28]         160"), "\(text)")
        #expect(text.contains("  encoder.8 MaxPooling2D      [8, 4, 4]              0"), "\(text)")
        #expect(text.contains("  decoder.9 Conv2D (sigmoid)  [1, 28, 28]          145"), "\(text)")
        #expect(text.contains("  Code: [8, 4, 4] (128 values), relu"), "\(text)")
        #expect(text.contains("Training: 1 of 1 epochs, batch 64, adam (epsilon 1e-07) learning rate 0.001, seed 0"), "\(text)")
        #expect(text.contains("Description: {"))
    }

    @Test func aVariationalModelSamples() throws {
        let folder = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = folder.appendingPathComponent("vae")
        let trained = try Executable.run(["train", "--preset", "vae2d", "--epochs", "1", "--batch-size", "64",
                                          "--data", TestData.smallFolder.path, "--output", run.path])
        #expect(trained.status == 0, "\(trained.error)")
        #expect(trained.output.contains("(binary_crossentropy + KL)"))
        for name in ["manifold.png", "codes.png", "codes.csv"] {
            #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent(name).path), "\(name)")
        }
        let model = run.appendingPathComponent("model.safetensors").path
        let picture = folder.appendingPathComponent("samples.png").path
        let sampled = try Executable.run(["sample", "--model", model, "--count", "12", "--output", picture])
        #expect(sampled.status == 0, "\(sampled.error)")
        #expect(sampled.output == "Wrote 12 samples to \(picture)\n")
        let array = folder.appendingPathComponent("samples.npy").path
        let values = try Executable.run(["sample", "--model", model, "--count", "3", "--seed", "7", "--output", array])
        #expect(values.status == 0, "\(values.error)")
        let read = try CodeFile.read(array)
        #expect(read.rows == 3 && read.columns == 784)
        #expect(read.storage.allSatisfy { $0 >= 0 && $0 <= 1 })
        // The same seed draws the same samples.
        let again = folder.appendingPathComponent("again.npy").path
        _ = try Executable.run(["sample", "--model", model, "--count", "3", "--seed", "7", "--output", again])
        #expect(try CodeFile.read(again) == read)
    }

    @Test func misuseOfDescriptionsIsOneSentence() throws {
        let folder = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bad = folder.appendingPathComponent("bad.json")
        try #"{"input_shape": [784], "encoder": [{"kind": "Dense", "units": 2}], "decoder": [{"kind": "Dense", "units": 700}]}"#
            .write(to: bad, atomically: true, encoding: .utf8)
        let refused = try Executable.run(["train", "--model", bad.path, "--data", TestData.smallFolder.path])
        #expect(refused.status != 0)
        #expect(refused.error.hasPrefix("Error: The decoder's output has shape [700] but the input has shape [784]"), "\(refused.error)")
        let mixed = try Executable.run(["train", "--preset", "conv", "--layers", "784,32"])
        #expect(mixed.status != 0)
        #expect(mixed.error.hasPrefix("Error: --layers shapes the tutorial's dense presets; the conv preset is a model description"), "\(mixed.error)")
        let both = try Executable.run(["train", "--model", bad.path, "--activation", "relu"])
        #expect(both.error.hasPrefix("Error: --activation cannot be combined with --model"), "\(both.error)")
        let missing = try Executable.run(["train", "--model", folder.appendingPathComponent("none.json").path])
        #expect(missing.error.hasPrefix("Error: Cannot read the model description"), "\(missing.error)")
        // A model that is not variational has no prior to sample.
        let run = folder.appendingPathComponent("dense")
        _ = try Executable.run(["train", "--preset", "encoder2d", "--epochs", "1", "--batch-size", "64",
                                "--data", TestData.smallFolder.path, "--output", run.path])
        let notVariational = try Executable.run(["sample", "--model", run.appendingPathComponent("model.safetensors").path,
                                                 "--output", folder.appendingPathComponent("s.png").path])
        #expect(notVariational.status == 1)
        #expect(notVariational.error.contains("is not a variational autoencoder"), "\(notVariational.error)")
    }
}

@testable import AutoencoderCLI

extension DescriptionCommandTests {
    /// `--learning-rate` is the rate: an optimizer's own rate in a description gives way.
    @Test func learningRateOptionWinsOverTheDescriptionsOptimizer() throws {
        var training = TrainingConfiguration(learningRate: 0.01, optimizer: try OptimizerSpecification(kind: .sgd, learningRate: 0.1))
        #expect(training.learningRate(epoch: 0) == 0.1)
        let command = try TrainCommand.parse(["--learning-rate", "0.5"])
        try command.applyTrainingOptions(to: &training)
        #expect(training.optimizer?.learningRate == nil && training.learningRate(epoch: 0) == 0.5)
    }
}
