import AutoencoderKernels
import AutoencoderNetwork
import AutoencoderNumerics
import Foundation
import Testing

@Suite struct TrainerTests {
    /// A small synthetic data set: 64 samples of 20 features in [0, 1] built from 3 prototypes.
    static func data() -> Matrix {
        var g = RandomGenerator(seed: 99)
        let prototypes = (0..<3).map { _ in (0..<20).map { _ in Float(g.nextUnitDouble()) } }
        var rows: [[Float]] = []
        for i in 0..<64 {
            rows.append(prototypes[i % 3].map { min(1, max(0, $0 + Float(g.nextUnitDouble() - 0.5) * 0.1)) })
        }
        return Matrix(rows)
    }

    static func trainer(seed: UInt64, learningRate: Float = 0.01, multiplier: any MatrixMultiplier) throws -> Trainer {
        var g = RandomGenerator(seed: seed)
        let network = try Network(layers: [
            Dense(20, 8, activation: .sigmoid, weightInitializer: .normal, biasInitializer: .normal),
            Dense(8, 2, activation: .linear, weightInitializer: .truncatedNormal, biasInitializer: .normal),
            Dense(2, 8, activation: .sigmoid, weightInitializer: .normal, biasInitializer: .normal),
            Dense(8, 20, activation: .sigmoid, weightInitializer: .normal, biasInitializer: .normal),
        ], generator: &g)
        return Trainer(network: network, optimizer: Adam(learningRate: learningRate), batchSize: 16,
                       generator: g, multiplier: multiplier)
    }

    @Test func lossFalls() throws {
        let data = Self.data()
        let trainer = try Self.trainer(seed: 1, multiplier: BuiltInMatrixMultiplier())
        let first = try trainer.trainEpoch(on: data)
        var last = first
        for _ in 0..<40 { last = try trainer.trainEpoch(on: data) }
        #expect(last.meanCost < first.meanCost * 0.5, "mean cost went from \(first.meanCost) to \(last.meanCost)")
        #expect(last.epoch == 41)
        #expect(trainer.completedEpochs == 41)
    }

    @Test func sameSeedGivesBitIdenticalParameters() throws {
        let data = Self.data()
        let a = try Self.trainer(seed: 4, multiplier: BuiltInMatrixMultiplier())
        let b = try Self.trainer(seed: 4, multiplier: BuiltInMatrixMultiplier())
        let c = try Self.trainer(seed: 5, multiplier: BuiltInMatrixMultiplier())
        for _ in 0..<3 {
            _ = try a.trainEpoch(on: data)
            _ = try b.trainEpoch(on: data)
            _ = try c.trainEpoch(on: data)
        }
        #expect(a.network.parameters == b.network.parameters)
        #expect(a.network.parameters != c.network.parameters)
    }

    /// A NaN in the data stops training with the data to blame (not the learning rate), at
    /// the batch that holds it, the parameters left as the previous step made them.
    @Test func nanInTheDataStopsWithEpochAndBatch() throws {
        var data = Self.data()
        data[5, 3] = .nan
        let trainer = try Self.trainer(seed: 1, multiplier: BuiltInMatrixMultiplier())
        do {
            _ = try trainer.trainEpoch(on: data)
            Issue.record("training on NaN data did not stop")
        } catch let error as TrainingError {
            guard case let .nonFiniteData(epoch, batch) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(epoch == 1)
            #expect(batch >= 1 && batch <= 4)
            #expect(error.description == "The training data holds NaN or infinite values (found in batch \(batch) of epoch 1).")
        }
        #expect(trainer.network.parameters.allSatisfy { $0.isFinite })
    }

    /// A learning rate far too large: the loss (or a gradient) overflows, and the error
    /// says so with its epoch and batch.
    @Test func divergenceStopsWithEpochAndBatch() throws {
        var g = RandomGenerator(seed: 2)
        let network = try Network(layers: [Dense(20, 8, activation: .linear, weightInitializer: .normal),
                                           Dense(8, 20, activation: .linear, weightInitializer: .normal)], generator: &g)
        let trainer = Trainer(network: network, optimizer: Adam(learningRate: 1e30), batchSize: 16, generator: g,
                              multiplier: BuiltInMatrixMultiplier())
        var caught: TrainingError?
        do {
            for _ in 0..<5 { _ = try trainer.trainEpoch(on: Self.data()) }
        } catch let error as TrainingError {
            caught = error
        }
        guard case let .nonFinite(epoch, batch, _)? = caught else {
            Issue.record("expected divergence, got \(String(describing: caught))")
            return
        }
        #expect(caught!.description.hasPrefix("Training diverged at epoch \(epoch), batch \(batch): "))
        #expect(trainer.network.parameters.allSatisfy { $0.isFinite })
    }

    @Test func badBatchSizeIsRejected() throws {
        let data = Matrix(rows: 8, columns: 20, repeating: 0.5)
        let trainer = try Self.trainer(seed: 1, multiplier: BuiltInMatrixMultiplier())
        #expect(throws: TrainingError.batchSize(16, sampleCount: 8)) { try trainer.trainEpoch(on: data) }
    }

