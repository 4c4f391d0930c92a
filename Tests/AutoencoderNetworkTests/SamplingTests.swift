import AutoencoderKernels
import AutoencoderNetwork
import AutoencoderNumerics
import Foundation
import Testing

@Suite struct SamplingTests {
    /// Means then log-variances of two samples with k = 3.
    static let input = Matrix([[0.5, -1, 2, 0, -0.5, 1], [-0.25, 0, 3, 0.5, 0, -2]])

    static func run(training: Bool, seed: UInt64 = 11) -> (output: Matrix, noise: [Float], addedLoss: Double) {
        let layer = Sampling(codeWidth: 3, klWeight: 0.5)
        let scratch = LayerScratch(layers: [layer], batchSize: 2)
        var context = LayerContext(generator: RandomGenerator(seed: seed), isTraining: training)
        context.scratch = scratch.buffers[0]
        var output = Matrix(rows: 2, columns: 3, repeating: .nan)
        input.withView { x in
            output.withMutableView { layer.forward(x, parameters: UnsafePointer(bitPattern: 8)!, into: $0, context: &context) }
        }
        return (output, Array(UnsafeBufferPointer(start: scratch.buffers[0]!.base, count: 6)), context.addedLoss)
    }

    /// At inference the code is the mean, exactly, and no KL term is added.
    @Test func inferenceReturnsTheMean() {
        let (output, _, added) = Self.run(training: false)
        #expect(output == Matrix([[0.5, -1, 2], [-0.25, 0, 3]]))
        #expect(added == 0)
    }

    /// In training z = μ + exp(½ log σ²)·ε with ε the standard normals of the context's
    /// generator, kept in the scratch memory; β·KL per sample, averaged over the batch.
    @Test func trainingSamplesAndAddsTheDivergence() {
        let (output, noise, added) = Self.run(training: true)
        var generator = RandomGenerator(seed: 11)
        let expectedNoise = (0..<6).map { _ in Float(generator.nextStandardNormal()) }
        #expect(noise == expectedNoise)
        var divergence = 0.0
        for r in 0..<2 {
            for j in 0..<3 {
                let mu = Self.input[r, j], lv = Self.input[r, 3 + j]
                #expect(abs(output[r, j] - (mu + Float(Foundation.exp(0.5 * Double(lv))) * noise[r * 3 + j])) < 1e-6)
                divergence += -0.5 * (1 + Double(lv) - Double(mu * mu) - Foundation.exp(Double(lv)))
            }
        }
        #expect(abs(added - 0.5 * divergence / 2) < 1e-9)
        // The same seed draws the same noise; another seed other noise.
        #expect(Self.run(training: true).output == output)
        #expect(Self.run(training: true, seed: 12).output != output)
    }

    /// A batch large enough to be split over the cores: ε, z and the KL term have the bits of
    /// the layer's expressions evaluated one by one, in order, in Swift.
    @Test func aLargeBatchHasTheValuesOfTheExpressionsOneByOne() {
        let rows = 300, k = 10
        let layer = Sampling(codeWidth: k, klWeight: 2)
        var g = RandomGenerator(seed: 5)
        let input = Matrix(rows: rows, columns: 2 * k, storage: (0..<(rows * 2 * k)).map { _ in Float(g.nextUnitDouble() * 6 - 3) })
        let scratch = LayerScratch(layers: [layer], batchSize: rows)
        var context = LayerContext(generator: RandomGenerator(seed: 9), isTraining: true)
        context.scratch = scratch.buffers[0]
        var output = Matrix(rows: rows, columns: k, repeating: .nan)
        input.withView { x in
            output.withMutableView { layer.forward(x, parameters: UnsafePointer(bitPattern: 8)!, into: $0, context: &context) }
        }
        var generator = RandomGenerator(seed: 9)
        var divergence = 0.0
        for r in 0..<rows {
            for j in 0..<k {
                let epsilon = Float(generator.nextStandardNormal())
                let mean = input[r, j], logVariance = input[r, k + j]
                #expect(scratch.buffers[0]![r * k + j].bitPattern == epsilon.bitPattern)
                #expect(output[r, j].bitPattern == (mean + Foundation.exp(0.5 * logVariance) * epsilon).bitPattern)
                let mu = Double(mean), lv = Double(logVariance)
                divergence += -0.5 * (1 + lv - mu * mu - Foundation.exp(lv))
            }
        }
        #expect(context.addedLoss == 2 * divergence / Double(rows))
        #expect(context.generator == generator)
    }

    @Test func shapesAndScratch() {
        let layer = Sampling(codeWidth: 4)
        #expect(layer.inputWidth == 8 && layer.outputWidth == 4 && layer.parameterCount == 0)
        #expect(layer.scratchCount(batchSize: 10) == 281)   // 40 floats of noise, one to align, 120 doubles
        #expect(layer.klWeight == 1)
    }

    @Test func specification() throws {
        let spec = try descriptionDecoder().decode(Sampling.Specification.self, from: Data(#"{"kind": "Sampling", "kl_weight": 0.25}"#.utf8))
        #expect(spec.klWeight == 0.25)
        #expect(spec.moduleCount == 1)
        #expect(spec.activation == nil)
        #expect(try spec.outputShape(for: .vector(64)) == .vector(32))
        #expect(spec.makeLayer(for: .vector(64)) as? Sampling == Sampling(codeWidth: 32, klWeight: 0.25))
        let defaults = try descriptionDecoder().decode(Sampling.Specification.self, from: Data(#"{}"#.utf8))
        #expect(defaults.klWeight == 1)
    }

    @Test func specificationRefusesUnknownFieldsAndNegativeWeights() {
        #expect(throws: LayerFieldError(field: "beta", reason: "is not a field of Sampling")) {
            try descriptionDecoder().decode(Sampling.Specification.self, from: Data(#"{"beta": 1}"#.utf8))
        }
        #expect(throws: LayerFieldError(field: "kl_weight", reason: "must be a finite number not below 0, not -1.0")) {
            try descriptionDecoder().decode(Sampling.Specification.self, from: Data(#"{"kl_weight": -1}"#.utf8))
        }
    }

    @Test func oddWidthsAndImagesAreRefused() {
        let spec = Sampling.Specification()
        #expect(throws: LayerShapeProblem.self) { try spec.outputShape(for: .vector(7)) }
        #expect(throws: LayerShapeProblem.self) { try spec.outputShape(for: .image(channels: 2, height: 2, width: 2)) }
        #expect(throws: LayerShapeProblem.self) { try spec.outputShape(for: .vector(0)) }
    }
}
