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

    @Flag(inversion: .prefixedNo, help: "Whether a table's first row is a header (default: told from the row itself).")
    var header: Bool?

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
        recipe.hasHeader = header
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
        let options = DatasetReadOptions(labelColumn: labelColumn.map(ColumnReference.init), hasHeader: header,
                                         channelsFirst: channelsFirst ? true : channelsLast ? false : nil, imageSize: size)
        return try DatasetReader.read(path: path, format: chosen, options: options)
    }
}

extension DataOptions {
    /// The folder of the data set `name` (mnist, fashion-mnist, kmnist, cifar10), found on
    /// this machine or in the cache, else downloaded (each file verified) with a note and a
    /// progress line on a terminal; `nil` when `name` is no data set's name.
    static func dataset(named name: String) throws -> URL? {
        let cache = DatasetCache()
        guard cache.catalog.entry(named: name) != nil else { return nil }
        if let here = cache.localPath(for: name) { return here }
        printLine("Fetching \(name) into \(cache.folder.path) (once; `autoencoder datasets fetch` does the same).")
        let display = TerminalProgress.isStandardOutputATerminal ? TerminalProgress() : nil
        let folder = try cache.fetch(name) { event in
            if case .progress(let progress) = event { display?.show(ProgressLine.download(progress)) }
        }
        display?.clear()
        return folder
    }

    /// Whether `path` is to be read as an MNIST-format folder: a folder holding at least one
    /// of MNIST's file names (or nothing), or no file at all, unless `--format` names another format.
    static func looksLikeMNIST(_ path: String, format: DataFormatOptions) -> Bool {
        if let chosen = format.format { return chosen.lowercased() == "mnist" }
        var isFolder: ObjCBool = false
        // A path that does not exist is the locator's to report, as a data folder not found.
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return true }
        guard isFolder.boolValue else { return false }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return entries.isEmpty || MNISTFile.allCases.contains { file in file.acceptedNames.contains(where: entries.contains) }
    }

    /// The data `--data` names, read with `format`: a path (file or folder), else
    /// `$AUTOENCODER_DATA`, else `./data/mnist`. Returns the absolute path too, recorded with
    /// the model.
    func read(format: DataFormatOptions) throws -> (path: String, file: DatasetFile) {
        // A file, a folder of images, or a format that is not MNIST's is read as it is; an MNIST
        // folder (or none given: $AUTOENCODER_DATA, ./data/mnist) is found by the locator,
        // which says which of its files are missing.
        let path: String
        if let data, !FileManager.default.fileExists(atPath: data), let folder = try Self.dataset(named: data) {
            path = folder.path
        } else if let data, !Self.looksLikeMNIST(data, format: format) {
            path = data
        } else {
            path = try DataDirectoryLocator().locate(option: data)
        }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        return (absolute, try format.read(path))
    }
}
