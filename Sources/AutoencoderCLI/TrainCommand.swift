import ArgumentParser
import Autoencoder
import Foundation

extension Preset: ExpressibleByArgument {}
extension Activation: ExpressibleByArgument {}
extension Initializer: ExpressibleByArgument {}

/// `autoencoder train`: trains one model and writes its pictures and metrics.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train an autoencoder on MNIST and write its pictures and metrics.",
        discussion: """
            Prints the tutorial's lines (`Epoch: 0001 cost= 0.093741524` per epoch, then \
            `Optimization Finished!`), the test-set MSE and the seconds per epoch. Writes \
            reconstructions.png, codes.png and codes.csv (2-D codes only) and metrics.json \
            into --output.
            """)

    @Option(help: "The experiment to start from: \(Preset.allCases.map(\.rawValue).joined(separator: ", ")).")
    var preset: Preset = .autoencoder

    @OptionGroup var dataOptions: DataOptions

    @Option(help: ArgumentHelp("Folder for the outputs (default: runs/<preset>).", valueName: "dir"))
    var output: String?

    @Option(help: "Passes over the training set (preset: 10).")
    var epochs: Int?

    @Option(help: "Images per training step (preset: 256).")
    var batchSize: Int?

    @Option(help: "Adam's learning rate (preset: 0.01).")
    var learningRate: Float?

    @Option(help: "Seed of every random choice; the same seed gives the same run (default: 0).")
    var seed: UInt64?

    @Option(help: ArgumentHelp(
        "Encoder widths, input first, e.g. 784,256,128; the decoder mirrors them.", valueName: "widths"))
    var layers: String?

    @Option(help: "Activation of every layer but the code layer: sigmoid, linear, relu, tanh.")
    var activation: Activation?

    @Option(help: "Activation of the code layer: sigmoid, linear, relu, tanh.")
    var codeActivation: Activation?

    @Option(help: "Weight initialiser: normal, truncated-normal, glorot-uniform, zeros.")
    var `init`: Initializer?

    @Option(help: "Bias initialiser: normal, truncated-normal, glorot-uniform, zeros.")
    var biasInit: Initializer?

    @Option(help: "Colour map of the reconstruction figure: viridis or gray.")
    var colormap: String = "viridis"

    /// The experiment the options describe.
    func experiment() throws -> Experiment {
        var model = preset.model
        var training = preset.training
        if let layers {
            let widths = layers.split(separator: ",", omittingEmptySubsequences: false)
                .map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard widths.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--layers must be comma-separated whole numbers such as 784,256,128, not '\(layers)'.")
            }
            model.encoderWidths = widths.map { $0! }
        }
        if let activation { model.activation = activation }
        if let codeActivation { model.codeActivation = codeActivation }
        if let `init` { model.weightInitializer = `init` }
        if let biasInit { model.biasInitializer = biasInit }
        if let epochs { training.epochs = epochs }
        if let batchSize { training.batchSize = batchSize }
        if let learningRate { training.learningRate = learningRate }
        if let seed { training.seed = seed }
        guard let colorMap = ColorMap.named(colormap) else {
            throw ValidationError("--colormap must be viridis or gray, not '\(colormap)'.")
        }
        do {
            try model.validate(inputWidth: 784)
            try training.validate()
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        let name = model == preset.model ? preset.rawValue : "custom"
        return Experiment(name: name, model: model, training: training, colorMap: colorMap)
    }

    func validate() throws {
        _ = try experiment()
    }

    func run() throws {
        let experiment = try experiment()
        let data = try dataOptions.load()
        let folder = URL(fileURLWithPath: output ?? "runs/\(preset.rawValue)")
        try experiment.run(on: data, writingTo: folder)
        print("Wrote \(folder.path)")
    }
}
