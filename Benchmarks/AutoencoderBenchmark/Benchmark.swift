import ArgumentParser
import Autoencoder
import Foundation
import MallocInterposerSwift
#if canImport(Glibc)
import Glibc
#endif

/// `autoencoder-benchmark`: how fast the presets' models train and encode here.
///
/// For each preset it builds the model and trainer as `autoencoder train --preset` does
/// (the preset's optimizer, loss, batch size and input noise), trains on the real MNIST
/// for a few epochs and reports seconds per epoch (median of epochs 2…N: the first one
/// warms caches and thread pools), images per second, GFLOP/s of the layers'
/// multiply-adds and its share of the machine's peak (see ``flopPerSample(of:)``; with
/// the zero-skipping first layer, which does less of it, this is a dense-equivalent rate:
/// use `--first-layer dense` for the kernel's own), the time to encode the 10,000 test
/// images and to score them (`AutoencoderModel.reconstructionErrors(on:kind:chunkSize:)`),
/// heap allocations per training step after warm-up (counted by ordo-one's malloc
/// interposer), peak resident memory, the backend and the kernels' thread count.
///
/// `--score-npy FILE` instead times scoring a `.npy` of samples three ways: read into memory,
/// streamed from the file with its pages in the page cache, and streamed after its pages were
/// dropped from the cache (as a file larger than memory is read), and prints the ratios.
/// `Benchmarks/guard.py` runs it preset by preset and compares the JSON to a baseline.
@main
struct Benchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autoencoder-benchmark",
        abstract: "Measure training and encoding speed of the presets' models.")

    @Option(help: "Presets to run, comma-separated (any of \(Preset.allCases.map(\.rawValue).joined(separator: ", "))).")
    var presets: String = "autoencoder,encoder2d"

    @Option(help: "Training epochs per preset (the median of epochs 2…N is reported).")
    var epochs: Int = 4

    @Option(help: "Matrix-multiply backends, comma-separated: default (what `autoencoder` uses), blas, builtin, portable (the built-in kernel without AVX).")
    var backend: String = "default"

    @Option(help: "First-layer paths in training, comma-separated: sparse (skips the input's zeros, what `autoencoder` does) and dense; they alternate like the backends. Only a first dense layer has the two; other presets run once, as 'n/a'.")
    var firstLayer: String = "sparse"

    @Option(help: "Repetitions; backends and first-layer paths alternate within each, for side-by-side comparison.")
    var repetitions: Int = 1

    @Option(help: "Kernel thread counts, comma-separated (e.g. 1,2), alternating like the backends; 'all' is every usable core.")
    var threads: String = "all"

    @Option(help: ArgumentHelp("Time scoring this .npy of samples (the first preset's model, fresh weights) in memory and streamed from the file, instead of training.",
                               valueName: "file"))
    var scoreNpy: String?

    @Option(help: "The machine's peak single-precision GFLOP/s over all cores, for the % of peak column.")
    var peak: Double = 234

    @Option(help: "Folder holding the four MNIST files (default: $AUTOENCODER_DATA, then ./data/mnist).")
    var data: String?

    @Flag(help: "Print one JSON object per measurement (preset, repetition, backend, first layer) instead of the table.")
    var json = false

    struct Row: Codable {
        var preset: String
        var backend: String
        var firstLayer: String
        var secondsPerEpoch: Double
        var imagesPerSecond: Double
        var gflopPerStep: Double
        var gflopPerSecond: Double
        var percentOfPeak: Double
        var encodeMilliseconds: Double
        /// Scoring the test images by mean squared error, best of 5 to 20 runs.
        var scoreMilliseconds: Double
        /// The kernels' thread limit (`--threads`), at most the usable cores.
        var threads: Int
        var mallocsPerStep: Double
        var peakResidentMegabytes: Double
        /// The resident memory right after training, before the test set is encoded at once
        /// (which, for a convolutional model, takes far more than training); `nil` off Linux.
        var residentAfterTrainingMegabytes: Double?
        var testMSE: Double
    }

    /// Everything is checked before the first measurement, so a typo in the last preset
    /// does not end a long run without its table.
    func validate() throws {
        guard epochs >= 2 else { throw ValidationError("--epochs must be at least 2 (the first epoch is warm-up).") }
        guard !presetList.isEmpty, presetList.allSatisfy({ Preset(rawValue: $0) != nil }) else {
            throw ValidationError("--presets must list presets (\(Preset.allCases.map(\.rawValue).joined(separator: ", "))), not '\(presets)'.")
        }
        guard !backends.isEmpty, backends.allSatisfy({ ["default", "blas", "builtin", "portable"].contains($0) }) else {
            throw ValidationError("--backend must list default, blas, builtin or portable, not '\(backend)'.")
        }
        guard !firstLayers.isEmpty, firstLayers.allSatisfy({ ["sparse", "dense"].contains($0) }) else {
            throw ValidationError("--first-layer must list sparse or dense, not '\(firstLayer)'.")
        }
        guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1.") }
        guard peak > 0, peak.isFinite else { throw ValidationError("--peak must be a positive number of GFLOP/s, not \(peak).") }
        guard !Self.list(threads).isEmpty, Self.list(threads).allSatisfy({ $0 == "all" || (Int($0) ?? 0) >= 1 }) else {
            throw ValidationError("--threads must list thread counts of at least 1 (or 'all'), not '\(threads)'.")
        }
        if let problem = InstructionSet.environmentProblem() ?? MatrixMultiplication.environmentProblem() {
            throw ValidationError(problem)
        }
    }

    var presetList: [String] { Self.list(presets) }
    var backends: [String] { Self.list(backend) }
    var firstLayers: [String] { Self.list(firstLayer) }
    /// The thread limits to alternate; `nil` is every usable core.
    var threadLimits: [Int?] { Self.list(threads).map { Int($0) } }

    /// A comma-separated option's names, lower-cased as the `autoencoder` command reads them.
    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
    }

    func multiplier(_ name: String) throws -> any MatrixMultiplier {
        switch name {
        case "builtin": return BuiltInMatrixMultiplier()
        case "portable": return BuiltInMatrixMultiplier(kernel: .portable)!
        case "blas":
            guard let blas = CBLASMatrixMultiplier.load() else {
                throw ValidationError("No CBLAS library could be loaded; install libopenblas0-pthread or use --backend builtin.")
            }
            return blas
        default: return MatrixMultiplication.preferred
        }
    }

    func run() throws {
        if let scoreNpy {
            KernelThreads.setLimit(threadLimits.first ?? nil)
            return try NPYScoring(path: scoreNpy, preset: Preset(rawValue: presetList[0])!, json: json).run()
        }
        let multipliers = try backends.map(multiplier)
        let mnist = try MNIST.load(from: DataDirectoryLocator().locate(option: data))
        var rows: [Row] = []
        for preset in presetList.compactMap(Preset.init(rawValue:)) {
            for _ in 0..<repetitions {
                // Only a first dense layer skips zeros: other models have one path.
                let paths: [String?] = try Self.startsWithDenseLayer(preset) ? firstLayers : [nil]
                for multiplier in multipliers {
                    for path in paths {
                      for limit in threadLimits {
                        KernelThreads.setLimit(limit)
                        let row = try measure(preset, on: mnist, multiplier: multiplier, sparseFirstLayer: path.map { $0 == "sparse" })
                        rows.append(row)
                        if json {
                            let encoder = JSONEncoder()
                            encoder.outputFormatting = [.sortedKeys]
                            print(String(decoding: try encoder.encode(row), as: UTF8.self))
                        }
                      }
                    }
                }
            }
        }
        if !json { printTable(rows) }
    }

    /// Whether the preset's first layer is dense (the one that can skip the input's zeros).
    static func startsWithDenseLayer(_ preset: Preset) throws -> Bool {
        var generator = RandomGenerator(seed: 0)
        return try AutoencoderModel(preset: preset, generator: &generator).network.layers.first is Dense
    }

    /// `sparseFirstLayer` is `nil` for a model whose first layer is not dense.
    func measure(_ preset: Preset, on mnist: MNIST, multiplier: any MatrixMultiplier, sparseFirstLayer: Bool?) throws -> Row {
        // As `Experiment` trains a preset: its model, optimizer, loss, batch size and noise.
        let training = preset.training
        var generator = RandomGenerator(seed: training.seed)
        var model = try AutoencoderModel(preset: preset, generator: &generator)
        let trainer = Trainer(network: model.network, optimizer: training.makeOptimizer(),
                              loss: model.architecture.makeLoss(), batchSize: training.batchSize,
                              generator: generator, multiplier: multiplier,
                              firstLayerSkipsZeros: sparseFirstLayer ?? true,
                              inputNoise: training.inputNoise, gaussianNoise: training.gaussianNoise)
        trainer.optimizer.learningRate = training.learningRate(epoch: 0)

        // Allocations per step, after two warm-up steps.
        let indices = Array(0..<training.batchSize)
        let mallocs: Double = { (batch: ArraySlice<Int>) -> Double in
            for _ in 0..<2 { _ = trainer.step(batch, of: mnist.training) }
            MallocInterposerSwift.initialize()
            MallocInterposerSwift.reset()
            MallocInterposerSwift.hook()
            let steps = 20
            for _ in 0..<steps { _ = trainer.step(batch, of: mnist.training) }
            MallocInterposerSwift.unhook()
            return Double(MallocInterposerSwift.getStatistics().mallocCount) / Double(steps)
        }(indices[...])

        var seconds: [Double] = []
        for _ in 0..<epochs {
            // As `Experiment` does: each epoch's rate (the same for every preset without a schedule).
            trainer.optimizer.learningRate = training.learningRate(epoch: trainer.completedEpochs)
            seconds.append(try trainer.trainEpoch(on: mnist.training).seconds)
        }
        let perEpoch = median(Array(seconds.dropFirst()))
        let residentAfterTraining = residentMegabytes()
        model.network = trainer.network

        // Encoding and scoring the test set: the best of 5 to 20 runs (as many as fit in a
        // second after the fifth), so that one slow phase of a shared host does not decide it.
        let testImages = mnist.test.matrix()
        let encodeSeconds = Self.bestTime {
            _ = model.network.apply(testImages, layers: 0..<model.encoderDepth,
                                    chunkSize: testImages.rows, multiplier: multiplier)
        }
        // Scoring, as `autoencoder score` does (its samples converted chunk by chunk).
        let scoreSeconds = try Self.bestTime { _ = try model.reconstructionErrors(on: mnist.test) }

        let batch = Double(training.batchSize)
        let flopPerStep = batch * Self.flopPerSample(of: model.network.layers)
        let steps = Double(mnist.training.count / training.batchSize)
        let gflops = flopPerStep * steps / perEpoch / 1e9
        return Row(
            preset: preset.rawValue, backend: multiplier.name,
            firstLayer: sparseFirstLayer.map { $0 ? "sparse" : "dense" } ?? "n/a",
            secondsPerEpoch: perEpoch,
            imagesPerSecond: steps * batch / perEpoch, gflopPerStep: flopPerStep / 1e9,
            gflopPerSecond: gflops, percentOfPeak: 100 * gflops / peak, encodeMilliseconds: encodeSeconds * 1000,
            scoreMilliseconds: scoreSeconds * 1000, threads: KernelThreads.effective,
            mallocsPerStep: mallocs, peakResidentMegabytes: peakResidentMegabytes(),
            residentAfterTrainingMegabytes: residentAfterTraining,
            testMSE: model.meanSquaredError(on: mnist.test))
    }

    /// The multiply-adds of one sample's forward pass through `layer`: a dense layer's
    /// `in·out`, a convolution's `outH·outW·F·C·kh·kw`, a transposed convolution's
    /// `inH·inW·C·F·kh·kw`; 0 for the rest (pooling, up-sampling, sampling, activations,
    /// reshapes), whose work is not counted.
    static func multiplyAdds(of layer: any Layer) -> Int {
        let kernel = { (size: PairOfSizes) in size.height * size.width }
        switch layer {
        case let dense as Dense:
            return dense.inputWidth * dense.outputWidth
        case let convolution as Conv2D:
            // outputShape is [F, outH, outW]: its count is outH·outW·F.
            return convolution.outputShape.width * convolution.inputShape.dimensions[0] * kernel(convolution.kernelSize)
        case let transposed as Conv2DTranspose:
            // inputShape is [C, inH, inW]: its count is inH·inW·C.
            return transposed.inputShape.width * transposed.filters * kernel(transposed.kernelSize)
        default:
            return 0
        }
    }

    /// The shortest of 5 to 20 runs of `body`: after the fifth, more while a second has not
    /// passed since the first began.
    static func bestTime(_ body: () throws -> Void) rethrows -> Double {
        var best = Double.infinity
        let begin = Date()
        for run in 0..<20 {
            if run >= 5 && Date().timeIntervalSince(begin) > 1 { break }
            let start = Date()
            try body()
            best = min(best, Date().timeIntervalSince(start))
        }
        return best
    }

    /// The floating-point operations of one sample's training step through `layers`: two
    /// per multiply-add, for the forward pass, the weight gradients and the input gradients,
    /// which the trainer computes for every layer but the first.
    static func flopPerSample(of layers: [any Layer]) -> Double {
        let products = layers.map { Double(multiplyAdds(of: $0)) }
        return 2 * (3 * products.reduce(0, +) - (products.first ?? 0))
    }

    func printTable(_ rows: [Row]) {
        print("| preset | threads | s/epoch | images/s | GFLOP/s | % of \(Int(peak)) | encode 10k (ms) | score 10k (ms) | mallocs/step | peak RSS (MB) | RSS after training (MB) | test MSE | backend | first layer |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in rows {
            print(String(format: "| %@ | %d | %.3f | %.0f | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f | %@ | %.4f | %@ | %@ |",
                         r.preset, r.threads, r.secondsPerEpoch, r.imagesPerSecond, r.gflopPerSecond, r.percentOfPeak,
                         r.encodeMilliseconds, r.scoreMilliseconds, r.mallocsPerStep, r.peakResidentMegabytes,
                         r.residentAfterTrainingMegabytes.map { String(format: "%.0f", $0) } ?? "–", r.testMSE,
                         r.backend, r.firstLayer))
        }
    }

    func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The process's resident memory now, from `/proc/self/statm`; `nil` where there is none.
    func residentMegabytes() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Double(fields[1]) else { return nil }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }

    /// The process's peak resident memory so far (over every measurement before this one).
    func peakResidentMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
