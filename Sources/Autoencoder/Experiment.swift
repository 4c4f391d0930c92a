import Foundation

/// One training run of an autoencoder on MNIST-format data, with the tutorial's console
/// output and files: `reconstructions.png`, for a 2-D code `codes.png` and `codes.csv`,
/// and `metrics.json`.
public struct Experiment: Sendable {
    /// The name recorded in the metrics: a preset's name or `"custom"`.
    public var name: String
    /// The architecture.
    public var model: ModelConfiguration
    /// The training settings.
    public var training: TrainingConfiguration
    /// The colour map of the reconstruction figure.
    public var colorMap: ColorMap

    /// Creates a run of `preset` with its own settings.
    public init(preset: Preset) {
        self.init(name: preset.rawValue, model: preset.model, training: preset.training)
    }

    /// Creates a run of any architecture and settings.
    public init(name: String, model: ModelConfiguration, training: TrainingConfiguration,
                colorMap: ColorMap = .viridis) {
        self.name = name
        self.model = model
        self.training = training
        self.colorMap = colorMap
    }

    /// Trains on `data.training`, evaluates on `data.test`, writes the files into
    /// `output` and returns the metrics. `log` receives each console line.
    ///
    /// Everything that can be checked before training is: the settings against the data,
    /// and that `output` can be written, so a long run never ends in an unwritable folder.
    @discardableResult
    public func run(
        on data: MNIST, writingTo output: URL,
        multiplier: any MatrixMultiplier = MatrixMultiplication.preferred,
        log: (String) -> Void = { print($0) }
    ) throws -> RunMetrics {
        try model.validate(inputWidth: data.training.pixelsPerImage)
        try training.validate(sampleCount: data.training.count)
        let folder = try OutputFolder(output)

        var generator = RandomGenerator(seed: training.seed)
        var trained = try AutoencoderModel(configuration: model, generator: &generator)
        let trainer = Trainer(network: trained.network, optimizer: Adam(learningRate: training.learningRate),
                              batchSize: training.batchSize, generator: generator, multiplier: multiplier)
        var reports: [EpochReport] = []
        for _ in 0..<training.epochs {
            let report = try trainer.trainEpoch(on: data.training)
            reports.append(report)
            log(String(format: "Epoch: %04d cost= %.9f", report.epoch, Double(report.lastBatchCost)))
        }
        log("Optimization Finished!")
        trained.network = trainer.network

        let testMSE = trained.meanSquaredError(on: data.test)
        let seconds = reports.map(\.seconds)
        log(String(format: "Test MSE: %.6f", testMSE))
        log(String(format: "Seconds per epoch: %.3f (median of %d, %@)", Experiment.median(seconds), seconds.count,
                   multiplier.name))

        try Figures.reconstructions(of: trained, images: data.test, count: min(10, data.test.count),
                                    colorMap: colorMap).write(to: folder.file("reconstructions.png"))
        if model.codeWidth == 2 {
            let codes = trained.encode(data.test)
            try Figures.codeScatter(codes: codes, labels: data.test.labels).write(to: folder.file("codes.png"))
            try folder.writeText(Experiment.csv(codes: codes, labels: data.test.labels), to: "codes.csv")
        }
        let metrics = RunMetrics(
            preset: name, seed: training.seed, model: model, training: training,
            epochCosts: reports.map(\.lastBatchCost), epochMeanCosts: reports.map(\.meanCost),
            secondsPerEpoch: seconds, testMSE: testMSE, backend: multiplier.name,
            trainingSamples: data.training.count, testSamples: data.test.count)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try folder.writeText(String(decoding: try encoder.encode(metrics), as: UTF8.self) + "\n", to: "metrics.json")
        return metrics
    }

    /// The `x,y,label` table of 2-D codes.
    static func csv(codes: Matrix, labels: [UInt8]) -> String {
        var text = "x,y,label\n"
        for row in 0..<codes.rows {
            text += "\(codes[row, 0]),\(codes[row, 1]),\(labels[row])\n"
        }
        return text
    }

    /// The median of `values` (the mean of the middle two for an even count).
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
