import ArgumentParser
import Autoencoder
import Foundation

/// The data a command on a saved model works on, scaled as the model takes it.
struct ModelData {
    /// The training samples (for kNN references and the baselines), when they were read.
    var training: Dataset?
    /// The samples to encode, reconstruct, measure or score.
    var test: Dataset
    /// Where they came from, for the report (a folder or a file).
    var origin: String
}

extension DataOptions {
    /// The data for a command on `model`: `--data` when given (its test part, or all of it
    /// when it has none), else the data the model was trained on, read as it was (its
    /// ``DataRecipe``: the same file, options and test split), else the MNIST-format folder
    /// ``folder(for:requiring:note:)`` finds. Every set gets the model's scaling; float data
    /// for a model of pixels ÷ 255 is taken as already scaled (values in [0, 1]).
    ///
    /// `needsTraining` reads the training part too (`evaluate`); otherwise only the test part
    /// is read where the format allows (an MNIST folder's two test files).
    func modelData(for model: ModelFile, format: DataFormatOptions, needsTraining: Bool) throws -> ModelData {
        var training: Dataset?
        var test: Dataset
        let origin: String
        if let recipe = model.dataRecipe, data == nil {
            let file = try DataRecipeReader.read(recipe, onlyLabels: model.trainingLabels)
            (training, test, origin) = (file.training, file.test, recipe.path)
        } else if let data, !FileManager.default.fileExists(atPath: data), let folder = try Self.dataset(named: data) {
            let file = try format.read(folder.path)
            (training, test, origin) = (file.training, file.test ?? file.training, folder.path)
        } else if let data, !Self.looksLikeMNIST(data, format: format) {
            let file = try format.read(data)
            (training, test, origin) = (file.training, file.test ?? file.training, URL(fileURLWithPath: data).standardizedFileURL.path)
        } else if needsTraining {
            let (mnist, folder) = try load(for: model)
            (training, test, origin) = (Dataset(mnist.training, origin: folder), Dataset(mnist.test, origin: folder), folder)
        } else {
            let folder = try folder(for: model, requiring: Self.testFiles)
            let set = try MNIST.loadSet(images: .testImages, labels: .testLabels, in: folder)
            (training, test, origin) = (nil, Dataset(set, origin: folder), folder)
        }
        if let set = training { training!.scaling = model.scaling(for: set) }
        test.scaling = model.scaling(for: test)
        // Widths are checked by each command, which names the data as it knows it.
        return ModelData(training: training, test: test, origin: origin)
    }
}

/// Reads data the way a ``DataRecipe`` says it was read for training.
enum DataRecipeReader {
    /// The recipe's training and test sets, unscaled; the training set restricted to
    /// `onlyLabels` when the run trained on those labels only.
    static func read(_ recipe: DataRecipe, onlyLabels: [Int]? = nil) throws -> (training: Dataset, test: Dataset) {
        var format = DataFormatOptions()
        format.format = recipe.format
        format.labelColumn = recipe.labelColumn
        format.header = recipe.hasHeader
        format.imageSize = recipe.imageSize.map { "\($0[0])x\($0[1])" }
        format.channelsFirst = recipe.channelsFirst == true
        format.channelsLast = recipe.channelsFirst == false
        guard FileManager.default.fileExists(atPath: recipe.path) else {
            throw CommandError("The model was trained on \(escapingControlCharacters(in: recipe.path)), which is not there now; give the data with --data PATH.")
        }
        let file = try format.read(recipe.path)
        var training = file.training
        let test: Dataset
        if let path = recipe.test {
            let other = try format.read(path)
            test = other.test ?? other.training
        } else if let fraction = recipe.testFraction {
            (training, test) = training.split(testFraction: fraction, seed: recipe.seed ?? 0)
        } else if let own = file.test {
            test = own
        } else {
            test = training
        }
        if let labels = onlyLabels, let kept = training.samples(labeled: Set(labels)) { training = kept }
        return (training, test)
    }
}

extension ModelFile {
    /// The scaling that makes `set`'s values this model's inputs: the model's own, except
    /// that float data for a model of pixels ÷ 255 is taken as already scaled (values in [0, 1]).
    func scaling(for set: Dataset) -> Scaling {
        scaling == .pixels && !(set.store is ByteSamples) ? .none : scaling
    }
}
