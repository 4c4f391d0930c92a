import Foundation

// A run, step by step: check everything that can be checked before training, start (fresh
// or from a checkpoint), train the epochs, measure the trained model, write its files.
extension Experiment {
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
    @discardableResult
    public func train(
        on trainingData: Dataset, test testData: Dataset, writingTo output: URL, resumingFrom checkpoint: Checkpoint? = nil,
        multiplier: any MatrixMultiplier = MatrixMultiplication.preferred,
        log: (String) -> Void = { print($0) }
    ) throws -> Outcome {
        let fingerprint = try check(training: trainingData, test: testData, checkpoint: checkpoint, output: output)
        let folder = try OutputFolder(output)
        let lock = try folder.lockForRun()
        defer { withExtendedLifetime(lock) {} }
        try checkNothingStandsInTheWay(in: folder)
        Experiment.removeTemporaryFiles(in: folder)
        // The files an earlier run in this folder wrote, by its metrics.json, read before this
        // run replaces it.
        let earlierFiles = (try? JSONDecoder().decode(RunMetrics.self, from: Data(contentsOf: folder.file("metrics.json"))))?
            .filesWritten ?? []

        var state = try start(from: checkpoint, multiplier: multiplier, log: log)
        try trainEpochs(&state, on: trainingData, fingerprint: fingerprint, folder: folder, multiplier: multiplier, log: log)
        let measured = finish(&state, test: testData, multiplier: multiplier, log: log)
        return try write(state, measured, training: trainingData, test: testData, resumedFrom: checkpoint,
                         multiplier: multiplier, folder: folder, earlierFiles: earlierFiles)
    }

    /// A run in progress: the model, its trainer, the epochs' reports, and early stopping's
    /// best epoch so far with a copy of its parameters (allocated once, overwritten in place
    /// when an epoch improves on it).
    struct RunState {
        var trained: AutoencoderModel
        let trainer: Trainer
        var reports: [EpochReport]
        var best: (epoch: Int, parameters: [Float])?
    }

    /// What the trained model measured on the test set.
    struct TestResults {
        var mse: Double
        /// The model's own loss, for models that are not the tutorial's (whose loss is the MSE).
        var loss: Double?
        var stoppedEarly: Bool
    }

    /// Checks the settings against the data and the checkpoint before anything is written or
    /// trained, so that a long run never fails at its end on something known at its start;
    /// returns the training data's fingerprint when a checkpoint is read or written, else "".
    func check(training trainingData: Dataset, test testData: Dataset, checkpoint: Checkpoint?, output: URL) throws -> String {
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
        return fingerprint
    }

    /// A fresh model and trainer seeded by the settings, or the checkpoint's.
    func start(from checkpoint: Checkpoint?, multiplier: any MatrixMultiplier, log: (String) -> Void) throws -> RunState {
        guard let checkpoint else {
            var generator = RandomGenerator(seed: training.seed)
            let trained = try makeModel(generator: &generator)
            let trainer = Trainer(network: trained.network, optimizer: training.makeOptimizer(), loss: trained.architecture.makeLoss(),
                                  batchSize: training.batchSize, generator: generator, multiplier: multiplier,
                                  inputNoise: training.inputNoise, gaussianNoise: training.gaussianNoise)
            return RunState(trained: trained, trainer: trainer, reports: [], best: nil)
        }
        let trained = try makeModel(parameters: checkpoint.parameters)
        let trainer = Trainer(network: trained.network, optimizer: checkpoint.optimizer, loss: trained.architecture.makeLoss(),
                              batchSize: training.batchSize, generator: checkpoint.generator, multiplier: multiplier,
                              inputNoise: training.inputNoise, gaussianNoise: training.gaussianNoise)
        trainer.completedEpochs = checkpoint.completedEpochs
        log("Resuming after epoch \(checkpoint.completedEpochs) of \(training.epochs) from "
            + (checkpoint.path.map { URL(fileURLWithPath: $0).lastPathComponent } ?? Checkpoint.fileName))
        if let earlier = checkpoint.backend, earlier != multiplier.name {
            log("Note: epochs 1-\(checkpoint.completedEpochs) ran with \(earlier) and the rest run with \(multiplier.name), "
                + "so the weights will differ in rounding from an uninterrupted run.")
        }
        return RunState(trained: trained, trainer: trainer, reports: checkpoint.reports, best: checkpoint.best)
    }

