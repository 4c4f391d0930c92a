import Foundation

/// One training run of an autoencoder on MNIST-format data, with the tutorial's console
/// output and files: `reconstructions.png`, `losses.png` (see ``Figures/losses(_:)``,
/// refreshed after every epoch), for a 2-D code `codes.png` and `codes.csv`,
/// `metrics.json`, and `report.html` (see ``RunReport``). A run into a folder that holds an earlier run's files replaces
/// them: the earlier checkpoint, when it keeps none of its own, once its first file is
/// written; once all its files are written, those it did not rewrite (the files the earlier
/// run's `metrics.json` shows it wrote, and `evaluation.json`). Files of the user's are kept.
public struct Experiment: Sendable {
    /// The name recorded in the metrics: a preset's name or `"custom"`.
    public var name: String
    /// What the run trains: the tutorial's kind of architecture, or any description.
    private var source: Source
    private enum Source: Sendable { case configuration(ModelConfiguration), description(ModelDescription) }

    /// The architecture when it is the tutorial's kind (a mirrored stack of dense layers),
    /// else `nil`; assigning one makes the run train it.
    public var model: ModelConfiguration? {
        get { if case let .configuration(configuration) = source { configuration } else { nil } }
        set { if let newValue { source = .configuration(newValue) } }
    }

    /// The model the run trains, as a description; assigning one makes the run train it.
    public var architecture: ModelDescription {
        get {
            switch source {
            case let .configuration(configuration): configuration.architecture
            case let .description(description): description
            }
        }
        set { source = .description(newValue) }
    }
    /// The training settings.
    public var training: TrainingConfiguration
    /// The colour map of the reconstruction figure.
    public var colorMap: ColorMap

    /// Whether ``run(on:writingTo:resumingFrom:multiplier:log:)`` writes the trained model
    /// as `model.safetensors` (see ``ModelFile``) into the output folder: on by default, so
    /// every run leaves a model that `encode`, `evaluate` and PyTorch can load
    /// (``train(on:writingTo:resumingFrom:multiplier:log:)`` returns the model either way).
    public var writesModelFile: Bool = true
    /// Write `checkpoint.safetensors` (see ``Checkpoint``) after every this many epochs, and
    /// after the last; `nil` for none.
    public var checkpointEvery: Int? = nil
    /// The data folder (an absolute path), recorded in checkpoints so that `train --resume`
    /// finds it again, and in the model file and `metrics.json` so that the commands on the
    /// saved model use the same data.
    public var dataFolder: String? = nil
    /// The labels the caller restricted the training images to (`train --only-labels`), when
    /// it did: recorded in `metrics.json` and the model file (where `score` finds the
    /// training data's errors); the run itself trains on the data it is given.
    public var trainingLabels: [Int]? = nil
    /// Called after each training batch with the epoch's progress (the command line's live
    /// progress line); `nil`, the default, for none.
    public var progress: (@Sendable (EpochProgress) -> Void)? = nil
    /// How the data was read, when it was not an MNIST-format folder, recorded in the model
    /// file so that the commands on the saved model read the same test data.
    public var dataRecipe: DataRecipe? = nil

    /// Creates a run of `preset` with its own settings.
    public init(preset: Preset) {
        if let model = preset.model {
            self.init(name: preset.rawValue, model: model, training: preset.training)
        } else {
            self.init(name: preset.rawValue, architecture: preset.architecture, training: preset.training)
        }
    }

    /// Creates a run of any architecture and settings.
    public init(name: String, model: ModelConfiguration, training: TrainingConfiguration,
                colorMap: ColorMap = .viridis) {
        self.name = name
        self.source = .configuration(model)
        self.training = training
        self.colorMap = colorMap
    }

    /// Creates a run of a model description.
    public init(name: String, architecture: ModelDescription, training: TrainingConfiguration,
                colorMap: ColorMap = .viridis) {
        self.name = name
        self.source = .description(architecture)
        self.training = training
        self.colorMap = colorMap
    }

