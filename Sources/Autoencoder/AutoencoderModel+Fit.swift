extension AutoencoderModel {
    /// Trains the model on `data` in one call, as Keras's `fit` does: `training.epochs`
    /// passes of shuffled batches with the settings' optimizer, schedule and noise; after
    /// each epoch the validation loss on `validation` (when given) is measured and `onEpoch`
    /// hears the epoch's report. The trained parameters are the model's when it returns.
    ///
    /// `data` (and `validation`) must be scaled as the model takes them: a `Dataset` from
    /// any reader carries its scaling; fit one on the training data with
    /// `Scaling.fit(_:to:)` when the reader's is `Scaling.none`.
    ///
    /// - Throws: ``ConfigurationError`` for invalid settings or data of another width than
    ///   the model takes, `TrainingError` when the loss stops being finite.
    /// - Returns: one report per epoch.
    @discardableResult
    public mutating func fit(
        _ data: some BatchSource, settings training: TrainingConfiguration = TrainingConfiguration(),
        validation: (some BatchSource)? = Matrix?.none,
        multiplier: any MatrixMultiplier = MatrixMultiplication.preferred,
        onEpoch: (EpochReport) throws -> Void = { _ in }
    ) throws -> [EpochReport] {
        try training.validate(sampleCount: data.count)
        guard data.width == inputWidth else { throw ConfigurationError.inputWidth(found: inputWidth, expected: data.width) }
        // The shuffles and noise come from the settings' seed.
        let generator = RandomGenerator(seed: training.seed)
        let trainer = Trainer(network: network, optimizer: training.makeOptimizer(), loss: architecture.makeLoss(),
                              batchSize: training.batchSize, generator: generator, multiplier: multiplier,
                              inputNoise: training.inputNoise, gaussianNoise: training.gaussianNoise)
        var reports: [EpochReport] = []
        for epoch in 0..<training.epochs {
            trainer.optimizer.learningRate = training.learningRate(epoch: epoch)
            var report = try trainer.trainEpoch(on: data)
            if let validation { report.validationLoss = try trainer.meanLoss(on: validation) }
            reports.append(report)
            network = trainer.network
            try onEpoch(report)
        }
        network = trainer.network
        return reports
    }
}
