import Autoencoder
import Testing

/// A model encodes, decodes and reconstructs the arrays a program has (`[Float]`, `[[Float]]`)
/// as it does a ``Matrix``, and is callable as its reconstruction.
@Suite struct ModelCallTests {
    static func model() throws -> AutoencoderModel {
        var generator = RandomGenerator(seed: 5)
        return try AutoencoderModel(configuration: ModelConfiguration(encoderWidths: [6, 3, 2], activation: .sigmoid),
                                    generator: &generator)
    }

    static let samples: [[Float]] = [[0, 0.2, 0.4, 0.6, 0.8, 1], [1, 0.9, 0.1, 0, 0.5, 0.3], [0.3, 0.3, 0.3, 0.7, 0.7, 0.7]]

    @Test func arraysGiveWhatMatricesGive() throws {
        let model = try Self.model()
        let matrix = Matrix(Self.samples)
        let codes = model.encode(matrix)
        #expect(model.encode(Self.samples) == codes.rowArrays)
        #expect(model.encode(Self.samples[1]) == Array(codes.row(1)))
        let decoded = model.decode(codes)
        #expect(model.decode(codes.rowArrays) == decoded.rowArrays)
        #expect(model.decode(Array(codes.row(2))) == Array(decoded.row(2)))
        let reconstructed = model.reconstruct(matrix)
        #expect(model.reconstruct(Self.samples) == reconstructed.rowArrays)
        #expect(model.reconstruct(Self.samples[0]) == Array(reconstructed.row(0)))
    }

    @Test func aModelIsCallableAsItsReconstruction() throws {
        let model = try Self.model()
        let matrix = Matrix(Self.samples)
        #expect(model(matrix) == model.reconstruct(matrix))
        #expect(model(Self.samples) == model.reconstruct(Self.samples))
        #expect(model(Self.samples[2]) == model.reconstruct(Self.samples[2]))
        #expect(model(matrix).columns == model.inputWidth)
    }

    @Test func noSamplesGiveNoCodes() throws {
        let model = try Self.model()
        #expect(model.encode([[Float]]()) == [])
        #expect(model.reconstruct([[Float]]()) == [])
    }
}