    /// The model with fresh parameters drawn from `generator`, or with `parameters`.
    func makeModel(generator: inout RandomGenerator) throws -> AutoencoderModel {
        switch source {
        case let .configuration(configuration): try AutoencoderModel(configuration: configuration, generator: &generator)
        case let .description(description): try AutoencoderModel(architecture: description, generator: &generator)
        }
    }

    /// The model with the given flat parameters.
    func makeModel(parameters: [Float]) throws -> AutoencoderModel {
        switch source {
        case let .configuration(configuration): try AutoencoderModel(configuration: configuration, parameters: parameters)
        case let .description(description): try AutoencoderModel(architecture: description, parameters: parameters)
        }
    }

    /// The width of a code of the run's model (0 when the description cannot be built).
    var codeWidth: Int { (try? architecture.build())?.codeShape.width ?? 0 }

    /// What ``train(on:writingTo:resumingFrom:multiplier:log:)`` gives back.
    public struct Outcome: Sendable {
        /// What the run measured (also in `metrics.json`).
        public var metrics: RunMetrics
        /// The trained model with its metadata (also in `model.safetensors` when written).
        public var model: ModelFile
    }

    /// Trains on `data.training`, evaluates on `data.test`, writes the files into
    /// `output` and returns the metrics. `log` receives each console line.
    ///
    /// Everything that can be checked before training is: the settings against the data,
    /// and that `output` can be written, so a long run never ends in an unwritable folder.
    @discardableResult
    public func run(
        on data: MNIST, writingTo output: URL, resumingFrom checkpoint: Checkpoint? = nil,
        multiplier: any MatrixMultiplier = MatrixMultiplication.preferred,
        log: (String) -> Void = { print($0) }
    ) throws -> RunMetrics {
        try train(on: data, writingTo: output, resumingFrom: checkpoint, multiplier: multiplier, log: log).metrics
    }

    /// As ``train(on:test:writingTo:resumingFrom:multiplier:log:)`` on an MNIST-format data
    /// set's training and test images.
    public func train(
        on data: MNIST, writingTo output: URL, resumingFrom checkpoint: Checkpoint? = nil,
        multiplier: any MatrixMultiplier = MatrixMultiplication.preferred,
        log: (String) -> Void = { print($0) }
    ) throws -> Outcome {
        try train(on: Dataset(data.training, origin: dataFolder ?? "the training images"),
                  test: Dataset(data.test, origin: dataFolder ?? "the test images"),
                  writingTo: output, resumingFrom: checkpoint, multiplier: multiplier, log: log)
    }

