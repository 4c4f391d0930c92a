import AutoencoderErrors
import Foundation

/// The images a command reads: from an IDX file (MNIST's format, raw or gzip) or a NumPy
/// `.npy` file, as rows of floats in [0, 1].
///
/// - IDX: unsigned bytes of shape `[n, rows, columns]` or `[n, width]`, divided by 255.
/// - `.npy`: shape `[n, width]` or `[n, rows, columns]`; `uint8` is divided by 255, `float32`
///   and `float64` are taken as they are (they must already be in the model's [0, 1] scale).
public struct ImageFile: Sendable {
    /// One image per row.
    public var images: Matrix
    /// `rows x columns` of an image, when the file says.
    public var shape: ModelFile.ImageShape?
    /// The file.
    public var path: String

    /// Reads `path` by its bytes: `.npy` when they start with the `.npy` magic (see
    /// `NPY.magic`), IDX when they start as IDX (`00 00`) or gzip (`1f 8b`) does; else by its
    /// name, `.npy` or IDX, whose reader then says what is wrong. A pipe (`<(zcat …)`,
    /// `/dev/stdin`) is read once, whole, and recognised the same way.
    public static func read(_ path: String) throws -> ImageFile {
        let namedNPY = URL(fileURLWithPath: path).pathExtension.lowercased() == "npy"
        func isIDX(_ start: [UInt8]) -> Bool { start.starts(with: [0, 0]) || start.starts(with: [0x1F, 0x8B]) }
        func mayBeImages(_ start: [UInt8]) -> Bool { start.starts(with: NPY.magic) || IDXReader.mayStart(start) }
        // A file that cannot be opened is left to the IDX reader, which names what is wrong.
        switch Result(catching: { try FileBytes.prefix(path: path, count: NPY.magic.count) }) {
        case .success(nil):
            // A pipe of something else (`<(yes)`) is not read on once its start shows it.
            let bytes = try FileBytes.read(path: path, startsWell: mayBeImages)
            if bytes.starts(with: NPY.magic) || (namedNPY && !isIDX(bytes)) {
                return try images(npy: NPYArray(bytes: bytes, file: path), path: path)
            }
            return try images(idx: IDXReader.read(bytes: bytes, named: path, as: .anyArray), path: path)
        case .success(let start?) where start.bytes == NPY.magic || (namedNPY && !isIDX(start.bytes)):
            return try images(npy: NPY.read(from: URL(fileURLWithPath: path)), path: path)
        default:
            return try images(idx: IDXReader.read(contentsOf: path, as: .anyArray), path: path)
        }
    }

    /// The images of a `.npy` array already read and validated (from a file by ``read(_:)``,
    /// or from memory by `NPYArray(bytes:file:)`); `path` names the file in errors.
    static func images(npy array: NPYArray, path: String) throws -> ImageFile {
        guard array.shape.count == 2 || array.shape.count == 3 else {
            throw ArrayFileError("'\(path)' holds an array of shape \(array.shape); images must be [n, width] or [n, rows, columns].")
        }
        let count = array.shape[0]
        let width = array.shape.dropFirst().reduce(1, *)
        var values = array.floats()
        if array.dtype == .uint8 { values = values.map { $0 / 255 } }
        guard values.allSatisfy(\.isFinite) else {
            throw ArrayFileError("'\(path)' holds NaN or infinite values.")
        }
        if let index = values.firstIndex(where: { !(0...1).contains($0) }) {
            throw ArrayFileError("'\(path)' holds pixel value \(values[index]) (image \(index / max(width, 1)), pixel \(index % max(width, 1))); float images must be scaled to [0, 1], as the models were trained.")
        }
        let shape = array.shape.count == 3 ? ModelFile.ImageShape(rows: array.shape[1], columns: array.shape[2]) : nil
        return ImageFile(images: Matrix(rows: count, columns: width, storage: values), shape: shape, path: path)
    }

    /// The images of an IDX array already read and validated (from a file by ``read(_:)``, or
    /// from memory by `IDXReader.read(bytes:named:as:)`); `path` names the file in errors.
    static func images(idx array: IDXArray, path: String) throws -> ImageFile {
        guard array.dimensions.count == 2 || array.dimensions.count == 3 else {
            throw ArrayFileError("'\(path)' holds an IDX array of \(array.dimensions.count) dimension\(array.dimensions.count == 1 ? "" : "s"); images must have 2 ([n, width]) or 3 ([n, rows, columns]).")
        }
        let count = array.dimensions[0]
        let width = array.dimensions.dropFirst().reduce(1, *)
        let values = array.bytes.map { Float($0) / 255 }
        let shape = array.dimensions.count == 3
            ? ModelFile.ImageShape(rows: array.dimensions[1], columns: array.dimensions[2]) : nil
        return ImageFile(images: Matrix(rows: count, columns: width, storage: values), shape: shape, path: path)
    }
}

