import AutoencoderErrors
import Foundation

/// The file formats ``DatasetReader`` reads, by their `--format` names.
public enum DatasetFormat: String, Sendable, CaseIterable {
    /// Comma-separated (or sniffed-delimiter) text table.
    case csv
    /// Tab-separated text table.
    case tsv
    /// One NumPy array (memory-mapped).
    case npy
    /// A ZIP of NumPy arrays (Keras's `mnist.npz` layout or a single array).
    case npz
    /// A folder of PNG and JPEG images, one subfolder per class or flat.
    case images
    /// One IDX file of any element type and rank.
    case idx
    /// A folder with MNIST's four IDX files: a training and a test set.
    case mnist
    /// A folder with CIFAR-10's binary batches (`data_batch_1.bin` … `test_batch.bin`): a
    /// training and a test set of 3x32x32 colour images.
    case cifar10
}

/// The choices a user can make about how a data file is read (the `--label-column`,
/// `--header`, `--channels-first`/`--channels-last` and `--image-size` options).
public struct DatasetReadOptions: Sendable, Equatable {
    /// A table's label column (CSV/TSV).
    public var labelColumn: ColumnReference?
    /// Whether a table's first row is a header; `nil` detects it.
    public var hasHeader: Bool?
    /// Whether a 4-D array is `[n, c, h, w]` (`true`) or `[n, h, w, c]` (`false`); `nil` guesses.
    public var channelsFirst: Bool?
    /// The size every image of a folder is resized to, when they differ; `nil` requires one size.
    public var imageSize: ImageSize?
    /// An IDX file of labels for an IDX data file.
    public var labelsPath: String?

    /// Options that leave every choice to the reader.
    public init(labelColumn: ColumnReference? = nil, hasHeader: Bool? = nil, channelsFirst: Bool? = nil,
                imageSize: ImageSize? = nil, labelsPath: String? = nil) {
        self.labelColumn = labelColumn
        self.hasHeader = hasHeader
        self.channelsFirst = channelsFirst
        self.imageSize = imageSize
        self.labelsPath = labelsPath
    }
}

/// A height and width in pixels.
public struct ImageSize: Sendable, Equatable {
    /// Rows of pixels.
    public var height: Int
    /// Pixels per row.
    public var width: Int

    /// A size of `height` rows of `width` pixels.
    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }
}

/// What a data file holds: a training set, and a test set when the file has one (an `.npz`
/// with `x_test`, an MNIST folder).
public struct DatasetFile: Sendable {
    /// The samples to train on (all of them when the file has no test set).
    public var training: Dataset
    /// The file's own test samples, or `nil`.
    public var test: Dataset?

    /// Pairs a training set with an optional test set.
    public init(training: Dataset, test: Dataset? = nil) {
        self.training = training
        self.test = test
    }
}

/// Why a path could not be read as a data set before any reader looked inside.
public struct DatasetReaderError: Error, AutoencoderError, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// The file the error is about.
    public var subject: String? { path }

    /// The path as given.
    public let path: String
    /// The sentence's end: what is wrong.
    public let problem: String

    /// An error for `path`.
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    /// One sentence naming the path.
    public var description: String { "\((path as NSString).lastPathComponent) \(problem)." }
    /// The same sentence, for Foundation.
    public var errorDescription: String? { description }
}

/// Reads any supported data file or folder into a ``DatasetFile``, choosing the reader from
/// `format`, else from the extension, else from the first bytes.
public enum DatasetReader {
    /// Reads `path` as `format` (or the detected format) with `options`.
    ///
    /// - Throws: the chosen reader's error (``CSVError``, ``NumPyError``, ``ImageFolderError``,
    ///   ``IDXError``, ``MNISTError``), or ``DatasetReaderError`` when the format cannot be told.
    public static func read(path: String, format: DatasetFormat? = nil,
                            options: DatasetReadOptions = DatasetReadOptions()) throws -> DatasetFile {
        let chosen = try format ?? detectFormat(path: path)
        switch chosen {
        case .csv:
            return DatasetFile(training: try CSVReader.read(path: path, hasHeader: options.hasHeader,
                                                            labelColumn: options.labelColumn))
        case .tsv:
            return DatasetFile(training: try CSVReader.read(path: path, delimiter: 9, hasHeader: options.hasHeader,
                                                            labelColumn: options.labelColumn))
        case .npy:
            return DatasetFile(training: try NumPyReader.readNPY(path: path, channelsFirst: options.channelsFirst))
        case .npz:
            return try NumPyReader.readNPZ(path: path, channelsFirst: options.channelsFirst)
        case .images:
            return DatasetFile(training: try ImageFolderReader.read(folder: path, imageSize: options.imageSize))
        case .idx:
            return DatasetFile(training: try IDXDatasetReader.read(path: path, labelsPath: options.labelsPath))
        case .cifar10:
            let (training, test) = try CIFAR10.load(from: URL(fileURLWithPath: path))
            return DatasetFile(training: training, test: test)
        case .mnist:
            let mnist = try MNIST.load(from: path)
            return DatasetFile(training: Dataset(mnist.training, origin: path), test: Dataset(mnist.test, origin: path))
        }
    }

    /// The format of `path`: a folder holding MNIST's files is `mnist`, another folder
    /// `images`; else the extension (`.gz` looked through); else the first bytes.
    public static func detectFormat(path: String) throws -> DatasetFormat {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw DatasetReaderError(path: path, problem: "does not exist")
        }
        if isFolder.boolValue {
            if MNISTFile.allCases.allSatisfy({ $0.path(in: path) != nil }) { return .mnist }
            return FileManager.default.fileExists(atPath: path + "/" + CIFAR10.fileNames[0]) ? .cifar10 : .images
        }
        var name = (path as NSString).lastPathComponent.lowercased()
        if name.hasSuffix(".gz") { name.removeLast(3) }
        let ext = (name as NSString).pathExtension
        switch ext {
        case "csv", "txt": return .csv
        case "tsv", "tab": return .tsv
        case "npy": return .npy
        case "npz": return .npz
        case "idx": return .idx
        default: break
        }
        if name.contains("-idx") || name.contains(".idx") { return .idx }
        let start = (try? FileHandle(forReadingFrom: URL(fileURLWithPath: path)).read(upToCount: 8)).flatMap { $0 } ?? Data()
        let bytes = [UInt8](start)
        if bytes.starts(with: [0x93] + Array("NUMPY".utf8)) { return .npy }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return .npz }
        if bytes.count >= 3 && bytes[0] == 0 && bytes[1] == 0 && (0x08...0x0E).contains(bytes[2]) { return .idx }
        if bytes.starts(with: [0x1F, 0x8B]) { return .idx }
        throw DatasetReaderError(path: path, problem: "is of a format that cannot be told from its name or first bytes;"
                                 + " give --format csv, tsv, npy, npz, images, idx or mnist")
    }
}
