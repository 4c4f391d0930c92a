import AutoencoderErrors
import Foundation

/// Everything a training run needs to continue where it stopped, in one safetensors file,
/// `checkpoint.safetensors` in the run's output folder.
///
/// The file is a model file (``ModelFile``: the same tensor names and metadata, so
/// `encode --model …/checkpoint.safetensors` works) plus:
/// - the tensors `optimizer.first_moments` and `optimizer.second_moments`: Adam's moment
///   estimates, flat, in the order of `Network.parameters` (tensor after tensor, in the
///   order of `ModelFile.tensorLayout(of:)`); another optimizer's tensors are
///   `optimizer.NAME` in snake case (`optimizer.momentum_buffer`, `optimizer.square_averages`);
/// - the metadata entry `checkpoint`: JSON of ``Checkpoint/State`` (epoch, Adam's step and
///   `β^t` products as exact bit patterns, or another optimizer's `OptimizerState`
///   settings and counters under `optimizer`, the generator's four words as decimal strings,
///   the per-epoch reports so far, and the run's name, colour map, data folder and a
///   fingerprint of the training data).
///
/// With early stopping (``TrainingConfiguration/earlyStoppingPatience``) it also holds the
/// tensor `early_stopping.best_parameters` (the parameters of the epoch with the lowest
/// validation loss so far, flat as the model's) and that epoch in the state's `bestEpoch`;
/// the validation losses are in the reports.
///
/// Being one file, written by `AtomicFileWriter` (temporary file, fsync, rename), a
/// checkpoint is always whole: a run killed at any moment leaves the previous one or the
/// new one, never a mix. Since an epoch's shuffle is drawn from the generator and the
/// learning rate is computed from the epoch, the parameters, the optimizer's state, the
/// epoch count, the generator state (and the best weights with early stopping) are the
/// trainer's entire state, so a resumed run ends bit-identical to an uninterrupted one.
public struct Checkpoint: Sendable {
    /// The file name in the output folder.
    public static let fileName = "checkpoint.safetensors"
    /// The prefix of the optimizer's tensors.
    static let tensorPrefix = "optimizer."
    /// The name of the tensor of the best epoch's parameters (early stopping only).
    static let bestParametersTensor = "early_stopping.best_parameters"
    /// The prefixes of the tensors that are not the model's, which a model file read from a
    /// checkpoint ignores.
    static let tensorPrefixes = [tensorPrefix, "early_stopping."]

    /// The run being continued: its name, architecture, settings, colour map and data folder.
    public var experiment: Experiment
    /// The network's parameters after ``completedEpochs`` epochs.
    public var parameters: [Float]
    /// The optimizer with its whole state (Adam: its moments, step count and `β^t` products).
    public var optimizer: any Optimizer
    /// The generator that shuffles the next epoch.
    public var generator: RandomGenerator
    /// The per-epoch reports so far; their count is the number of completed epochs.
    public var reports: [EpochReport]
    /// How many training images the run uses, and their ``Checkpoint/fingerprint(of:)``.
    public var trainingSamples: Int
    /// The training data's fingerprint.
    public var trainingFingerprint: String
    /// The size of one training image.
    public var imageShape: ModelFile.ImageShape?
    /// The matrix-multiply backend that trained the epochs so far (such as `built-in
    /// (AVX-512)`), when recorded: a run resumed with another one differs from an
    /// uninterrupted run in rounding, and says so.
    public var backend: String?
    /// With early stopping: the epoch (counting from 1) with the lowest validation loss so
    /// far and its parameters, which the run keeps if no later epoch beats it; else `nil`.
    public var best: (epoch: Int, parameters: [Float])?
    /// The file the checkpoint was read from; `nil` for one made in memory. Messages about
    /// resuming name it (else the run's `checkpoint.safetensors`).
    public internal(set) var path: String?

    /// The scaling fitted on the training data (kept, not fitted again, on resuming).
    public var scaling: Scaling = .pixels

