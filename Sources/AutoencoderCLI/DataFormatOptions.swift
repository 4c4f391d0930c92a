import ArgumentParser
import Autoencoder
import Foundation

/// How to read a data file when its extension and contents do not say enough: `--format`,
/// `--label-column`, `--image-size`, `--channels-first`/`--channels-last`.
struct DataFormatOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The data's format when its name does not say: mnist, idx, csv, tsv, npy, npz or images.",
                               valueName: "format"))
    var format: String?

    @Option(help: ArgumentHelp("A table's column of class labels, by header name or number (the first is 1); every other column is a feature.",
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
        if let format, DatasetFormat(rawValue: format.lowercased()) == nil {
            throw ValidationError("--format must be one of \(DatasetFormat.allCases.map(\.rawValue).joined(separator: ", ")), not '\(format)'.")
        }
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
    func read(_ path: String) throws -> DatasetFile {
        let chosen: DatasetFormat?
        if let format {
            guard let named = DatasetFormat(rawValue: format.lowercased()) else {
                throw ValidationError("--format must be one of \(DatasetFormat.allCases.map(\.rawValue).joined(separator: ", ")), not '\(format)'.")
            }
            chosen = named
        } else {
            chosen = nil
        }
        let size = try resize().map { ImageSize(height: $0.height, width: $0.width) }
        let options = DatasetReadOptions(labelColumn: labelColumn.map(ColumnReference.init),
                                         channelsFirst: channelsFirst ? true : channelsLast ? false : nil, imageSize: size)
        return try DatasetReader.read(path: path, format: chosen, options: options)
    }
}

extension DataOptions {
    /// The data `--data` names, read with `format`: a path (file or folder), else
    /// `$AUTOENCODER_DATA`, else `./data/mnist`. Returns the absolute path too, recorded with
    /// the model.
    func read(format: DataFormatOptions) throws -> (path: String, file: DatasetFile) {
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
