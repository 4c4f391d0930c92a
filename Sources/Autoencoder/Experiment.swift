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
    package static func shapeText(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: "x") }

    /// The median of `values` (the mean of the middle two for an even count).
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