    /// The number of epochs completed.
    public var completedEpochs: Int { reports.count }

    /// Bundles a run's state after `reports.count` epochs.
    public init(experiment: Experiment, parameters: [Float], optimizer: any Optimizer, generator: RandomGenerator,
                reports: [EpochReport], trainingSamples: Int, trainingFingerprint: String,
                imageShape: ModelFile.ImageShape? = nil, backend: String? = nil,
                best: (epoch: Int, parameters: [Float])? = nil) {
        self.best = best
        self.experiment = experiment
        self.parameters = parameters
        self.optimizer = optimizer
        self.generator = generator
        self.reports = reports
        self.trainingSamples = trainingSamples
        self.trainingFingerprint = trainingFingerprint
        self.imageShape = imageShape
        self.backend = backend
    }

    /// The part of the `checkpoint` metadata entry that is not in the model's own metadata.
    public struct State: Codable, Sendable, Equatable {
        /// The number of completed epochs.
        public var epoch: Int
        /// Adam's step count: the batches trained so far (Adam only).
        public var adamStep: Int?
        /// `β1^step` as the bit pattern of the `Float`, so it round-trips exactly (Adam only).
        public var adamBeta1PowerBits: UInt32?
        /// `β2^step` as the bit pattern of the `Float` (Adam only).
        public var adamBeta2PowerBits: UInt32?
        /// Adam's first-moment decay rate β1 (Adam only).
        public var adamBeta1: Float?
        /// Adam's second-moment decay rate β2 (Adam only).
        public var adamBeta2: Float?
        /// Adam's ε, added to the denominator (Adam only).
        public var adamEpsilon: Float?
        /// Any other optimizer's settings and counters, with its tensors' names mapped to
        /// empty arrays: the values are the file's `optimizer.NAME` tensors.
        public var optimizer: OptimizerState? = nil
        /// The generator's four state words, as decimal strings.
        public var generatorState: [String]
        /// The per-epoch reports so far, epoch 1 first.
        public var reports: [EpochReport]
        /// The run's name: a preset's name or `custom`.
        public var name: String
        /// The colour map of the reconstruction figure, by name.
        public var colorMap: String
        /// The run's checkpoint interval in epochs, if it had one.
        public var checkpointEvery: Int?
        /// The data folder the run trained on, so that `--resume` needs no `--data`.
        public var dataFolder: String?
        /// How many training images the run uses.
        public var trainingSamples: Int
        /// ``Checkpoint/fingerprint(of:)`` of the training images.
        public var trainingFingerprint: String
        /// The matrix-multiply backend so far (absent in checkpoints of older versions).
        public var backend: String? = nil
        /// With early stopping: the epoch with the lowest validation loss so far, whose
        /// parameters are the tensor `early_stopping.best_parameters`.
        public var bestEpoch: Int? = nil

        /// Checks the values a hand-edited or corrupt file could get wrong and that would
        /// otherwise crash the run or silently change its result: the interval, Adam's
        /// settings and running products, the sample count and the reports.
        func checkOptimizerAndRun(failure: (String) -> CheckpointError) throws {
            if let checkpointEvery, checkpointEvery < 1 {
                throw failure("its checkpoint interval \(checkpointEvery) is not a positive number of epochs")
            }
            if optimizer == nil {
                guard let adamStep, let adamBeta1, let adamBeta2, let adamEpsilon, let adamBeta1PowerBits,
                      let adamBeta2PowerBits else {
                    throw failure("it has neither Adam's state nor another optimizer's")
                }
                guard adamStep >= epoch else {
                    throw failure("its Adam step \(adamStep) is fewer than its \(epoch) epochs")
                }
                let unit: ClosedRange<Float> = 0...1
                guard unit.contains(adamBeta1), adamBeta1 < 1, unit.contains(adamBeta2), adamBeta2 < 1,
                      adamEpsilon.isFinite, adamEpsilon > 0 else {
                    throw failure("its Adam settings (β1 \(adamBeta1), β2 \(adamBeta2), ε \(adamEpsilon)) need 0 ≤ β < 1 and ε > 0")
                }
                let powers = [Float(bitPattern: adamBeta1PowerBits), Float(bitPattern: adamBeta2PowerBits)]
                guard powers.allSatisfy({ unit.contains($0) && $0 < 1 }) else {
                    throw failure("its Adam β^t products \(powers) are not in [0, 1)")
                }
            }
            guard trainingSamples >= 1 else {
                throw failure("its training sample count \(trainingSamples) is not positive")
            }
            for (index, report) in reports.enumerated() {
                guard report.epoch == index + 1, report.lastBatchCost.isFinite, report.meanCost.isFinite,
                      report.seconds.isFinite, report.seconds >= 0 else {
                    throw failure("its report \(index + 1) (epoch \(report.epoch)) is out of order or not finite")
                }
            }
        }
    }

