import ArgumentParser
import Autoencoder
import Foundation

extension Preset: CaseInsensitiveArgument {}
extension Activation: CaseInsensitiveArgument {}
extension Initializer: CaseInsensitiveArgument {}

/// A choice among named cases, read whatever its letters' case (`--activation ReLU`), as
/// `--colormap` is.
protocol CaseInsensitiveArgument: ExpressibleByArgument, CaseIterable, RawRepresentable<String> {}

extension CaseInsensitiveArgument {
    /// The case whose name is `argument` in any letters' case; `nil` for no such case.
    public init?(argument: String) {
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == argument.lowercased() }) else { return nil }
        self = match
    }
}

/// A number option that keeps the text it was given, so that a message can quote it.
struct TypedNumber: ExpressibleByArgument {
    /// The value as a `Float` (`inf` or `0` when the text is out of `Float`'s range).
    let value: Float
    /// The text as typed.
    let text: String

    /// Reads `argument` as a `Float`, keeping its text; `nil` when it is not a number.
    public init?(argument: String) {
        guard let value = Float(argument) else { return nil }
        self.value = value
        self.text = argument
    }
}

/// `autoencoder train`: trains one model and writes its pictures and metrics.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train an autoencoder on MNIST or your own data and write its model, pictures, metrics and report.",
        discussion: """
            Prints the tutorial's lines (`Epoch: 0001 cost= 0.093756258` per epoch, then \
            `Optimization Finished!`), the test-set MSE and the seconds per epoch. Writes \
            model.safetensors (the trained model), reconstructions.png, codes.png and codes.csv \
            (2-D codes only), metrics.json and report.html (one self-contained page showing the \
            run; `autoencoder report DIR` rebuilds it) into --output. With --checkpoint-every N it also \
            keeps checkpoint.safetensors up to date, and `train --resume DIR` continues an \
            interrupted run from it, ending with the same weights as an uninterrupted run. \
            --validation-fraction F holds out a seeded share of the training images and prints \
            `Validation loss: 0.012345678` after each epoch's line; --early-stopping P then stops \
            after P epochs without improvement and keeps the best epoch's weights.
            """)

    @Option(help: "The experiment to start from (default: autoencoder).")
    var preset: Preset?

    @Option(help: ArgumentHelp(
        "A model description (JSON: input_shape, encoder, decoder, loss, training) to train instead of a preset; `autoencoder model show --preset NAME` prints one.",
        valueName: "file.json"))
    var model: String?

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var threadOptions: ThreadOptions

    @OptionGroup var formatOptions: DataFormatOptions

    @OptionGroup var splitOptions: TrainingDataOptions

    @Option(help: ArgumentHelp("Folder for the outputs (default: runs/<preset>).", valueName: "dir"))
    var output: String?

    @Option(parsing: .unconditional, help: "Passes over the training set (autoencoder preset: 10; others: see `model show`).")
    var epochs: Int?

    @Option(parsing: .unconditional, help: "Images per training step (autoencoder preset: 256; others: see `model show`).")
    var batchSize: Int?

    @Option(parsing: .unconditional, help: "The optimizer's learning rate (autoencoder preset: Adam's 0.01; others: see `model show`).")
    var learningRate: TypedNumber?

    @Option(parsing: .unconditional, help: "Seed of every random choice; the same seed gives the same run (default: 0).")
    var seed: UInt64?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Share of each training image's pixels set to 0 before it goes in, the target staying the clean image: a denoising autoencoder (default: 0).",
        valueName: "share"))
    var inputNoise: Float?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Factor of Gaussian noise added to each training value (clipped to [0, 1]), the target staying the clean image: a denoising autoencoder (default: 0; conv-denoising: 0.5).",
        valueName: "factor"))
    var gaussianNoise: Float?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Share of the training images held out (a seeded split) to measure the validation loss after each epoch, printed and written to metrics.json (default: none).",
        valueName: "fraction"))
    var validationFraction: Double?

    @Option(name: .customLong("early-stopping"), parsing: .unconditional, help: ArgumentHelp(
        "Stop when the validation loss has not improved for this many epochs, and keep the best epoch's weights (needs --validation-fraction).",
        valueName: "patience"))
    var earlyStopping: Int?

    @Option(help: ArgumentHelp(
        "Encoder widths after the input, e.g. 256,128 (the data's width comes first; an input-first list that starts with it also works); the decoder mirrors them.",
        valueName: "widths"))
    var layers: String?

    @Option(help: "Activation of every layer but the code layer (preset: sigmoid).")
    var activation: Activation?

    @Option(help: "Activation of the code layer (preset: sigmoid; encoder2d: linear).")
    var codeActivation: Activation?

    @Option(help: "Activation of the output layer (default: as --activation; sigmoid suits pixels in [0, 1]).")
    var outputActivation: Activation?

    @Option(help: "Weight initialiser (preset: normal; encoder2d: truncated-normal).")
    var `init`: Initializer?

    @Option(help: "Bias initialiser (preset: normal).")
    var biasInit: Initializer?

    @Option(help: "Colour map of the reconstruction figure: viridis or gray (default: viridis).")
    var colormap: String?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Save a checkpoint (model, optimizer state, epoch, random state) every N epochs and after the last.",
        valueName: "n"))
    var checkpointEvery: Int?

    @Option(name: .customLong("only-labels"), help: ArgumentHelp(
        "Train only on the training images with these labels, e.g. 0 or 0,1 (a one-class model for `score`); the test set stays whole.",
        valueName: "labels"))
    var onlyLabels: String?

    @Option(help: ArgumentHelp(
        "Continue the run in this folder from its checkpoint.safetensors, with the checkpoint's settings.",
        valueName: "dir"))
    var resume: String?

    @Flag(help: "Show no live progress line while an epoch trains (it only ever shows on a terminal).")
    var quiet = false

    /// The experiment the options describe.
    func experiment() throws -> Experiment {
        if let model { return try describedExperiment(ModelDescription.read(from: URL(fileURLWithPath: model)),
                                                       name: URL(fileURLWithPath: model).deletingPathExtension().lastPathComponent) }
        let preset = self.preset ?? .autoencoder
        guard var model = preset.model else {
            if let option = presetModelOptions.first(where: { $0 != "--preset" }) {
                throw ValidationError("\(option) shapes the tutorial's dense presets; the \(preset.rawValue) preset is a model description (`autoencoder model show --preset \(preset.rawValue)` prints it to edit and give with --model).")
            }
            return try describedExperiment(preset.describedWithTraining, name: preset.rawValue)
        }
        var training = preset.training
        if let layers {
            let widths = layers.split(separator: ",", omittingEmptySubsequences: false)
                .map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard widths.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--layers must be comma-separated whole numbers such as 784,256,128, not '\(layers)'.")
            }
            // One width is the code after the input, whose width the data gives (1 until then).
            model.encoderWidths = widths.count == 1 ? [1, widths[0]!] : widths.map { $0! }
        }
        if let activation { model.activation = activation }
        if let codeActivation { model.codeActivation = codeActivation }
        if let outputActivation { model.outputActivation = outputActivation == model.activation ? nil : outputActivation }
        if let `init` { model.weightInitializer = `init` }
        if let biasInit { model.biasInitializer = biasInit }
        try applyTrainingOptions(to: &training)
        let colorMap = try runOptions()
        do {
            // Against the data's width once it is loaded (`run`): not every data set is 28x28.
            try model.validate()
            try training.validate()
        } catch let error as ConfigurationError {
            throw ValidationError(OptionNamedError(error)?.description ?? error.description)
        }
        let name = model == preset.model ? preset.rawValue : "custom"
        var experiment = Experiment(name: name, model: model, training: training, colorMap: colorMap)
        experiment.checkpointEvery = checkpointEvery
        return experiment
    }

    /// Sets the training options given on the command line in `training`.
    func applyTrainingOptions(to training: inout TrainingConfiguration) throws {
        if let epochs { training.epochs = epochs }
        if let batchSize { training.batchSize = batchSize }
        if let learningRate {
            // Quote what was typed: 1e40 becomes Float's infinity and 1e-50 its zero.
            if let typed = Double(learningRate.text), typed > 0, typed.isFinite, !(learningRate.value > 0 && learningRate.value.isFinite) {
                throw ValidationError("--learning-rate \(learningRate.text) is \(learningRate.value.isFinite ? "too small for a Float (it rounds to 0)" : "too large for a Float").")
            }
            training.learningRate = learningRate.value
            // The option is the rate: an optimizer's own rate in a description gives way.
            training.optimizer?.learningRate = nil
        }
        if let seed { training.seed = seed }
        if let inputNoise { training.inputNoise = inputNoise }
        if let gaussianNoise { training.gaussianNoise = gaussianNoise }
        if let validationFraction { training.validationFraction = validationFraction }
        if let earlyStopping { training.earlyStoppingPatience = earlyStopping }
    }

    /// The colour map `--colormap` names, after checking `--checkpoint-every`: the run's
    /// options that are not training settings.
    func runOptions() throws -> ColorMap {
        let colormap = self.colormap ?? "viridis"
        guard let colorMap = ColorMap.named(colormap) else {
            throw ValidationError("--colormap must be viridis or gray, not '\(colormap)'.")
        }
        if let checkpointEvery, checkpointEvery < 1 {
            throw ValidationError("--checkpoint-every must be at least 1, not \(checkpointEvery).")
        }
        return colorMap
    }

    /// The options that shape a preset's dense model, which a description given with
    /// --model replaces.
    var presetModelOptions: [String] {
        [("--preset", preset != nil), ("--layers", layers != nil), ("--activation", activation != nil),
         ("--code-activation", codeActivation != nil), ("--output-activation", outputActivation != nil),
         ("--init", `init` != nil), ("--bias-init", biasInit != nil)].filter(\.1).map(\.0)
    }

    /// The experiment of a model description (a file's or a preset's): its layers and loss,
    /// its training settings (else the tutorial's) with the options given on top.
    func describedExperiment(_ description: ModelDescription, name: String) throws -> Experiment {
        if model != nil, let option = presetModelOptions.first {
            throw ValidationError("\(option) cannot be combined with --model, whose description gives the whole model.")
        }
        _ = try description.build()
        var training = description.training ?? TrainingConfiguration()
        // The description's own settings are checked as such: a bad `epochs` in the file is
        // not a bad --epochs.
        do {
            try training.validate()
        } catch let error as ConfigurationError {
            let sentence = error.description
            throw ValidationError("The training settings of the model description are invalid: "
                                  + sentence.prefix(1).lowercased() + sentence.dropFirst())
        }
        try applyTrainingOptions(to: &training)
        let colorMap = try runOptions()
        do {
            try training.validate()
        } catch let error as ConfigurationError {
            throw ValidationError(OptionNamedError(error)?.description ?? error.description)
        }
        var described = description
        described.training = nil
        var experiment = Experiment(name: name, architecture: described, training: training, colorMap: colorMap)
        experiment.checkpointEvery = checkpointEvery
        return experiment
    }

    /// The options that --resume replaces by the checkpoint's settings.
    var settingsGiven: [String] {
        let options: [(String, Bool)] = [("--preset", preset != nil), ("--model", model != nil), ("--output", output != nil), ("--epochs", epochs != nil),
         ("--batch-size", batchSize != nil), ("--learning-rate", learningRate != nil), ("--seed", seed != nil), ("--input-noise", inputNoise != nil), ("--gaussian-noise", gaussianNoise != nil),
         ("--validation-fraction", validationFraction != nil), ("--early-stopping", earlyStopping != nil),
         ("--layers", layers != nil), ("--activation", activation != nil), ("--code-activation", codeActivation != nil),
         ("--output-activation", outputActivation != nil),
         ("--init", `init` != nil), ("--bias-init", biasInit != nil), ("--colormap", colormap != nil),
         ("--only-labels", onlyLabels != nil),
         // The checkpoint records how its data was read and split, and the scaling fitted to it.
         ("--format", formatOptions.format != nil), ("--label-column", formatOptions.labelColumn != nil),
         ("--header/--no-header", formatOptions.header != nil), ("--image-size", formatOptions.imageSize != nil),
         ("--channels-first", formatOptions.channelsFirst), ("--channels-last", formatOptions.channelsLast),
         ("--test", splitOptions.test != nil), ("--test-fraction", splitOptions.testFraction != nil),
         ("--scale", splitOptions.scale != nil)]
        return options.filter(\.1).map(\.0)
    }

    func validate() throws {
        if output == "-" { throw ValidationError("--output - would be a folder named '-', not standard output; give a folder name.") }
        if resume != nil, let option = settingsGiven.first {
            throw ValidationError("\(option) cannot be combined with --resume, which takes every setting from the checkpoint.")
        }
        _ = try experiment()
        _ = try parsedOnlyLabels()
    }

    /// `--only-labels` as labels, when given.
    func parsedOnlyLabels() throws -> [Int]? {
        guard let onlyLabels else { return nil }
        return try onlyLabels.split(separator: ",", omittingEmptySubsequences: false).map { part in
            guard let label = Int(part.trimmingCharacters(in: .whitespaces)), (0...255).contains(label) else {
                throw ValidationError("--only-labels must be labels from 0 to 255 separated by commas, such as 0 or 0,1, not '\(onlyLabels)'.")
            }
            return label
        }
    }

    /// `training` restricted to the samples with the labels of `--only-labels`, and the labels
    /// recorded in `experiment`.
    func restrictedToOnlyLabels(_ training: Dataset, experiment: inout Experiment) throws -> Dataset {
        guard let labels = try parsedOnlyLabels() else { return training }
        guard let all = training.labels else {
            throw CommandError("--only-labels needs labelled training data, and \(training.origin) has no labels.")
        }
        let wanted = Set(labels)
        let indices = all.indices.filter { wanted.contains(all[$0]) }
        guard !indices.isEmpty else {
            throw CommandError("--only-labels \(onlyLabels!) matches none of the \(training.count) training images in \(training.origin).")
        }
        experiment.trainingLabels = labels
        return training.subset(indices)
    }

    func run() throws {
        if let resume {
            try resumeRun(in: URL(fileURLWithPath: resume))
            return
        }
        var experiment = try experiment()
        let data = try splitOptions.load(dataOptions, format: formatOptions, seed: experiment.training.seed)
        experiment.dataFolder = data.recipe == nil ? data.path : nil
        experiment.dataRecipe = data.recipe
        let training = try restrictedToOnlyLabels(data.training, experiment: &experiment)
        try fit(&experiment, to: training)
        let path = output ?? "runs/\(experiment.name)"
        let display = TerminalProgress.forTraining(quiet: quiet)
        try experiment.showingProgress(on: display).train(on: training, test: data.test, writingTo: URL(fileURLWithPath: path),
                                                          log: display?.log ?? printLine)
        printLine("Wrote \(path)")
    }

    /// Makes the model take the data's samples: a dense preset's (or `--layers`') first width
    /// becomes the data's width, a description takes the data's shape
    /// (``ModelDescription/fitted(to:)``); and checks that the preset's batch size, when not
    /// given, fits the training set.
    func fit(_ experiment: inout Experiment, to data: Dataset) throws {
        if var model = experiment.model {
            // A preset's first width is its data's; --layers' is when it is the data's width
            // (the input-first form), else every width given comes after the input.
            if model.encoderWidths[0] != data.width {
                let placeholder = layers != nil && layers!.split(separator: ",").count == 1
                model.encoderWidths = [data.width] + model.encoderWidths.dropFirst(layers == nil || placeholder ? 1 : 0)
                experiment.model = model
            }
            try PresetFit.check(model: model, training: experiment.training,
                                presetName: "\((preset ?? .autoencoder).rawValue) preset's", data: data,
                                checkBatchSize: batchSize == nil) { change in
                "give " + PresetFit.options(change) + " (or a smaller batch)"
            }
        } else {
            experiment.architecture = try experiment.architecture.fitted(to: data.sampleShape)
            if batchSize == nil, experiment.training.batchSize > data.count {
                throw CommandError("The training data holds \(data.count) sample\(data.count == 1 ? "" : "s"), fewer than the batch size of \(experiment.training.batchSize): give --batch-size \(data.count) (or a smaller batch).")
            }
        }
    }

    /// Continues the run in `folder` from its checkpoint.
    func resumeRun(in folder: URL) throws {
        let file = folder.appendingPathComponent(Checkpoint.fileName)
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw CheckpointError(file: file.path, reason: "the file does not exist (runs write it with --checkpoint-every N)")
        }
        let checkpoint = try Checkpoint.read(from: file)
        var experiment = checkpoint.experiment
        if let checkpointEvery { experiment.checkpointEvery = checkpointEvery }
        if var recipe = checkpoint.experiment.dataRecipe {
            // --data points at the recorded file where it has moved; it is read as recorded.
            if let moved = dataOptions.data { recipe.path = moved }
            var (training, test) = try DataRecipeReader.read(recipe, onlyLabels: experiment.trainingLabels)
            training.scaling = checkpoint.scaling
            test.scaling = checkpoint.scaling
            let display = TerminalProgress.forTraining(quiet: quiet)
            try experiment.showingProgress(on: display).train(on: training, test: test, writingTo: folder, resumingFrom: checkpoint,
                                                              log: display?.log ?? printLine)
            printLine("Wrote \(resume ?? folder.path)")
            return
        }
        let dataFolder = try dataOptions.folder(recorded: checkpoint.experiment.dataFolder, by: "checkpoint")
        experiment.dataFolder = URL(fileURLWithPath: dataFolder).standardizedFileURL.path
        let data = try MNIST.load(from: dataFolder)
        let origin = experiment.dataFolder ?? dataFolder
        var training = Dataset(data.training, origin: origin)
        // A run trained on some labels only (`--only-labels`) resumes on the same samples,
        // selected as `train` selected them (the checkpoint's fingerprint depends on it).
        if let labels = experiment.trainingLabels, let all = training.labels {
            let wanted = Set(labels)
            training = training.subset(all.indices.filter { wanted.contains(all[$0]) })
        }
        do {
            let display = TerminalProgress.forTraining(quiet: quiet)
            try experiment.showingProgress(on: display).train(on: training, test: Dataset(data.test, origin: origin), writingTo: folder,
                                                                  resumingFrom: checkpoint, log: display?.log ?? printLine)
        } catch ConfigurationError.inputWidth(let found, let expected) {
            // --layers and --batch-size cannot be given with --resume: say what does not fit.
            throw CommandError("The checkpoint's model takes \(found) pixels per image, but the images in \(dataFolder) "
                               + "are \(data.training.rows)x\(data.training.columns) (\(expected) pixels).")
        } catch ConfigurationError.batchSize(let size, let count?) {
            throw CommandError("The checkpoint's batch size, \(size), is more than the \(count) training image\(count == 1 ? "" : "s") in \(dataFolder); "
                               + "resume on the data it was made on.")
        }
        printLine("Wrote \(resume ?? folder.path)")
    }
}
