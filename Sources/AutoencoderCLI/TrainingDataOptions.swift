import ArgumentParser
import Autoencoder
import Foundation

extension Scaling.Method: ExpressibleByArgument {}

/// How `train` gets its test data and scales its inputs: `--test`, `--test-fraction`, `--scale`.
struct TrainingDataOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Test data in any format --data takes (default: the data's own test part — MNIST's t10k files, an .npz's x_test — or --test-fraction).",
        valueName: "path"))
    var test: String?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Share of the data held out as the test set (a seeded split), when the data has no test part and no --test is given.",
        valueName: "fraction"))
    var testFraction: Double?

    @Option(help: ArgumentHelp(
        "How values become inputs, fitted on the training data and saved with the model: minmax, standard or none (default: images ÷ 255, tables minmax).",
        valueName: "method"))
    var scale: Scaling.Method?

    func validate() throws {
        if let testFraction, !(testFraction > 0 && testFraction < 1) {
            throw ValidationError("--test-fraction must be between 0 and 1, not \(testFraction).")
        }
        if scale == .pixels {
            throw ValidationError("--scale must be minmax, standard or none; images are divided by 255 unless told otherwise.")
        }
        if test != nil && testFraction != nil {
            throw ValidationError("--test and --test-fraction cannot be combined: give the test data or the share to hold out.")
        }
    }
}

/// The training and test data of a run, scaled, with where they came from.
struct TrainingData {
    /// The samples trained on.
    var training: Dataset
    /// The samples measured after training.
    var test: Dataset
    /// The path of the data.
    var path: String
    /// How the data was read, recorded with the model so that later commands read the same
    /// test data; `nil` for an MNIST-format folder (recorded as its `data_folder`).
    var recipe: DataRecipe?
}

extension TrainingDataOptions {
    /// Reads the data `--data` names (`data` resolves it), splits or pairs it with its test
    /// part, and fits the scaling on the training part only.
    func load(_ data: DataOptions, format: DataFormatOptions, seed: UInt64) throws -> TrainingData {
        let (path, file) = try data.read(format: format)
        var recipe = format.recipe(path: path)
        if let test = self.test { recipe.test = URL(fileURLWithPath: test).standardizedFileURL.path }
        if let testFraction { (recipe.testFraction, recipe.seed) = (testFraction, seed) }
        var training = file.training
        var test: Dataset
        if let testPath = self.test {
            let other = try format.read(testPath)
            test = other.test ?? other.training
        } else if let testFraction {
            (training, test) = training.split(testFraction: testFraction, seed: seed)
        } else if let own = file.test {
            test = own
        } else {
            throw CommandError("The data in \(path) has no test part; give --test PATH or --test-fraction F (such as 0.2).")
        }
        guard test.sampleShape == training.sampleShape else {
            throw CommandError("The test data (\(test.origin)) has samples of shape \(Experiment.shapeText(test.sampleShape)) but the training data "
                               + "\(Experiment.shapeText(training.sampleShape)); both must have one shape.")
        }
        let method = scale ?? (training.imageShape != nil && training.store is ByteSamples ? .pixels : training.scaling.method == .pixels ? .pixels : .minmax)
        let scaling = method == training.scaling.method && method == .pixels ? Scaling.pixels : Scaling.fit(method, to: training)
        training.scaling = scaling
        test.scaling = scaling
        let name = path + "/" + MNISTFile.trainingImages.baseName
        let isMNISTFolder = file.test != nil && recipe == DataRecipe(path: path) && (format.format ?? "mnist") == "mnist"
            && (FileManager.default.fileExists(atPath: name) || FileManager.default.fileExists(atPath: name + ".gz"))
        return TrainingData(training: training, test: test, path: path, recipe: isMNISTFolder ? nil : recipe)
    }
}