    /// As ``run(on:writingTo:resumingFrom:multiplier:log:)``, and also returns the trained model.
    ///
    /// With `checkpoint` (read by ``Checkpoint/read(from:)``), training continues after the
    /// checkpoint's epoch with its parameters, optimizer state and generator, so the result is
    /// bit-identical to a run that was never interrupted. The checkpoint must come from the
    /// same training data (checked by fingerprint).
    ///
    /// With ``TrainingConfiguration/validationFraction``, the epochs train on the training
    /// part of ``TrainingConfiguration/validationSplit(sampleCount:)`` only, and after each
    /// epoch the held-out part's loss (`Trainer.meanLoss(on:)`) is logged as
    /// `Validation loss: 0.012345678` under the tutorial's epoch line (which stays as it is)
    /// and recorded in the reports and the metrics. With
    /// ``TrainingConfiguration/earlyStoppingPatience`` P, the run stops once P epochs in a row
    /// have not lowered the lowest validation loss (logging `Early stopping after epoch N: …`),
    /// and, stopped or not, ends with the weights of the epoch with the lowest one.
    public func train(
        on trainingData: Dataset, test testData: Dataset, writingTo output: URL, resumingFrom checkpoint: Checkpoint? = nil,
        multiplier: any MatrixMultiplier = MatrixMultiplication.preferred,
        log: (String) -> Void = { print($0) }
    ) throws -> Outcome {
        guard trainingData.width > 0 else { throw ConfigurationError.emptyImages(trainingData.sampleShape) }
        if let model {
            try model.validate(inputWidth: trainingData.width)
        } else {
            let layout = try architecture.build()
            guard layout.shapes[0].width == trainingData.width else {
                throw DescriptionError("The model takes \(architecture.inputShape) samples (\(layout.shapes[0].width) values) but the data's samples are \(Experiment.shapeText(trainingData.sampleShape)) (\(trainingData.width) values).")
            }
        }
        try training.validate(sampleCount: trainingData.count)
        // The test set is only used after training: check it now, not after the epochs.
        guard testData.count > 0 else { throw ConfigurationError.noTestSamples }
        guard testData.sampleShape == trainingData.sampleShape else {
            // A greyscale image's shape as users know it: 28x28, not 1x28x28.
            func shown(_ shape: [Int]) -> [Int] { shape.count == 3 && shape[0] == 1 ? Array(shape.dropFirst()) : shape }
            throw ConfigurationError.testImageSize(test: shown(testData.sampleShape), training: shown(trainingData.sampleShape))
        }
        if let checkpointEvery, checkpointEvery < 1 {
            throw CheckpointIntervalError(value: checkpointEvery)
        }
        let needsFingerprint = checkpoint != nil || checkpointEvery != nil
        let fingerprint = needsFingerprint ? Checkpoint.fingerprint(of: trainingData) : ""
        if let checkpoint {
            let file = checkpoint.path ?? output.appendingPathComponent(Checkpoint.fileName).path
            guard checkpoint.experiment.architecture == architecture, checkpoint.experiment.training == training else {
                throw CheckpointError(file: file, reason: "it was made for another architecture or other training settings")
            }
            guard checkpoint.trainingSamples == trainingData.count, checkpoint.trainingFingerprint == fingerprint else {
                throw CheckpointError(file: file, reason: "it was made on other training data (\(checkpoint.trainingSamples) samples, fingerprint \(checkpoint.trainingFingerprint)) than the \(trainingData.count) samples given")
            }
        }
        let folder = try OutputFolder(output)
        let lock = try folder.lockForRun()
        defer { withExtendedLifetime(lock) {} }
        try checkNothingStandsInTheWay(in: folder)
        Experiment.removeTemporaryFiles(in: folder)
        // The files an earlier run in this folder wrote, by its metrics.json, read before this
        // run replaces it.
        let earlierFiles = (try? JSONDecoder().decode(RunMetrics.self, from: Data(contentsOf: folder.file("metrics.json"))))?
            .filesWritten ?? []
        let imageShape = trainingData.imageShape.map { ModelFile.ImageShape(rows: $0.height, columns: $0.width, channels: $0.channels) }

        var trained: AutoencoderModel
        let trainer: Trainer
        var reports: [EpochReport]
        // Early stopping's best epoch so far and a copy of its parameters (allocated once,
        // overwritten in place when an epoch improves on it).
        var best: (epoch: Int, parameters: [Float])? = nil
        if let checkpoint {
            trained = try makeModel(parameters: checkpoint.parameters)
            trainer = Trainer(network: trained.network, optimizer: checkpoint.optimizer, loss: trained.architecture.makeLoss(),
                              batchSize: training.batchSize, generator: checkpoint.generator, multiplier: multiplier,
                              inputNoise: training.inputNoise, gaussianNoise: training.gaussianNoise)
            trainer.completedEpochs = checkpoint.completedEpochs
            reports = checkpoint.reports
            best = checkpoint.best
            log("Resuming after epoch \(checkpoint.completedEpochs) of \(training.epochs) from "
                + (checkpoint.path.map { URL(fileURLWithPath: $0).lastPathComponent } ?? Checkpoint.fileName))
            if let earlier = checkpoint.backend, earlier != multiplier.name {
                log("Note: epochs 1-\(checkpoint.completedEpochs) ran with \(earlier) and the rest run with \(multiplier.name), "
                    + "so the weights will differ in rounding from an uninterrupted run.")
            }
        } else {
            var generator = RandomGenerator(seed: training.seed)
            trained = try makeModel(generator: &generator)
            trainer = Trainer(network: trained.network, optimizer: training.makeOptimizer(), loss: trained.architecture.makeLoss(),
                              batchSize: training.batchSize, generator: generator, multiplier: multiplier,
                              inputNoise: training.inputNoise, gaussianNoise: training.gaussianNoise)
            reports = []
        }
        // With a validation fraction, the trainer sees only the training part (the images are
        // not copied) and the held-out part is measured after each epoch.
        let split = training.validationSplit(sampleCount: trainingData.count)
        let trainingPart = split.map { BatchSubset(trainingData, indices: $0.training) }
        let validationPart = split.map { BatchSubset(trainingData, indices: $0.validation) }
        let patience = training.earlyStoppingPatience
        /// Whether early stopping has run out of patience after `completed` epochs.
        func outOfPatience(after completed: Int) -> Bool {
            guard let patience, let best else { return false }
            return completed - best.epoch >= patience
        }
        while trainer.completedEpochs < training.epochs, !outOfPatience(after: trainer.completedEpochs) {
            // The tutorial's settings keep their rate; a schedule or an optimizer's own rate sets it.
            trainer.optimizer.learningRate = training.learningRate(epoch: trainer.completedEpochs)
            let epochProgress = progress.map { progress in
                { [epoch = trainer.completedEpochs + 1, epochs = training.epochs] (batch: BatchProgress) in
                    progress(EpochProgress(epoch: epoch, epochs: epochs, batch: batch))
                }
            }
            var report = try trainingPart.map { try trainer.trainEpoch(on: $0, progress: epochProgress) }
                ?? trainer.trainEpoch(on: trainingData, progress: epochProgress)
            if let validationPart {
                report.validationLoss = try trainer.meanLoss(on: validationPart)
            }
            reports.append(report)
            // Refreshed after every epoch, atomically, so it can be watched; a picture that
            // cannot be drawn here does not stop training (the last one, after training, throws).
            try? Figures.losses(reports).write(to: folder.file("losses.png"))
            log(String(format: "Epoch: %04d cost= %.9f", report.epoch, Double(report.lastBatchCost)))
            if model == nil {
                // Beyond the tutorial's line (the last batch's cost): the epoch's mean loss and time.
                log(String(format: "Epoch %d/%d: mean loss %.6f, %.1f s", report.epoch, training.epochs, report.meanCost,
                           report.seconds))
            }
            if let loss = report.validationLoss {
                log(String(format: "Validation loss: %.9f", loss))
                guard loss.isFinite else { throw TrainingError.nonFiniteValidationLoss(epoch: report.epoch) }
                if patience != nil {
                    if best == nil {
                        // A copy of its own (not the network's array, which the next step would
                        // then have to copy): the only allocation of early stopping.
                        best = (report.epoch, trainer.network.parameters.withUnsafeBufferPointer { Array($0) })
                    } else if loss < reports[best!.epoch - 1].validationLoss! {
                        best!.epoch = report.epoch
                        best!.parameters.withUnsafeMutableBufferPointer { copy in
                            trainer.network.parameters.withUnsafeBufferPointer { _ = copy.update(fromContentsOf: $0) }
                        }
                    }
                }
            }
            if let every = checkpointEvery,
               report.epoch % every == 0 || report.epoch == training.epochs || outOfPatience(after: report.epoch) {
                var saved = Checkpoint(experiment: self, parameters: trainer.network.parameters, optimizer: trainer.optimizer,
                                       generator: trainer.generator, reports: reports,
                                       trainingSamples: trainingData.count, trainingFingerprint: fingerprint,
                                       imageShape: imageShape, backend: multiplier.name, best: best)
                saved.scaling = trainingData.scaling
                try saved.write(to: folder.file(Checkpoint.fileName))
            }
        }
        let stoppedEarly = trainer.completedEpochs < training.epochs
        if let best, let patience {
            if stoppedEarly {
                log("Early stopping after epoch \(trainer.completedEpochs): the validation loss has not improved for "
                    + "\(patience) epoch\(patience == 1 ? "" : "s"); keeping epoch \(best.epoch)'s weights.")
            } else if best.epoch != trainer.completedEpochs {
                log("Keeping epoch \(best.epoch)'s weights, which had the lowest validation loss.")
            }
            trainer.setParameters(best.parameters)
        }
        log("Optimization Finished!")
        trained.network = trainer.network

        let testMSE = trained.meanSquaredError(on: testData)
        let seconds = reports.map(\.seconds)
        log(String(format: "Test MSE: %.6f", testMSE))
        // The model's own loss on the test set, for models that are not the tutorial's (whose
        // loss is the MSE above); a variational autoencoder's samples its codes from a stream
        // of its own, so the run's generator is untouched.
        var testLoss: Double?
        if model == nil {
            var generator = RandomGenerator(seed: training.seed ^ 0x7465_7374_6C6F_7373)
            testLoss = trained.loss(on: testData.matrix(), generator: &generator)
            log(String(format: "Test loss: %.6f (%@%@)", testLoss!, trained.architecture.loss.kind.rawValue,
                       trained.architecture.isVariational ? " + KL" : ""))
        }
        log(String(format: "Seconds per epoch: %.3f (median of %d, %@)", Experiment.median(seconds), seconds.count,
                   multiplier.name))

        // The model first: if a picture cannot be written, the trained model is not lost.
        let testCodes = trained.encode(testData)
        var modelFile = ModelFile(model: trained, preset: name, training: training, epochsCompleted: reports.count,
                                  imageShape: imageShape, codeRange: Experiment.codeRange(of: testCodes, within: trained.codeActivation.range))
        modelFile.dataFolder = dataFolder
        modelFile.trainingLabels = trainingLabels
        modelFile.dataRecipe = dataRecipe
        modelFile.scaling = trainingData.scaling
        // An earlier run's checkpoint goes when this run keeps none (`--resume` must not bring
        // the earlier run back over this one), as soon as this run's first file is written:
        // not before (a write that fails then leaves the earlier run whole, to resume), and
        // not after the rest (a picture that fails then would leave this run's model to be
        // replaced by a resumed earlier run).
        let retiresEarlierCheckpoint = checkpoint == nil && checkpointEvery == nil
        if writesModelFile {
            try modelFile.write(to: folder.file(ModelFile.defaultName))
            if retiresEarlierCheckpoint { try removeEarlierRunsFiles([Checkpoint.fileName], from: folder) }
        }
        // A denoising model is shown noisy inputs (drawn from a stream of their own, so the
        // tutorial's picture and the run's generator are untouched).
        let noise = training.inputNoise > 0 || training.gaussianNoise > 0
            ? Figures.InputNoise(maskingShare: training.inputNoise, gaussianFactor: training.gaussianNoise,
                                 generator: RandomGenerator(seed: training.seed ^ 0x6E6F_6973_7920_696E))
            : nil
        let reconstructions = testData.imageShape == nil
            ? try Figures.signalReconstructions(of: trained, samples: testData)
            : try Figures.reconstructions(of: trained, images: testData, count: min(10, testData.count),
                                          colorMap: colorMap, noise: noise)
        try reconstructions.write(to: folder.file("reconstructions.png"))
        try Figures.losses(reports).write(to: folder.file("losses.png"))
        if retiresEarlierCheckpoint && !writesModelFile { try removeEarlierRunsFiles([Checkpoint.fileName], from: folder) }
        if trained.codeWidth == 2 && trained.architecture.isVariational {
            if let shape = modelFile.inferredImageShape ?? imageShape {
                try Figures.imageGrid(trained.decode(AutoencoderModel.quantileGridCodes(size: 15)), shape: shape, columns: 15,
                                      colorMap: colorMap).write(to: folder.file("manifold.png"))
            }
        }
        if trained.codeWidth == 2 {
            try Figures.codeScatter(codes: testCodes, labels: testData.labels).write(to: folder.file("codes.png"))
            try folder.writeText(Experiment.csv(codes: testCodes, labels: testData.labels), to: "codes.csv")
        }
        let metrics = RunMetrics(
            preset: name, seed: training.seed, model: model, training: training,
            epochCosts: reports.map(\.lastBatchCost), epochMeanCosts: reports.map(\.meanCost),
            secondsPerEpoch: seconds, testMSE: testMSE, backend: multiplier.name,
            trainingSamples: trainingData.count, testSamples: testData.count,
            modelFile: writesModelFile ? ModelFile.defaultName : nil,
            resumedAfterEpoch: checkpoint?.completedEpochs, dataFolder: dataFolder,
            codeWidth: model == nil ? trained.codeWidth : nil, testLoss: testLoss,
            variational: trained.architecture.isVariational ? true : nil,
            validationLosses: split == nil ? nil : reports.map { $0.validationLoss ?? .nan },
            validationSamples: split?.validation.count, bestEpoch: best?.epoch,
            stoppedEarlyAfterEpoch: stoppedEarly ? trainer.completedEpochs : nil, trainingLabels: trainingLabels)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try folder.writeText(String(decoding: try encoder.encode(metrics), as: UTF8.self) + "\n", to: "metrics.json")
        try RunReport(folder: folder.url, metrics: metrics, model: modelFile, samples: ReportSamples(testData)).write()
        // What the earlier run wrote and this one did not (its own metrics say which files
        // those were, from its code width and model file, so files of the user's with the
        // same names are left alone), and the evaluation of the model this run replaced
        // (also after resuming: the evaluation may be of another run's model).
        var stale = earlierFiles.filter { !metrics.filesWritten.contains($0) }
        stale.append("evaluation.json")
        try removeEarlierRunsFiles(stale, from: folder)
        return Outcome(metrics: metrics, model: modelFile)
    }