/// Codes: read from `.npy` (`[n, width]`, float32 or float64) or `.csv` (one code per line,
/// comma-separated numbers, any line ending; a header line, none of whose fields is a
/// number, and then a trailing `label` column are skipped), and
/// written as `.npy` (float32, `[n, width]`, what `np.load` returns) or `.csv`.
public enum CodeFile {
    /// Reads the codes in `path`, a file or a pipe (`<(cat codes.csv)`): `.npy` when its
    /// bytes start with the `.npy` magic (see `NPY.magic`) or its name ends in `.npy`, CSV
    /// text otherwise. Throws `FileAccessError` when the file cannot be read,
    /// ``ArrayFileError`` or `NPYError` when it holds no codes.
    public static func read(_ path: String) throws -> Matrix {
        // Read once, front to back (a pipe cannot be read twice): the first bytes decide the
        // format; CSV is parsed as it comes, so that endless text (`<(yes)`) stops at its
        // first bad line, and bytes with a NUL among them at once.
        let namedNPY = URL(fileURLWithPath: path).pathExtension.lowercased() == "npy"
        var start: [UInt8] = []
        var npy: [UInt8]?
        var csv: CSVCodeReader?
        func take(_ piece: ArraySlice<UInt8>) throws {
            if npy != nil { npy! += piece; return }
            try csv?.read(piece)
        }
        func decide() throws {
            if start.starts(with: NPY.magic) || namedNPY { npy = [] } else { csv = CSVCodeReader(path: path) }
            try take(start[...])
        }
        try FileBytes.readChunks(path: path) { piece, _ in
            if npy == nil && csv == nil {
                start += piece
                if start.count >= NPY.magic.count { try decide() }
            } else {
                try take(piece)
            }
            return true
        }
        if npy == nil && csv == nil { try decide() }
        if let npy { return try codes(npy: NPYArray(bytes: npy, file: path), path: path) }
        return try csv!.finish()
    }

    /// The codes of a `.npy` array already read and validated (from a file by ``read(_:)``, or
    /// from memory by `NPYArray(bytes:file:)`); `path` names the file in errors.
    static func codes(npy array: NPYArray, path: String) throws -> Matrix {
        guard array.shape.count == 2, array.dtype != .uint8 else {
            throw ArrayFileError("'\(path)' holds a \(array.dtype.rawValue) array of shape \(array.shape); codes must be a float array of shape [n, width].")
        }
        // As for CSV: no rows, or codes of width 0, are no codes.
        guard array.shape[0] > 0, array.shape[1] > 0 else { throw ArrayFileError("The codes file '\(path)' holds no codes.") }
        let values = array.floats()
        guard values.allSatisfy(\.isFinite) else { throw ArrayFileError("'\(path)' holds NaN or infinite values.") }
        return Matrix(rows: array.shape[0], columns: array.shape[1], storage: values)
    }

    /// The codes in the contents of a CSV file (see ``CodeFile``); `path` names the file in errors.
    static func codes(csv data: Data, path: String) throws -> Matrix {
        var reader = CSVCodeReader(path: path)
        try reader.read([UInt8](data)[...])
        return try reader.finish()
    }

    /// The text of the CSV file holding `codes` (and `labels`, one per code, when given).
    static func csv(_ codes: Matrix, labels: [UInt8]? = nil) -> String {
        var text = (1...max(codes.columns, 1)).map { "code_\($0)" }.joined(separator: ",")
            + (labels == nil ? "" : ",label") + "\n"
        for row in 0..<codes.rows {
            text += codes.row(row).map { "\($0)" }.joined(separator: ",")
            if let labels { text += ",\(labels[row])" }
            text += "\n"
        }
        return text
    }

    /// Writes `codes` to `path` (`.npy` or `.csv`; the CSV gets a header `code_1,…` and a
    /// `label` column when `labels`, one per code, are given), atomically. Throws
    /// ``ArrayFileError`` for another number of labels, or for NaN or infinite codes, which
    /// ``read(_:)`` would refuse.
    public static func write(_ codes: Matrix, labels: [UInt8]? = nil, to path: String) throws {
        if let labels, labels.count != codes.rows {
            throw ArrayFileError("Cannot write the codes file '\(path)': there are \(labels.count) labels for \(codes.rows) codes.")
        }
        guard codes.storage.allSatisfy(\.isFinite) else {
            throw ArrayFileError("Cannot write the codes file '\(path)': the codes hold NaN or infinite values.")
        }
        let url = URL(fileURLWithPath: path)
        switch url.pathExtension.lowercased() {
        case "npy":
            try NPY.write(codes.storage, shape: [codes.rows, codes.columns], to: url)
        case "csv":
            try AtomicFileWriter.write(Array(csv(codes, labels: labels).utf8), toPath: path)
        default:
            throw ArrayFileError("The codes file '\(path)' must end in .npy or .csv.")
        }
    }
}