    /// A fingerprint of a training set (FNV-1a over its sample count, shape, labels and
    /// values), recorded in checkpoints so that `--resume` refuses other data. Greyscale byte
    /// images hash as MNIST-format sets always have (count, rows, columns, label bytes,
    /// pixels), so earlier checkpoints still resume; other data hash their shape and the
    /// bits of their scaled values.
    public static func fingerprint(of data: Dataset) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        @inline(__always) func mix(_ byte: UInt8) {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        if let bytes = data.store as? ByteSamples, data.selection == nil, data.scaling == .pixels,
           let image = data.imageShape, image.channels == 1, let labels = data.labels {
            for size in [data.count, image.height, image.width] {
                withUnsafeBytes(of: UInt64(size).littleEndian) { $0.forEach(mix) }
            }
            for label in labels { mix(UInt8(truncatingIfNeeded: label)) }
            bytes.bytes.withUnsafeBufferPointer { buffer in
                var h = hash
                for byte in buffer { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
                hash = h
            }
            return String(hash, radix: 16)
        }
        for size in [data.count] + data.sampleShape {
            withUnsafeBytes(of: UInt64(size).littleEndian) { $0.forEach(mix) }
        }
        for label in data.labels ?? [] { withUnsafeBytes(of: Int64(label).littleEndian) { $0.forEach(mix) } }
        var start = 0
        while start < data.count {
            let range = start..<min(start + 1000, data.count)
            for value in data.samples(in: range) { withUnsafeBytes(of: value.bitPattern.littleEndian) { $0.forEach(mix) } }
            start = range.upperBound
        }
        return String(hash, radix: 16)
    }

    /// Writes the checkpoint to `url` atomically, after checking that ``read(from:)`` will
    /// take what is written (otherwise ``CheckpointError`` or ``ModelFileError``, and nothing
    /// is written).
    public func write(to url: URL) throws {
        let (tensors, metadata) = try contents()
        let bytes = try SafeTensors.encode(tensors, metadata: metadata, file: url.path)
        do {
            _ = try Self.read(SafeTensorsFile(bytes: bytes, file: url.path))
        } catch var error as CheckpointError {
            error.isWrite = true
            throw error
        } catch var error as ModelFileError {
            error.isWrite = true
            throw error
        }
        try AtomicFileWriter.write(bytes, toPath: url.path)
    }

    /// The tensors and metadata entries of the checkpoint's file.
    func contents() throws -> (tensors: [NamedFloatTensor], metadata: [String: String]) {
        let model = try experiment.makeModel(parameters: parameters)
        var modelFile = ModelFile(model: model, preset: experiment.name, training: experiment.training,
                                  epochsCompleted: completedEpochs,
                                  imageShape: imageShape)
        // Also as a model file's entry: `evaluate --model checkpoint.safetensors` reads it.
        modelFile.dataFolder = experiment.dataFolder
        modelFile.dataRecipe = experiment.dataRecipe
        modelFile.scaling = scaling
        // `train --resume` restricts the training images to these labels again.
        modelFile.trainingLabels = experiment.trainingLabels
        var metadata = try modelFile.metadata()
        let generatorWords = generator.state
        let adam = optimizer as? Adam
        var state = State(
            epoch: completedEpochs, adamStep: adam?.step,
            adamBeta1PowerBits: adam?.beta1Power.bitPattern, adamBeta2PowerBits: adam?.beta2Power.bitPattern,
            adamBeta1: adam?.beta1, adamBeta2: adam?.beta2, adamEpsilon: adam?.epsilon,
            generatorState: [generatorWords.0, generatorWords.1, generatorWords.2, generatorWords.3].map { String($0) },
            reports: reports, name: experiment.name, colorMap: experiment.colorMap.name,
            checkpointEvery: experiment.checkpointEvery, dataFolder: experiment.dataFolder,
            trainingSamples: trainingSamples, trainingFingerprint: trainingFingerprint, backend: backend,
            bestEpoch: best?.epoch)
        var optimizerTensors: [NamedFloatTensor]
        if let adam {
            // Adam keeps the layout of every earlier checkpoint.
            let zeros = [Float](repeating: 0, count: parameters.count)
            let first = adam.firstMoments.count == parameters.count ? adam.firstMoments : zeros
            let second = adam.secondMoments.count == parameters.count ? adam.secondMoments : zeros
            optimizerTensors = [
                NamedFloatTensor(name: Self.tensorPrefix + "first_moments", shape: [parameters.count], values: first),
                NamedFloatTensor(name: Self.tensorPrefix + "second_moments", shape: [parameters.count], values: second),
            ]
        } else {
            var optimizerState = optimizer.state
            // Named in snake case as Adam's are (`optimizer.momentum_buffer`).
            optimizerTensors = optimizerState.tensors.keys.sorted().map { name in
                NamedFloatTensor(name: Self.tensorPrefix + LayerFields.snakeCase(name),
                                 shape: [optimizerState.tensors[name]!.count], values: optimizerState.tensors[name]!)
            }
            optimizerState.tensors = optimizerState.tensors.mapValues { _ in [] }
            state.optimizer = optimizerState
        }
        metadata["checkpoint"] = try ModelFile.json(state)
        if let best {
            optimizerTensors.append(NamedFloatTensor(name: Self.bestParametersTensor, shape: [best.parameters.count],
                                                     values: best.parameters))
        }
        let tensors = modelFile.tensors() + optimizerTensors
        return (tensors, metadata)
    }

    /// Reads and checks the checkpoint at `url`.
    ///
    /// Throws `FileAccessError`, `SafeTensorsError`, ``ModelFileError`` or ``CheckpointError``.
    public static func read(from url: URL) throws -> Checkpoint {
        try read(SafeTensors.read(from: url))
    }

    /// Checks and builds the checkpoint from a safetensors file already read and validated,
    /// from a file by ``read(from:)`` or from memory by `SafeTensorsFile(bytes:file:)` (as the
    /// fuzzer does).
    static func read(_ file: SafeTensorsFile) throws -> Checkpoint {
        func failure(_ why: String) -> CheckpointError { CheckpointError(file: file.file, reason: why) }
        guard let stateText = file.metadata["checkpoint"] else {
            throw failure("its metadata has no 'checkpoint' entry, so it is a model file, not a checkpoint")
        }
        let modelFile = try ModelFile(file: file, ignoringTensorsWithPrefixes: tensorPrefixes)
        guard let training = modelFile.training else { throw failure("its metadata has no 'training' entry") }
        let state: State
        do {
            state = try JSONDecoder().decode(State.self, from: Data(stateText.utf8))
        } catch {
            throw failure("its 'checkpoint' metadata entry is not valid checkpoint JSON")
        }
        guard state.epoch == state.reports.count, state.epoch >= 1, state.epoch <= training.epochs else {
            throw failure("its epoch \(state.epoch) does not fit its \(state.reports.count) reports and \(training.epochs) epochs")
        }
        let words = state.generatorState.compactMap { UInt64($0) }
        guard words.count == 4, state.generatorState.count == 4, words != [0, 0, 0, 0] else {
            throw failure("its generator state is not four 64-bit decimal numbers")
        }
        guard let colorMap = ColorMap.named(state.colorMap) else {
            throw failure("its colour map '\(state.colorMap)' is unknown")
        }
        try state.checkOptimizerAndRun(failure: failure)
        // Adam counts its steps in an Int, one per batch: the epochs left must not take it past
        // Int.max, or the resumed run would trap.
        let left = training.epochs - state.epoch
        let steps = state.adamStep ?? state.optimizer?.counters["step"].map { Int(clamping: $0) } ?? 0
        let (future, overflow) = left.multipliedReportingOverflow(by: state.trainingSamples / training.batchSize)
        guard !overflow, !steps.addingReportingOverflow(future).overflow else {
            throw failure("its \(state.adamStep != nil ? "Adam" : "optimizer") step \(steps) would overflow in the \(left) epochs left")
        }
        let count = modelFile.model.network.parameterCount
        func moments(_ name: String, nonNegative: Bool) throws -> [Float] {
            let tensor: SafeTensor
            do { tensor = try file.tensor(named: tensorPrefix + name) } catch {
                throw failure("it has no tensor '\(tensorPrefix + name)'")
            }
            guard tensor.dtype == .float32, tensor.shape == [count] else {
                throw failure("tensor '\(tensorPrefix + name)' is not F32 of shape [\(count)]")
            }
            let values = try tensor.floats()
            guard values.allSatisfy({ $0.isFinite && (!nonNegative || $0 >= 0) }) else {
                throw failure("tensor '\(tensorPrefix + name)' holds \(nonNegative ? "negative, NaN or infinite" : "NaN or infinite") values")
            }
            return values
        }
        let optimizer: any Optimizer
        let tensorNames: Set<String>
        if var optimizerState = state.optimizer {
            // Every optimizer counts its updates, one per batch: at least one per epoch done.
            guard let step = optimizerState.counters["step"], step >= UInt64(state.epoch) else {
                throw failure("its optimizer's step count \(optimizerState.counters["step"].map(String.init) ?? "(none)") is fewer than its \(state.epoch) epochs")
            }
            tensorNames = Set(optimizerState.tensors.keys.map(LayerFields.snakeCase))
            for name in optimizerState.tensors.keys.sorted() {
                optimizerState.tensors[name] = try moments(LayerFields.snakeCase(name), nonNegative: false)
            }
            do {
                optimizer = try optimizerState.makeOptimizer()
            } catch {
                throw failure("its optimizer state cannot be restored: \(error.description.prefix(1).lowercased() + error.description.dropFirst().dropLast())")
            }
        } else {
            tensorNames = ["first_moments", "second_moments"]
            var adam = Adam(learningRate: training.learningRate, beta1: state.adamBeta1!, beta2: state.adamBeta2!,
                            epsilon: state.adamEpsilon!)
            adam.step = state.adamStep!
            adam.beta1Power = Float(bitPattern: state.adamBeta1PowerBits!)
            adam.beta2Power = Float(bitPattern: state.adamBeta2PowerBits!)
            adam.firstMoments = try moments("first_moments", nonNegative: false)
            adam.secondMoments = try moments("second_moments", nonNegative: true)
            optimizer = adam
        }
        if let extra = file.tensors.map(\.name).sorted().first(where: {
            $0.hasPrefix(tensorPrefix) && !tensorNames.contains(String($0.dropFirst(tensorPrefix.count)))
                || $0.hasPrefix("early_stopping.") && $0 != bestParametersTensor
        }) {
            throw failure("it has the unknown tensor '\(extra)'")
        }
        // Early stopping's best epoch so far and its parameters: both or neither, and only
        // with early stopping; the epoch one of those completed, with a validation loss.
        let hasBestTensor = file.tensors.contains { $0.name == bestParametersTensor }
        var best: (epoch: Int, parameters: [Float])? = nil
        if training.earlyStoppingPatience != nil || state.bestEpoch != nil || hasBestTensor {
            guard training.earlyStoppingPatience != nil, let bestEpoch = state.bestEpoch, hasBestTensor else {
                throw failure("its early-stopping state (best epoch and '\(bestParametersTensor)') does not fit its training settings")
            }
            guard bestEpoch >= 1, bestEpoch <= state.epoch,
                  state.reports[bestEpoch - 1].validationLoss?.isFinite == true else {
                throw failure("its best epoch \(bestEpoch) is not one of its \(state.epoch) epochs with a validation loss")
            }
            let tensor = try file.tensor(named: bestParametersTensor)
            guard tensor.dtype == .float32, tensor.shape == [count] else {
                throw failure("tensor '\(bestParametersTensor)' is not F32 of shape [\(count)]")
            }
            let values = try tensor.floats()
            guard values.allSatisfy(\.isFinite) else { throw failure("tensor '\(bestParametersTensor)' holds NaN or infinite values") }
            best = (bestEpoch, values)
        }
        if training.validationFraction != nil,
           let index = state.reports.firstIndex(where: { !($0.validationLoss?.isFinite ?? false) }) {
            throw failure("its report \(index + 1) has no finite validation loss, though the run holds images out")
        }

        var experiment = modelFile.model.configuration.map {
            Experiment(name: state.name, model: $0, training: training, colorMap: colorMap)
        } ?? Experiment(name: state.name, architecture: modelFile.model.architecture, training: training, colorMap: colorMap)
        experiment.checkpointEvery = state.checkpointEvery
        experiment.dataFolder = state.dataFolder
        experiment.dataRecipe = modelFile.dataRecipe
        experiment.trainingLabels = modelFile.trainingLabels
        var checkpoint = Checkpoint(
            experiment: experiment, parameters: modelFile.model.network.parameters, optimizer: optimizer,
            generator: RandomGenerator(state: (words[0], words[1], words[2], words[3])), reports: state.reports,
            trainingSamples: state.trainingSamples, trainingFingerprint: state.trainingFingerprint,
            imageShape: modelFile.imageShape, backend: state.backend, best: best)
        checkpoint.path = file.file
        checkpoint.scaling = modelFile.scaling
        return checkpoint
    }
}

/// A checkpoint that cannot be read or does not fit the run resumed from it.
public struct CheckpointError: Error, AutoencoderError, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// The file the error is about.
    public var subject: String? { file }

    /// The checkpoint's path.
    public let file: String
    /// Why, as the end of a sentence.
    public let reason: String
    /// Whether the checkpoint was being written (and was not, as it could not have been
    /// read back) rather than read.
    public var isWrite: Bool

    /// Creates the error.
    public init(file: String, reason: String, isWrite: Bool = false) {
        self.file = file
        self.reason = reason
        self.isWrite = isWrite
    }

    /// One sentence naming the checkpoint and the problem.
    public var description: String {
        isWrite ? "Cannot write the checkpoint '\(file)', which could not be read back: \(reason)."
            : "Cannot resume from the checkpoint '\(file)': \(reason)."
    }
    /// The same sentence, for Foundation's `localizedDescription`.
    public var errorDescription: String? { description }
}

/// A checkpoint interval below one epoch.
public struct CheckpointIntervalError: Error, AutoencoderError, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// The interval given.
    public let value: Int
    /// The error for the interval `value`.
    public init(value: Int) { self.value = value }
    /// One sentence naming the setting and the value.
    public var description: String { "The checkpoint interval must be at least 1 epoch, not \(value)." }
    /// The same sentence, for Foundation's `localizedDescription`.
    public var errorDescription: String? { description }
}
