@testable import Autoencoder
import Foundation
import Testing

/// Per-sample errors of real models, the stored threshold, and the training run's new files.
@Suite struct ScoringModelTests {
    /// A small dense model (untrained: the errors' arithmetic does not need a good model).
    func denseModel(loss: String = "mse") throws -> AutoencoderModel {
        let json = """
        {"input_shape": [784], "encoder": [{"kind": "Dense", "units": 16, "activation": "relu"}],
         "decoder": [{"kind": "Dense", "units": 784, "activation": "sigmoid"}], "loss": {"kind": "\(loss)", "reduction": "mean"}}
        """
        var generator = RandomGenerator(seed: 1)
        return try AutoencoderModel(architecture: ModelDescription.decode(json: Data(json.utf8)), generator: &generator)
    }

    @Test func mseAndMaeArePerSampleMeansOfTheReconstruction() throws {
        let model = try denseModel()
        let images = Fixtures.small(training: 10, test: 30).test
        let inputs = images.matrix()
        let outputs = model.reconstruct(inputs)
        let mse = try model.reconstructionErrors(on: images, kind: .mse, chunkSize: 7)
        let mae = try model.reconstructionErrors(on: inputs, kind: .mae)
        #expect(mse.count == 30)
        for row in [0, 13, 29] {
            let differences = zip(outputs.row(row), inputs.row(row)).map { Double($0) - Double($1) }
            #expect(abs(mse[row] - differences.map { $0 * $0 }.reduce(0, +) / 784) < 1e-9)
            #expect(abs(mae[row] - differences.map(abs).reduce(0, +) / 784) < 1e-9)
        }
        // The chunks do not change the result.
        #expect(try model.reconstructionErrors(on: inputs, kind: .mse, chunkSize: 1000) == mse)
        // The mean of the per-sample MSEs is the model's MSE.
        #expect(abs(mse.reduce(0, +) / 30 - model.meanSquaredError(on: inputs)) < 1e-6)
    }

    @Test func theModelsOwnLossPerSampleAveragesToItsLoss() throws {
        let model = try denseModel(loss: "binary_crossentropy")
        let inputs = Fixtures.small(training: 10, test: 20).test.matrix()
        let losses = try model.reconstructionErrors(on: inputs, kind: .loss)
        var generator = RandomGenerator(seed: 0)
        #expect(abs(losses.reduce(0, +) / 20 - model.loss(on: inputs, generator: &generator)) < 1e-5)
    }

    @Test func theNegativeELBOOfAVariationalModel() throws {
        var generator = RandomGenerator(seed: 3)
        let vae = try AutoencoderModel(architecture: Preset.vae.architecture, generator: &generator)
        let inputs = Fixtures.small(training: 10, test: 12).test.matrix()
        let elbo = try vae.reconstructionErrors(on: inputs, kind: .elbo)
        let loss = try vae.reconstructionErrors(on: inputs, kind: .loss)
        // The preset's loss is the summed cross-entropy plus the KL term (weight 1): the same.
        #expect(zip(elbo, loss).allSatisfy { abs($0 - $1) < 1e-3 * max(1, abs($0)) })
        #expect(elbo.allSatisfy { $0 > 0 })
        #expect(throws: ScoringError("The error 'elbo' needs a variational autoencoder; this model is not one (use mse, mae or loss).")) {
            try denseModel().reconstructionErrors(on: inputs, kind: .elbo)
        }
    }

    @Test func dataOfAnotherWidthIsOneSentence() throws {
        #expect(throws: ScoringError("The model takes 784 values per sample but the data has 3.")) {
            try denseModel().reconstructionErrors(on: Matrix(rows: 2, columns: 3), kind: .mse)
        }
    }

    @Test func theThresholdAndTrainingLabelsAreStoredWithTheModel() throws {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var file = ModelFile(model: try denseModel())
        let url = folder.appendingPathComponent("model.safetensors")
        try file.write(to: url)
        // A file without the keys loads as before.
        let plain = try ModelFile.read(from: url)
        #expect(plain.anomalyThreshold == nil && plain.trainingLabels == nil)

        file.anomalyThreshold = AnomalyThreshold(value: 0.0125, rule: .percentile(95), error: .mse)
        file.trainingLabels = [3, 5]
        try file.write(to: url)
        let read = try ModelFile.read(from: url)
        #expect(read.anomalyThreshold == file.anomalyThreshold)
        #expect(read.anomalyThreshold?.rule == "percentile" && read.anomalyThreshold?.parameter == 95)
        #expect(read.trainingLabels == [3, 5])
        #expect(read.rawMetadata["anomaly_threshold"]?.contains("\"error\":\"mse\"") == true)
        // The keys are the format's: a note may not use them.
        file.notes["anomaly_threshold"] = "x"
        #expect(throws: ModelFileError.self) { try file.write(to: url) }
    }

    @Test func aRunDrawsItsLossesAndRecordsItsTrainingLabels() throws {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var experiment = Experiment(preset: .autoencoder)
        experiment.training.epochs = 2
        experiment.training.batchSize = 64
        experiment.training.validationFraction = 0.2
        experiment.trainingLabels = [1]
        let small = Fixtures.small(training: 1024, test: 50)
        let ones = try #require(Dataset(small.training, origin: "small").samples(labeled: [1]))
        #expect(ones.labels?.allSatisfy { $0 == 1 } == true && ones.count > 50)
        var lines: [String] = []
        let outcome = try experiment.train(on: ones, test: Dataset(small.test, origin: "small"), writingTo: folder,
                                           log: { lines.append($0) })
        // The tutorial's lines are unchanged: nothing is logged for the picture.
        #expect(lines.filter { $0.hasPrefix("Epoch: ") }.count == 2)
        #expect(!lines.contains { $0.contains("losses") })
        let image = try PNG.read(from: folder.appendingPathComponent("losses.png"))
        #expect(image.width == 1000 && image.height == 750)
        // Training and validation lines are both drawn.
        #expect(image.distinctColors.contains(LinePlot.palette[0]) && image.distinctColors.contains(LinePlot.palette[1]))
        #expect(outcome.metrics.filesWritten.contains("losses.png"))
        #expect(outcome.metrics.trainingLabels == [1])
        #expect(try ModelFile.read(from: folder.appendingPathComponent("model.safetensors")).trainingLabels == [1])
        #expect(Experiment.namesARunWrites.contains("losses.png"))
    }
}