/// An input or output file that cannot be used as asked; the message is one sentence.
public struct ArrayFileError: Error, AutoencoderError, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// The sentence.
    public let description: String
    /// Creates the error.
    public init(_ description: String) { self.description = description }
    /// The same sentence, for Foundation's `localizedDescription`.
    public var errorDescription: String? { description }
}

/// Codes from CSV text read in pieces, a line at a time (see ``CodeFile``): lines end in `\n`,
/// `\r\n` or `\r`; a UTF-8 byte-order mark before the first (as Excel writes) is skipped; a
/// header line, none of whose fields is a number, is skipped, and with it a last column it
/// names `label`. Nothing but the unfinished line and the numbers so far is held, so text
/// that is not codes fails at its first bad line however long it is; a line longer than
/// ``maximumLineLength`` or more than ``maximumValueCount`` numbers (endless valid text from
/// a pipe) is refused rather than held.
struct CSVCodeReader {
    /// The longest line read: far more than any code (a thousand numbers take 20 KB).
    static let maximumLineLength = 1 << 20
    /// The most numbers read: 512 MB of floats.
    static let maximumValueCount = 1 << 27

    /// The file, for messages.
    let path: String
    private var line: [UInt8] = []
    private var lineNumber = 1
    private var afterCarriageReturn = false
    private var storage: [Float] = []
    private var width: Int?
    private var dropLabel = false
    private var seenALine = false

    init(path: String) { self.path = path }

    /// Takes the next piece of the text; a NUL byte, which no text holds, ends it at once.
    mutating func read(_ piece: ArraySlice<UInt8>) throws {
        for byte in piece {
            switch byte {
            case 0:
                throw ArrayFileError("The codes file '\(path)' is neither a .npy array nor CSV text.")
            case 0x0A where afterCarriageReturn:
                afterCarriageReturn = false   // the \n of \r\n
            case 0x0A, 0x0D:
                try endLine()
                afterCarriageReturn = byte == 0x0D
            default:
                afterCarriageReturn = false
                line.append(byte)
                if line.count > Self.maximumLineLength {
                    throw ArrayFileError("Line \(lineNumber) of the codes file '\(path)' is longer than \(Self.maximumLineLength >> 20) MiB, which no line of codes is.")
                }
            }
        }
    }

    /// The codes, once the whole text has been read.
    mutating func finish() throws -> Matrix {
        try endLine()
        guard let width, width > 0 else { throw ArrayFileError("The codes file '\(path)' holds no codes.") }
        return Matrix(rows: storage.count / width, columns: width, storage: storage)
    }

    private mutating func endLine() throws {
        defer {
            line.removeAll(keepingCapacity: true)
            lineNumber += 1
        }
        if lineNumber == 1 && line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
        guard let text = String(validating: line, as: UTF8.self) else {
            throw ArrayFileError("The codes file '\(path)' is neither a .npy array nor CSV text (line \(lineNumber) is not UTF-8).")
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return }
        let fields = trimmed.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        defer { seenALine = true }
        // A header names its columns: no field of it is a number (a first code with a typo
        // in one number is an error below, not a header).
        if !seenALine, fields.allSatisfy({ Float($0) == nil }) {
            dropLabel = fields.last?.lowercased() == "label"
            return
        }
        let numbers = (dropLabel ? Array(fields.dropLast()) : fields).map { Float($0) }
        guard numbers.allSatisfy({ $0 != nil && $0!.isFinite }) else {
            throw ArrayFileError("Line \(lineNumber) of the codes file '\(path)' is not a list of finite numbers.")
        }
        if let width, width != numbers.count {
            throw ArrayFileError("Line \(lineNumber) of the codes file '\(path)' has \(numbers.count) values but the first code has \(width).")
        }
        width = numbers.count
        storage += numbers.map { $0! }
        if storage.count > Self.maximumValueCount {
            throw ArrayFileError("The codes file '\(path)' holds more than \(Self.maximumValueCount) numbers, more than are read at once.")
        }
    }
}