    @Test func wrongDataWidthIsRejected() throws {
        let data = Matrix(rows: 64, columns: 21, repeating: 0.5)
        let trainer = try Self.trainer(seed: 1, multiplier: BuiltInMatrixMultiplier())
        #expect(throws: TrainingError.dataWidth(21, networkWidth: 20)) { try trainer.trainEpoch(on: data) }
    }

    /// A network that does not give back its input's width is refused by a throw, not a trap.
    @Test func aNetworkThatIsNotAnAutoencoderIsRejected() throws {
        var g = RandomGenerator(seed: 1)
        let network = try Network(layers: [Dense(4, 2, activation: .sigmoid)], generator: &g)
        let trainer = Trainer(network: network, optimizer: SGD(learningRate: 0.1), batchSize: 2, generator: g)
        #expect(throws: TrainingError.notAnAutoencoder(outputWidth: 2, inputWidth: 4)) {
            try trainer.trainEpoch(on: Matrix(rows: 4, columns: 4, repeating: 0.5))
        }
    }

    /// Sizes the library cannot work with stop the program with a message (exit tests, each
    /// in a child process) instead of reading past a buffer or looping for ever.
    @Test func misuseStopsWithAMessage() async {
        await #expect(processExitsWith: .failure) {   // it used to segfault when used
            var g = RandomGenerator(seed: 1)
            var network = try Network(layers: [Dense(3, 4, activation: .relu)], generator: &g)
            network.parameters = [1, 2, 3]
        }
        await #expect(processExitsWith: .failure) {   // it read past the gradients
            var parameters: [Float] = [1, 2, 3, 4]
            var sgd = SGD(learningRate: 1)
            _ = parameters.withUnsafeMutableBufferPointer { p in [Float(1)].withUnsafeBufferPointer { sgd.update(p, along: $0) } }
        }
        await #expect(processExitsWith: .failure) {   // it wrote past the gradient
            let prediction = Matrix(rows: 2, columns: 3, repeating: 1), target = Matrix(rows: 2, columns: 3, repeating: 0)
            var buffer = [Float](repeating: -7, count: 10)
            buffer.withUnsafeMutableBufferPointer { b in
                prediction.withView { p in target.withView { t in
                    _ = MeanSquaredError()(p, t, gradient: MutableMatrixView(b.baseAddress!, rows: 2, columns: 2))
                } }
            }
        }
        await #expect(processExitsWith: .failure) {   // it looped for ever
            var g = RandomGenerator(seed: 1)
            let network = try Network(layers: [Dense(3, 4, activation: .relu)], generator: &g)
            _ = network.apply(Matrix(rows: 2, columns: 3), chunkSize: 0)
        }
        await #expect(processExitsWith: .failure) { _ = Matrix(rows: -1, columns: -1, storage: [5]) }
    }

    @Test func anEmptyBatchHasNoLoss() {
        let empty = Matrix(rows: 0, columns: 3)
        let loss = empty.withView { p in empty.withView { t in MeanSquaredError()(p, t, gradient: nil) } }
        #expect(loss == 0)
    }

    @Test func blasAndBuiltInTrainAlike() throws {
        guard let blas = CBLASMatrixMultiplier.load() else { return }
        let data = Self.data()
        let a = try Self.trainer(seed: 8, multiplier: BuiltInMatrixMultiplier())
        let b = try Self.trainer(seed: 8, multiplier: blas)
        for _ in 0..<3 {
            let ra = try a.trainEpoch(on: data), rb = try b.trainEpoch(on: data)
            #expect(abs(ra.meanCost - rb.meanCost) <= 1e-4 * ra.meanCost)
        }
        for (x, y) in zip(a.network.parameters, b.network.parameters) {
            #expect(abs(x - y) <= 1e-3 * max(1, abs(x)))
        }
    }

    @Test func networkRejectsMismatchedWidths() {
        var g = RandomGenerator(seed: 1)
        #expect(throws: Network.ShapeError.widthMismatch(layer: 1, expected: 4, found: 5)) {
            try Network(layers: [Dense(3, 4, activation: .relu), Dense(5, 2, activation: .relu)], generator: &g)
        }
        #expect(throws: Network.ShapeError.parameterCount(expected: 16, found: 3)) {
            try Network(layers: [Dense(3, 4, activation: .relu)], parameters: [1, 2, 3])
        }
    }
}