    /// Trains the remaining epochs: each logs its lines, refreshes `losses.png`, measures the
    /// validation part, tracks early stopping's best epoch and writes the checkpoint when due.
    func trainEpochs(_ state: inout RunState, on trainingData: Dataset, fingerprint: String, folder: OutputFolder,
                     multiplier: any MatrixMultiplier, log: (String) -> Void) throws {
        let trainer = state.trainer
        // With a validation fraction, the trainer sees only the training part (the samples are
        // not copied) and the held-out part is measured after each epoch.
        let split = training.validationSplit(sampleCount: trainingData.count)
        let trainingPart = split.map { BatchSubset(trainingData, indices: $0.training) }
        let validationPart = split.map { BatchSubset(trainingData, indices: $0.validation) }
        let patience = training.earlyStoppingPatience
        /// Whether early stopping has run out of patience after `completed` epochs.
        func outOfPatience(after completed: Int) -> Bool {
            guard let patience, let best = state.best else { return false }
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
            state.reports.append(report)
            // Refreshed after every epoch, atomically, so it can be watched; a picture that
            // cannot be drawn here does not stop training (the last one, after training, throws).
            try? Figures.losses(state.reports).write(to: folder.file("losses.png"))
            log(String(format: "Epoch: %04d cost= %.9f", report.epoch, Double(report.lastBatchCost)))
            if model == nil {
                // Beyond the tutorial's line (the last batch's cost): the epoch's mean loss and time.
                log(String(format: "Epoch %d/%d: mean loss %.6f, %.1f s", report.epoch, training.epochs, report.meanCost,
                           report.seconds))
            }
            if let loss = report.validationLoss {
                log(String(format: "Validation loss: %.9f", loss))
                guard loss.isFinite else { throw TrainingError.nonFiniteValidationLoss(epoch: report.epoch) }
                if patience != nil { keepIfBest(&state, epoch: report.epoch, loss: loss) }
            }
            if let every = checkpointEvery,
               report.epoch % every == 0 || report.epoch == training.epochs || outOfPatience(after: report.epoch) {
                var saved = Checkpoint(experiment: self, parameters: trainer.network.parameters, optimizer: trainer.optimizer,
                                       generator: trainer.generator, reports: state.reports,
                                       trainingSamples: trainingData.count, trainingFingerprint: fingerprint,
                                       imageShape: Experiment.imageShape(of: trainingData), backend: multiplier.name,
                                       best: state.best)
                saved.scaling = trainingData.scaling
                try saved.write(to: folder.file(Checkpoint.fileName))
            }
        }
    }

    /// Early stopping's bookkeeping: copies the parameters when `epoch`'s validation `loss` is
    /// the lowest so far.
    private func keepIfBest(_ state: inout RunState, epoch: Int, loss: Double) {
        let parameters = state.trainer.network.parameters
        guard let best = state.best else {
            // A copy of its own (not the network's array, which the next step would then have
            // to copy): the only allocation of early stopping.
            state.best = (epoch, parameters.withUnsafeBufferPointer { Array($0) })
            return
        }
        guard loss < state.reports[best.epoch - 1].validationLoss! else { return }
        state.best!.epoch = epoch
        state.best!.parameters.withUnsafeMutableBufferPointer { copy in
            parameters.withUnsafeBufferPointer { _ = copy.update(fromContentsOf: $0) }
        }
    }

    /// Ends training (early stopping's best weights restored) and measures the model on the
    /// test set, logging the tutorial's closing lines.
    func finish(_ state: inout RunState, test testData: Dataset, multiplier: any MatrixMultiplier,
                log: (String) -> Void) -> TestResults {
        let trainer = state.trainer
        let stoppedEarly = trainer.completedEpochs < training.epochs
        if let best = state.best, let patience = training.earlyStoppingPatience {
            if stoppedEarly {
                log("Early stopping after epoch \(trainer.completedEpochs): the validation loss has not improved for "
                    + "\(patience) epoch\(patience == 1 ? "" : "s"); keeping epoch \(best.epoch)'s weights.")
            } else if best.epoch != trainer.completedEpochs {
                log("Keeping epoch \(best.epoch)'s weights, which had the lowest validation loss.")
            }
            trainer.setParameters(best.parameters)
        }
        log("Optimization Finished!")
        state.trained.network = trainer.network

        let testMSE = state.trained.meanSquaredError(on: testData)
        let seconds = state.reports.map(\.seconds)
        log(String(format: "Test MSE: %.6f", testMSE))
        // The model's own loss on the test set, for models that are not the tutorial's (whose
        // loss is the MSE above); a variational autoencoder's samples its codes from a stream
        // of its own, so the run's generator is untouched.
        var testLoss: Double?
        if model == nil {
            var generator = RandomGenerator(seed: training.seed ^ 0x7465_7374_6C6F_7373)
            testLoss = state.trained.loss(on: testData.matrix(), generator: &generator)
            log(String(format: "Test loss: %.6f (%@%@)", testLoss!, state.trained.architecture.loss.kind.rawValue,
                       state.trained.architecture.isVariational ? " + KL" : ""))
        }
        log(String(format: "Seconds per epoch: %.3f (median of %d, %@)", Experiment.median(seconds), seconds.count,
                   multiplier.name))
        return TestResults(mse: testMSE, loss: testLoss, stoppedEarly: stoppedEarly)
    }

