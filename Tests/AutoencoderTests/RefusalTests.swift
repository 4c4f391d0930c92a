import Autoencoder
import Foundation
import Testing

/// Library calls given inputs they cannot work with throw one sentence (they used to trap).
@Suite struct RefusalTests {
    static let model: AutoencoderModel = {
        var generator = RandomGenerator(seed: 2)
        return try! AutoencoderModel(configuration: ModelConfiguration(encoderWidths: [784, 4]), generator: &generator)
    }()

    @Test func evaluationNeedsNeighboursAndImages() throws {
        let file = ModelFile(model: Self.model)
        let data = Fixtures.small(training: 64, test: 8)
        #expect(throws: ConfigurationError.neighborCount(0)) { try file.evaluate(on: data, k: 0, baselines: false) }
        #expect(ConfigurationError.neighborCount(0).description == "The number of nearest neighbours that vote must be at least 1, not 0.")
        #expect(throws: ConfigurationError.noTrainingSamples) {
            try file.evaluate(on: MNIST(training: data.training.prefix(0), test: data.test), baselines: false)
        }
        #expect(throws: ConfigurationError.noTestSamples) {
            try file.evaluate(on: MNIST(training: data.training, test: data.test.prefix(0)), baselines: false)
        }
        #expect(try file.evaluate(on: data, k: 1, baselines: false).testImages == 8)
    }

    @Test func reconstructionFigureChecksIndicesAndSize() throws {
        let images = Dataset(Fixtures.small(training: 4, test: 2).test, origin: "test")
        #expect(throws: PictureInputError("Image 5 cannot be drawn: there are 2 images (indices 0 to 1).")) {
            try Figures.reconstructions(of: Self.model, images: images, indices: [0, 5])
        }
        var generator = RandomGenerator(seed: 2)
        let small = try AutoencoderModel(configuration: ModelConfiguration(encoderWidths: [9, 2]), generator: &generator)
        #expect(throws: PictureInputError("The model takes 9 values per image but the images have 784 (1x28x28).")) {
            try Figures.reconstructions(of: small, images: images)
        }
        #expect(try Figures.reconstructions(of: Self.model, images: images, indices: [1]).width > 0)
    }

    @Test func codesThatWouldNotReadBackAreNotWritten() throws {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("c.csv").path
        let codes = Matrix(rows: 3, columns: 2, repeating: 1)
        #expect(throws: ArrayFileError("Cannot write the codes file '\(path)': there are 1 labels for 3 codes.")) {
            try CodeFile.write(codes, labels: [1], to: path)
        }
        var bad = codes
        bad[1, 1] = .nan
        #expect(throws: ArrayFileError("Cannot write the codes file '\(path)': the codes hold NaN or infinite values.")) {
            try CodeFile.write(bad, to: path)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
        try CodeFile.write(codes, labels: [1, 2, 3], to: path)
        #expect(try CodeFile.read(path) == codes)
    }
}
