import ArgumentParser
import Autoencoder
import Foundation

/// `--model FILE`: a saved model (`model.safetensors` from `train`, or a checkpoint).
struct ModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The model file (model.safetensors written by `train`).", valueName: "file"))
    var model: String

    /// Reads and checks the model.
    func load() throws -> ModelFile {
        try refuseTerminal(model, option: "--model")
        return try ModelFile.read(from: URL(fileURLWithPath: model))
    }
}

/// Throws when `path`, given with `option`, is a terminal (`/dev/stdin` with nothing piped or
/// redirected into it): reading it would wait for typing, and then read what was typed; or
/// when it is `-` and no such file exists (a convention of other tools for standard input).
func refuseTerminal(_ path: String, option: String) throws {
    if path == "-" && !FileManager.default.fileExists(atPath: path) {
        throw CommandError("\(option) - names no file; standard input is /dev/stdin (\(option) /dev/stdin < FILE).")
    }
    var status = stat()
    guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFCHR else { return }
    let descriptor = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
    guard descriptor >= 0 else { return }
    defer { close(descriptor) }
    if isatty(descriptor) != 0 {
        throw CommandError("\(option) \(path) is a terminal; pipe or redirect the file into standard input instead (\(option) /dev/stdin < FILE).")
    }
}

/// A failure found while a command runs, printed as `Error: <sentence>`.
struct CommandError: Error, CustomStringConvertible, LocalizedError {
    let description: String
    init(_ description: String) { self.description = description }
    var errorDescription: String? { description }
}

/// Throws `sentence` when `values`, a model's output, hold NaN or infinite values: a model
/// whose weights are finite can still overflow on some inputs, and what it made then must
/// not be written or drawn as if it were a result.
func requireFinite(_ values: Matrix, _ sentence: @autoclosure () -> String) throws {
    guard values.storage.allSatisfy(\.isFinite) else { throw CommandError(sentence()) }
}

/// Images to work on: `--input FILE`, or else the test set of the `--data` folder.
struct InputOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Samples to use, in any format --data takes (CSV, .npy, .npz, an image folder, IDX); float images for a model of pixels must be in [0, 1].",
        discussion: "Without it: the test part of --data, else of the data the model was trained on.", valueName: "path"))
    var input: String?

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var formatOptions: DataFormatOptions

    /// The files these options read for a command on `model`, for
    /// ``checkOutputFile(_:option:inputs:)``.
    func files(for model: ModelFile) -> [(option: String, path: String)] {
        input.map { [("--input", $0)] } ?? dataOptions.files(for: model, requiring: DataOptions.testFiles)
    }

    /// The images for `model`, their labels when known, and a name for messages: `--input`,
    /// else the test set of the data folder (see ``DataOptions/load(for:)``).
    func load(for model: ModelFile) throws -> LoadedInput {
        if let input {
            try refuseTerminal(input, option: "--input")
            // IDX and .npy images for a model of pixels keep their own rules (ImageFile):
            // bytes ÷ 255, floats as they are.
            var isFolder: ObjCBool = false
            let isTableOrFolder = ["csv", "tsv", "txt", "tab", "npz"].contains(URL(fileURLWithPath: input).pathExtension.lowercased())
                || FileManager.default.fileExists(atPath: input, isDirectory: &isFolder) && isFolder.boolValue
            if model.scaling == .pixels, formatOptions.format == nil, !isTableOrFolder {
                let file = try ImageFile.read(input)
                guard file.images.rows > 0 else { throw CommandError("'\(input)' holds no images.") }
                return LoadedInput(images: file.images, labels: nil, shape: file.shape, name: "'\(input)'", scaling: .none)
            }
            let file = try formatOptions.read(input)
            var set = file.test ?? file.training
            set.scaling = model.scaling(for: set)
            guard set.count > 0 else { throw CommandError("'\(input)' holds no samples.") }
            guard set.width == model.model.inputWidth else {
                throw CommandError("The model takes \(model.model.inputWidth) values per sample, but '\(input)' has \(set.width).")
            }
            return LoadedInput(set, name: "'\(input)'")
        }
        let test = try dataOptions.modelData(for: model, format: formatOptions, needsTraining: false).test
        guard test.count > 0 else { throw CommandError("The test set holds no samples.") }
        return LoadedInput(test, name: "the test set")
    }
}

/// Samples a command on a saved model works on, as the model takes them.
struct LoadedInput {
    /// One sample per row, scaled as the model takes them.
    var images: Matrix
    /// Their labels, when known.
    var labels: [UInt8]?
    /// An image's shape, when the samples are images.
    var shape: ModelFile.ImageShape?
    /// How messages name them ("the test set", "'file.csv'").
    var name: String
    /// The scaling that made them from the data's values: its inverse gives outputs in the data's units.
    var scaling: Scaling
    /// The names of the features (a table's header), when known.
    var featureNames: [String]? = nil

    /// Every sample of `set`, scaled.
    init(_ set: Dataset, name: String) {
        images = set.matrix()
        labels = set.labels?.map { UInt8(clamping: $0) }
        shape = set.imageShape.map { ModelFile.ImageShape(rows: $0.height, columns: $0.width, channels: $0.channels) }
        self.name = name
        scaling = set.scaling
        featureNames = set.featureNames
    }

    /// Samples already made.
    init(images: Matrix, labels: [UInt8]?, shape: ModelFile.ImageShape?, name: String, scaling: Scaling) {
        self.images = images
        self.labels = labels
        self.shape = shape
        self.name = name
        self.scaling = scaling
    }
}

