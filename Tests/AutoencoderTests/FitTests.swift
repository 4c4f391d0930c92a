import Autoencoder
import Testing

/// Training in one call: `AutoencoderModel.fit` runs the epochs, reports each and leaves
/// the trained parameters in the model.
@Suite struct FitTests {
    @Test func fitTrainsTheModelItselfAndReportsEveryEpoch() throws {
        let data = Fixtures.small(training: 256, test: 64)
        let training = Dataset(data.training, origin: "training"), test = Dataset(data.test, origin: "test")
        var generator = RandomGenerator(seed: 0)
        var model = try AutoencoderModel(configuration: ModelConfiguration(encoderWidths: [784, 32, 8]), generator: &generator)
        let before = model.meanSquaredError(on: test)
        var settings = TrainingConfiguration()
        settings.epochs = 3
        settings.batchSize = 32
        var heard: [Int] = []
        let reports = try model.fit(training, settings: settings, validation: test) { heard.append($0.epoch) }
        #expect(heard == [1, 2, 3])
        #expect(reports.count == 3 && reports.allSatisfy { $0.validationLoss != nil })
        #expect(model.meanSquaredError(on: test) < before)
    }

    @Test func fitRefusesDataOfAnotherWidth() throws {
        var generator = RandomGenerator(seed: 0)
        var model = try AutoencoderModel(configuration: ModelConfiguration(encoderWidths: [10, 2]), generator: &generator)
        let data = Matrix(rows: 4, columns: 3)
        var settings = TrainingConfiguration()
        settings.batchSize = 2
        #expect(throws: ConfigurationError.inputWidth(found: 10, expected: 3)) { try model.fit(data, settings: settings) }
    }
}