    /// Writes the model file first (if a picture cannot be written, the trained model is not
    /// lost), then the pictures, `metrics.json` and `report.html`, and retires what an earlier
    /// run in the folder wrote and this one did not.
    func write(_ state: RunState, _ measured: TestResults, training trainingData: Dataset, test testData: Dataset,
               resumedFrom checkpoint: Checkpoint?, multiplier: any MatrixMultiplier, folder: OutputFolder,
               earlierFiles: [String]) throws -> Outcome {
        let trained = state.trained, reports = state.reports
        let imageShape = Experiment.imageShape(of: trainingData)
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
        try writeReconstructions(of: trained, reports: reports, test: testData, folder: folder)
        if retiresEarlierCheckpoint && !writesModelFile { try removeEarlierRunsFiles([Checkpoint.fileName], from: folder) }
        try writeCodePictures(of: trained, testCodes: testCodes, labels: testData.labels,
                              imageShape: modelFile.inferredImageShape ?? imageShape, folder: folder)
        if trained.codeWidth == 2 {
            try folder.writeText(Experiment.csv(codes: testCodes, labels: testData.labels), to: "codes.csv")
        }
        let split = training.validationSplit(sampleCount: trainingData.count)
        let metrics = RunMetrics(
            preset: name, seed: training.seed, model: model, training: training,
            epochCosts: reports.map(\.lastBatchCost), epochMeanCosts: reports.map(\.meanCost),
            secondsPerEpoch: reports.map(\.seconds), testMSE: measured.mse, backend: multiplier.name,
            trainingSamples: trainingData.count, testSamples: testData.count,
            modelFile: writesModelFile ? ModelFile.defaultName : nil,
            resumedAfterEpoch: checkpoint?.completedEpochs, dataFolder: dataFolder,
            codeWidth: model == nil ? trained.codeWidth : nil, testLoss: measured.loss,
            variational: trained.architecture.isVariational ? true : nil,
            validationLosses: split == nil ? nil : reports.map { $0.validationLoss ?? .nan },
            validationSamples: split?.validation.count, bestEpoch: state.best?.epoch,
            stoppedEarlyAfterEpoch: measured.stoppedEarly ? state.trainer.completedEpochs : nil, trainingLabels: trainingLabels)
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

    /// `reconstructions.png` (noisy inputs for a denoising model, line plots for feature
    /// vectors) and `losses.png`.
    private func writeReconstructions(of trained: AutoencoderModel, reports: [EpochReport], test testData: Dataset,
                                      folder: OutputFolder) throws {
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
    }

    /// For a 2-D code: `manifold.png` when the model is variational and its samples are
    /// images, and `codes.png`.
    private func writeCodePictures(of trained: AutoencoderModel, testCodes: Matrix, labels: [Int]?,
                                   imageShape: ModelFile.ImageShape?, folder: OutputFolder) throws {
        if trained.codeWidth == 2 && trained.architecture.isVariational, let imageShape {
            try Figures.imageGrid(trained.decode(AutoencoderModel.quantileGridCodes(size: 15)), shape: imageShape, columns: 15,
                                  colorMap: colorMap).write(to: folder.file("manifold.png"))
        }
        if trained.codeWidth == 2 {
            try Figures.codeScatter(codes: testCodes, labels: labels).write(to: folder.file("codes.png"))
        }
    }

    /// The run's samples as images, for the model file; `nil` for feature vectors.
    static func imageShape(of data: Dataset) -> ModelFile.ImageShape? {
        data.imageShape.map { ModelFile.ImageShape(rows: $0.height, columns: $0.width, channels: $0.channels) }
    }
}