extension ModelFile {
    /// The image size for drawing, or a clear error.
    func drawingShape() throws -> ImageShape {
        guard let shape = inferredImageShape else {
            throw CommandError("Cannot draw images of the model '\(path ?? "model")': its input width \(model.inputWidth) is not a square and it records no image_shape.")
        }
        return shape
    }
}

/// Checks, before any work, that the file `path` can be written: its folder exists and
/// takes new files (outputs are written to a temporary file there, then renamed over the
/// name), the path is not a folder, and it is not the name of one of the command's `inputs`
/// (option and path), which the rename would replace. `option` names where the path came
/// from (`nil`: a default, and the message says to choose another with --output). A long
/// `evaluate` should not end in a folder it cannot write, and no command creates folders
/// for a single output file.
func checkOutputFile(_ path: String, option: String? = "--output", inputs: [(option: String, path: String)] = []) throws {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path
    let subject = option.map { "\($0) '\(path)'" } ?? "The default output '\(path)'"
    let hint = option == nil ? "; choose another with --output" : ""
    guard !path.hasSuffix("/") else {
        throw CommandError("\(subject) cannot be written: it ends in /, so it names a folder, not a file\(hint).")
    }
    guard path != "-" else {
        // Other tools' name for standard output; these outputs are files, written atomically.
        throw CommandError("\(subject) cannot be written: - would be a file named '-', not standard output; give a file name\(hint).")
    }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
        throw CommandError("\(subject) cannot be written: the folder \(folder) does not exist\(hint).")
    }
    guard isDirectory.boolValue else {
        throw CommandError("\(subject) cannot be written: \(folder) is a file, not a folder\(hint).")
    }
    if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
        throw CommandError("\(subject) cannot be written: it is a folder\(hint).")
    }
    // Outputs are written to a temporary file and renamed over the name: a device or a pipe
    // would be replaced by a file, for everyone, and a symbolic link (`/dev/stdout`) by a
    // file while what it points to stays as it was.
    var status = stat()
    if lstat(path, &status) == 0, status.st_mode & S_IFMT != S_IFREG {
        let what = status.st_mode & S_IFMT == S_IFLNK
            ? "it is a symbolic link, which writing would replace by a file (give the file it points to)"
            : "it is not a regular file (a device or a pipe)"
        throw CommandError("\(subject) cannot be written: \(what)\(hint).")
    }
    let entry = directoryEntry(path)
    if let input = inputs.first(where: { entry == directoryEntry($0.path) || entry == resolvedFile($0.path) }) {
        throw CommandError("\(subject) is the file given with \(input.option); writing it would replace it\(hint).")
    }
    guard access(folder, W_OK | X_OK) == 0 else {
        throw CommandError("\(subject) cannot be written: the folder \(folder) does not allow it (permission denied)\(hint).")
    }
    // `access` says yes to root everywhere, also where no file can be made (a read-only file
    // system, `/dev/fd`, a full disk): making one proves it.
    let probe = folder + "/.write-test-\(getpid())"
    let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard descriptor >= 0, write(descriptor, "ok", 2) == 2 else {
        let text = String(cString: strerror(errno))
        if descriptor >= 0 { close(descriptor); unlink(probe) }
        throw CommandError("\(subject) cannot be written: the folder \(folder) takes no new file (\(text.prefix(1).lowercased() + text.dropFirst()))\(hint).")
    }
    close(descriptor)
    unlink(probe)
}

/// The directory entry a path names: its folder with links and `..` resolved, and its last
/// component. Writing a file replaces this entry (not the file a link there points to).
private func directoryEntry(_ path: String) -> String {
    let url = URL(fileURLWithPath: path)
    return url.deletingLastPathComponent().resolvingSymlinksInPath().appendingPathComponent(url.lastPathComponent).path
}

/// The entry of the file `path` finally names, every link followed: what an input given
/// through a symbolic link really reads, and what writing to that name would replace.
private func resolvedFile(_ path: String) -> String {
    URL(fileURLWithPath: path).resolvingSymlinksInPath().path
}

/// Parses `--colormap`.
func colorMap(named name: String) throws -> ColorMap {
    guard let map = ColorMap.named(name) else {
        throw ValidationError("--colormap must be viridis or gray, not '\(name)'.")
    }
    return map
}

/// Prints a line (or several, separated by line breaks) and flushes, so progress shows at
/// once in a pipe or a log file. Any other control character, which can only come from a
/// file's text (a preset name in a model's metadata), is printed escaped (`\u{1B}`), so a
/// file cannot send escape sequences to the terminal.
func printLine(_ line: String) {
    print(escapingControlCharacters(in: line, keepingLineBreaks: true))
    fflush(nil)  // all output streams; `stdout` itself is not concurrency-safe to name in Swift 6
}

/// `text` with its control characters written as Swift escapes (`\n`, `\u{1B}`), except
/// `\n` itself when `keepingLineBreaks`; `text` itself when there are none.
func escapingControlCharacters(in text: String, keepingLineBreaks: Bool = false) -> String {
    func isEscaped(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control && !(keepingLineBreaks && scalar == "\n")
    }
    guard text.unicodeScalars.contains(where: isEscaped) else { return text }
    return text.unicodeScalars.map { isEscaped($0) ? $0.escaped(asASCII: true) : String($0) }.joined()
}
