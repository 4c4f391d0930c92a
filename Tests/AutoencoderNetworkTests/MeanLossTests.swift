import AutoencoderNetwork
import AutoencoderKernels
import AutoencoderNumerics
import Foundation
import Testing

/// `Trainer.meanLoss(on:)`, the validation loss, and `BatchSubset`, the training part of a
/// validation split.
@Suite struct MeanLossTests {
    /// A network ending in a standalone sigmoid, with an L1 activity penalty on the code.
    static func network() throws -> Network {
        var g = RandomGenerator(seed: 5)
        return try Network(layers: [
            Dense(20, 6, activation: .relu, weightInitializer: .normal, biasInitializer: .normal),
            ActivityRegularization(width: 6, l1: 0.01),
            Dense(6, 20, activation: .linear, weightInitializer: .normal, biasInitializer: .normal),
            ActivationLayer(width: 20, activation: .sigmoid),
        ], generator: &g)
    }

    /// Binary cross-entropy from logits (the sigmoid left to the loss, as a step does) and the
    /// activity penalty, over 37 samples in batches of 16 (the last of 5): each reduction's
    /// loss is that of the whole set on a full batch's scale, computed independently from
    /// the network's outputs; nothing of the trainer's state moves.
    @Test(arguments: [Reduction.mean, .sumPerSample, .sum])
    func theLossOfAllSamplesOnABatchsScale(reduction: Reduction) throws {
        let data = Matrix(rows: 37, columns: 20, storage: (0..<(37 * 20)).map { Float(($0 * 7919) % 101) / 100 })
        let network = try Self.network()
        let generator = RandomGenerator(seed: 11)
        let trainer = Trainer(network: network, optimizer: Adam(learningRate: 0.01),
                              loss: BinaryCrossEntropy(fromLogits: true, reduction: reduction),
                              batchSize: 16, generator: generator)
        let loss = try #require(try trainer.meanLoss(on: data))

        let outputs = network.apply(data)
        let codes = network.apply(data, layers: 0..<1)
        var crossEntropy = 0.0
        for index in 0..<data.storage.count {
            let y = Double(outputs.storage[index]), t = Double(data.storage[index])
            crossEntropy -= t * log(max(y, 1e-12)) + (1 - t) * log(max(1 - y, 1e-12))
        }
        let penalty = codes.storage.reduce(0.0) { $0 + 0.01 * Double(abs($1)) } / 37
        let perSample = switch reduction {
        case .mean: crossEntropy / Double(37 * 20)
        case .sumPerSample: crossEntropy / 37
        case .sum: crossEntropy / 37 * 16
        }
        let expected = perSample + penalty
        #expect(abs(loss - expected) <= 1e-4 * expected, "\(loss) vs \(expected)")
        #expect(trainer.generator == generator && trainer.network.parameters == network.parameters)
        #expect(trainer.completedEpochs == 0)
        #expect(try trainer.meanLoss(on: Matrix(rows: 0, columns: 20)) == nil)
        #expect(throws: TrainingError.dataWidth(3, networkWidth: 20)) { try trainer.meanLoss(on: Matrix(rows: 2, columns: 3)) }
    }

    /// A subset fills a batch with its base's samples at its indices; training on it is
    /// training on those samples copied out.
    @Test func aSubsetIsItsBasesSamplesAtItsIndices() throws {
        let base = Matrix(rows: 10, columns: 3, storage: (0..<30).map(Float.init))
        let subset = BatchSubset(base, indices: [7, 2, 9, 4])
        #expect(subset.count == 4 && subset.width == 3 && subset.imageSize == nil)
        var batch = Matrix(rows: 2, columns: 3, repeating: -1)
        batch.withMutableView { subset.fillBatch([3, 0], into: $0) }
        #expect(batch.storage == [12, 13, 14, 21, 22, 23])

        let data = TrainerTests.data()
        let indices = Array(stride(from: 1, to: 64, by: 2))
        let copied = Matrix(indices.map { row in (0..<20).map { data[row, $0] } })
        let a = try TrainerTests.trainer(seed: 4, multiplier: BuiltInMatrixMultiplier())
        let b = try TrainerTests.trainer(seed: 4, multiplier: BuiltInMatrixMultiplier())
        for _ in 0..<3 {
            _ = try a.trainEpoch(on: BatchSubset(data, indices: indices))
            _ = try b.trainEpoch(on: copied)
        }
        #expect(a.network.parameters == b.network.parameters)
    }

    /// A subset's index past its base, or a batch index past the subset, stops the program
    /// (exit tests: they run in a child process).
    @Test func indicesOutsideStop() async {
        await #expect(processExitsWith: .failure) {
            _ = BatchSubset(Matrix(rows: 4, columns: 2, repeating: 0), indices: [1, 4])
        }
        await #expect(processExitsWith: .failure) {
            let subset = BatchSubset(Matrix(rows: 4, columns: 2, repeating: 0), indices: [1, 3])
            var destination = Matrix(rows: 2, columns: 2)
            destination.withMutableView { subset.fillBatch([0, 2], into: $0) }
        }
    }
}