@Suite struct BackendChoiceTests {
    @Test func environmentOverridesTheChoice() {
        #expect(MatrixMultiplication.choose(requested: "builtin") is BuiltInMatrixMultiplier)
        #expect(MatrixMultiplication.choose(requested: "libdoes-not-exist.so") is BuiltInMatrixMultiplier)
        if CBLASMatrixMultiplier.load() != nil {
            #expect(MatrixMultiplication.choose(requested: "cblas") is CBLASMatrixMultiplier)
            #expect(MatrixMultiplication.choose(requested: "libopenblas.so.0") is CBLASMatrixMultiplier)
        }
        #expect(MatrixMultiplication.environmentProblem("libdoes-not-exist.so")
                == "AUTOENCODER_BLAS names libdoes-not-exist.so, which could not be loaded or has no cblas_sgemm.")
        #expect(MatrixMultiplication.environmentProblem("libc.so.6")
                == "AUTOENCODER_BLAS names libc.so.6, which could not be loaded or has no cblas_sgemm.")
        for fine in [nil, "", "builtin", "none", "BUILTIN", "None"] { #expect(MatrixMultiplication.environmentProblem(fine) == nil) }
        #expect(MatrixMultiplication.choose(requested: "BuiltIn") is BuiltInMatrixMultiplier)
        if CBLASMatrixMultiplier.load() != nil {
            #expect(MatrixMultiplication.environmentProblem("cblas") == nil)
            #expect(MatrixMultiplication.environmentProblem("libopenblas.so.0") == nil)
        } else {
            #expect(MatrixMultiplication.environmentProblem("cblas")?.hasPrefix("AUTOENCODER_BLAS=cblas asks for a CBLAS library") == true)
        }
        // Without a request: the built-in kernel when it has a vector micro-kernel here.
        let chosen = MatrixMultiplication.choose(requested: nil)
        if BuiltInMatrixMultiplier().kernel != .portable {
            #expect(chosen is BuiltInMatrixMultiplier)
        } else if CBLASMatrixMultiplier.load() != nil {
            #expect(chosen is CBLASMatrixMultiplier)
        }
    }
}

/// The library may be used from several threads at once: each run's products share the one
/// worker pool (a batch that finds it busy runs on its own thread), and every result is
/// bit-identical to the same run made alone.
@Suite struct ConcurrentUseTests {
    /// 512 samples of 300 features, three quarters zeros (so the first layer skips them, as
    /// on MNIST), big enough that the products are split over the cores.
    static let data: Matrix = {
        var g = RandomGenerator(seed: 7)
        return Matrix(rows: 512, columns: 300, storage: (0..<(512 * 300)).map { _ in
            g.nextUnitDouble() < 0.75 ? 0 : Float(g.nextUnitDouble())
        })
    }()

    static func run(seed: UInt64) throws -> (parameters: [Float], codes: Matrix) {
        var g = RandomGenerator(seed: seed)
        let network = try Network(layers: [
            Dense(300, 128, activation: .sigmoid, weightInitializer: .normal, biasInitializer: .normal),
            Dense(128, 32, activation: .linear, weightInitializer: .truncatedNormal, biasInitializer: .normal),
            Dense(32, 128, activation: .sigmoid, weightInitializer: .normal, biasInitializer: .normal),
            Dense(128, 300, activation: .sigmoid, weightInitializer: .normal, biasInitializer: .normal),
        ], generator: &g)
        let trainer = Trainer(network: network, optimizer: Adam(learningRate: 0.01), batchSize: 64,
                              generator: g, multiplier: BuiltInMatrixMultiplier())
        for _ in 0..<2 { _ = try trainer.trainEpoch(on: data) }
        return (trainer.network.parameters,
                trainer.network.apply(data, layers: 0..<2, chunkSize: 200, multiplier: BuiltInMatrixMultiplier()))
    }

    @Test func runsOnSeveralThreadsMatchRunsAlone() throws {
        let seeds: [UInt64] = [1, 2, 3, 4]
        let alone = try seeds.map { try Self.run(seed: $0) }
        let results = Results(count: seeds.count)
        DispatchQueue.concurrentPerform(iterations: seeds.count) { index in
            results.store(Result { try Self.run(seed: seeds[index]) }, at: index)
        }
        for (index, result) in results.all.enumerated() {
            let together = try result.get()
            #expect(together.parameters == alone[index].parameters, "seed \(seeds[index])")
            #expect(together.codes == alone[index].codes, "seed \(seeds[index])")
        }
        #expect(alone[0].parameters != alone[1].parameters)
    }

    /// The results of the threads, each stored once under a lock.
    final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var slots: [Result<(parameters: [Float], codes: Matrix), any Error>?]
        init(count: Int) { slots = Array(repeating: nil, count: count) }
        func store(_ result: Result<(parameters: [Float], codes: Matrix), any Error>, at index: Int) {
            lock.withLock { slots[index] = result }
        }
        var all: [Result<(parameters: [Float], codes: Matrix), any Error>] { lock.withLock { slots.map { $0! } } }
    }
}

@Suite struct TrainingErrorTests {
    @Test func messagesSayWhatBecameNonFinite() {
        #expect(TrainingError.nonFinite(epoch: 3, batch: 17, cost: .nan).description
                == "Training diverged at epoch 3, batch 17: the loss became NaN (try a smaller learning rate).")
        #expect(TrainingError.nonFinite(epoch: 1, batch: 2, cost: .infinity).description
                == "Training diverged at epoch 1, batch 2: the loss became infinite (try a smaller learning rate).")
        #expect(TrainingError.nonFinite(epoch: 1, batch: 2, cost: 0.5).description
                == "Training diverged at epoch 1, batch 2: a gradient became NaN or infinite (try a smaller learning rate).")
    }
}
