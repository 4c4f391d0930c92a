import ArgumentParser
import Autoencoder
import Foundation

/// How to read a data file when its extension and contents do not say enough: `--format`,
/// `--label-column`, `--image-size`, `--channels-first`/`--channels-last`.
struct DataFormatOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The data's format when its name does not say: mnist, idx, csv, tsv, npy, npz or images.",
                               valueName: "format"))
    var format: String?

    @Option(help: ArgumentHelp("A table's column of class labels, by header name or 0-based index; every other column is a feature.",
                               valueName: "name|index"))
    var labelColumn: String?

    @Option(help: ArgumentHelp("Resize every image of a folder to this size, such as 64x64 (default: all images must have one size).",
                               valueName: "HxW"))
    var imageSize: String?

    @Flag(help: "A 4-D array's images are [n, channels, height, width].")
    var channelsFirst = false

    @Flag(help: "A 4-D array's images are [n, height, width, channels].")
    var channelsLast = false

    func validate() throws {
        if channelsFirst && channelsLast {
            throw ValidationError("--channels-first and --channels-last cannot be combined.")
        }
        _ = try resize()
    }

    /// The `--image-size` as height and width.
    func resize() throws -> (height: Int, width: Int)? {
        guard let imageSize else { return nil }
        let parts = imageSize.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 2, let height = parts[0], let width = parts[1], height > 0, width > 0 else {
            throw ValidationError("--image-size must be HEIGHTxWIDTH in pixels, such as 64x64, not '\(imageSize)'.")
        }
        return (height, width)
    }

    /// How these options read `path`, to record with a model.
    func recipe(path: String) -> DataRecipe {
        var recipe = DataRecipe(path: path)
        recipe.format = format
        recipe.labelColumn = labelColumn
        recipe.imageSize = (try? resize()).flatMap { $0.map { [$0.height, $0.width] } }
        recipe.channelsFirst = channelsFirst ? true : channelsLast ? false : nil
        return recipe
    }

    /// Reads the data at `path` (an MNIST-format folder, or a file or folder of another format).
    func read(_ path: String) throws -> (training: Dataset, test: Dataset?) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw CommandError("The data \(escapingControlCharacters(in: path)) does not exist.")
        }
        if isFolder.boolValue, format == nil || format == "mnist" {
            let mnist = try MNIST.load(from: path)
            return (Dataset(mnist.training, origin: path), Dataset(mnist.test, origin: path))
        }
        throw CommandError("Reading \(escapingControlCharacters(in: path)) as \(format ?? "this format") is not supported yet.")
    }
}

extension DataOptions {
    /// The data `--data` names, read with `format`: a path (file or folder), else
    /// `$AUTOENCODER_DATA`, else `./data/mnist`. Returns the absolute path too, recorded with
    /// the model.
    func read(format: DataFormatOptions) throws -> (path: String, file: (training: Dataset, test: Dataset?)) {
        var isFolder: ObjCBool = false
        let path: String
        if let data, !(FileManager.default.fileExists(atPath: data, isDirectory: &isFolder) && isFolder.boolValue)
            || format.format != nil && format.format != "mnist" {
            path = data
        } else {
            path = try DataDirectoryLocator().locate(option: data)
        }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        return (absolute, try format.read(path))
    }
}