    /// Removes the temporary files that a run stopped while writing (killed, or the machine
    /// down) left in `folder`: `.NAME.tmp-…` (AtomicFileWriter) and `.NAME.….tmp` (PNG) for
    /// the names a run writes. Called while the folder is locked for this run, so no other
    /// run is writing them.
    static func removeTemporaryFiles(in folder: OutputFolder) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder.url.path) else { return }
        for entry in entries {
            guard let name = namesARunWrites.first(where: { entry.hasPrefix(".\($0).") }) else { continue }
            let rest = entry.dropFirst(name.count + 2)
            if rest.hasPrefix("tmp-") || rest.hasSuffix(".tmp") { try? FileManager.default.removeItem(at: folder.file(entry)) }
        }
    }

    /// Throws ``OutputFolder/Unwritable`` when something other than a regular file stands
    /// where this run writes or removes one: a folder under any of those names, or a symbolic
    /// link or pipe under a name this run writes (its write's rename would replace them by a
    /// file). Called before training; `demo` calls it for both of its folders first.
    public func checkNothingStandsInTheWay(in folder: OutputFolder) throws {
        var written: Set<String> = ["reconstructions.png", "losses.png", "metrics.json", RunReport.fileName]
        if writesModelFile { written.insert(ModelFile.defaultName) }
        if codeWidth == 2 { written.formUnion(["codes.png", "codes.csv"]) }
        if codeWidth == 2 && architecture.isVariational { written.insert("manifold.png") }
        if checkpointEvery != nil { written.insert(Checkpoint.fileName) }
        for name in Experiment.namesARunWrites.sorted() {
            var status = stat()
            guard lstat(folder.file(name).path, &status) == 0 else { continue }
            let kind = status.st_mode & S_IFMT
            if kind == S_IFDIR {
                throw OutputFolder.Unwritable(path: folder.url.path, reason: "\(name) in it is a folder, where a run writes a file")
            }
            guard written.contains(name), kind != S_IFREG else { continue }
            throw OutputFolder.Unwritable(path: folder.url.path, reason: kind == S_IFLNK
                ? "\(name) in it is a symbolic link, which the run would replace by a file"
                : "\(name) in it is not a regular file (a device or a pipe), where a run writes a file")
        }
    }

    /// Every file a run writes into its output folder, by name.
    static let namesARunWrites: Set<String> = ["reconstructions.png", "losses.png", "codes.png", "codes.csv", "manifold.png", ModelFile.defaultName,
                                                "metrics.json", "evaluation.json", Checkpoint.fileName, RunReport.fileName]

    /// Removes the files `names` that an earlier run left in `folder` and this one does not
    /// write: once this run's files are written, those the earlier run's `metrics.json`
    /// shows it wrote and this run did not rewrite, and `evaluation.json` (it measured the
    /// earlier model); once its first file is written, after a run without checkpoints, the
    /// earlier run's checkpoint (`train --resume` would otherwise continue the earlier run
    /// over this one).
    ///
    /// Only the names a run ever writes are removed, and only regular files of them: the
    /// earlier `metrics.json` may have been copied or edited, and a name read from it (its
    /// `modelFile` could say `..`) must never reach outside the folder or into a folder.
    func removeEarlierRunsFiles(_ names: [String], from folder: OutputFolder) throws {
        for name in names where Experiment.namesARunWrites.contains(name) {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder.file(name).path, isDirectory: &isFolder),
                  !isFolder.boolValue else { continue }
            do {
                try FileManager.default.removeItem(at: folder.file(name))
            } catch {
                throw OutputFolder.Unwritable(path: folder.url.path,
                                              reason: "\(name) from an earlier run cannot be removed (\(OutputFolder.reason(error)))")
            }
        }
    }

    /// The 1st and 99th percentile of each column of `codes`, the default box of a `decode
    /// --grid` sweep; `nil` for no codes. A column whose percentiles (almost) meet, a code
    /// stuck in saturation, gets 0.5 either side of their middle (for a linear code, at least
    /// a thousandth of its size), kept within `bounds`, the values the code activation can
    /// take: a sigmoid code stuck near 1 gets [0.5, 1], not one repeated image, nor [0.5, 1.5].
    static func codeRange(of codes: Matrix, within bounds: ClosedRange<Float> = -.infinity ... .infinity) -> ModelFile.CodeRange? {
        guard codes.rows > 0 else { return nil }
        var low: [Float] = [], high: [Float] = []
        for column in 0..<codes.columns {
            let sorted = (0..<codes.rows).map { codes[$0, column] }.sorted()
            var a = sorted[Int((0.01 * Double(sorted.count - 1)).rounded(.down))]
            var b = sorted[Int((0.99 * Double(sorted.count - 1)).rounded(.up))]
            let span = bounds.upperBound - bounds.lowerBound
            let size = max(abs(a), abs(b))
            // Less than a hundredth of a bounded activation's values, or for a linear code
            // equal to about Float's precision.
            if !(b - a > (span.isFinite ? span / 100 : size * 1e-4)) {
                let middle = a / 2 + b / 2
                let half = span.isFinite ? 0.5 : max(0.5, size / 1000)
                a = max(middle - half, bounds.lowerBound, -.greatestFiniteMagnitude)
                b = min(middle + half, bounds.upperBound, .greatestFiniteMagnitude)
            }
            low.append(a)
            high.append(b)
        }
        return ModelFile.CodeRange(low: low, high: high)
    }

    /// The `x,y,label` table of 2-D codes (`x,y` without labels).
    static func csv(codes: Matrix, labels: [Int]?) -> String {
        var text = labels == nil ? "x,y\n" : "x,y,label\n"
        for row in 0..<codes.rows {
            text += "\(codes[row, 0]),\(codes[row, 1])" + (labels.map { ",\($0[row])\n" } ?? "\n")
        }
        return text
    }

    /// "1x28x28", "64": a sample shape as messages show it.
    static func shapeText(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: "x") }

    /// The median of `values` (the mean of the middle two for an even count).
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
