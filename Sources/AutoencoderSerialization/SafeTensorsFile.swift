/// A validated safetensors file held in memory: its tensors and its metadata.
///
/// Why: the initializer checks the whole file against the format before anything is used
/// (see `init(bytes:file:)`), so a loaded model can trust every tensor it gets.
public struct SafeTensorsFile: Equatable, Sendable {
    /// The largest header the format allows (the reference implementation's limit).
    public static let maximumHeaderLength: UInt64 = 100_000_000

    /// Every tensor, in the order of their data in the file.
    public let tensors: [SafeTensor]
    /// The "__metadata__" map; empty when the file has none.
    public let metadata: [String: String]
    /// The file's path (or the name given for bytes from memory), for error messages.
    public let file: String

    /// The names of the tensors in ascending order.
    public var tensorNames: [String] { tensors.map(\.name).sorted() }

    /// Parses and validates safetensors `bytes`; `file` names them in error messages.
    ///
    /// Checks, each failing with its own `SafeTensorsError.Problem`: at least 8 bytes; a
    /// header length ≤ 100 MB and ≤ the bytes after the length field; a UTF-8 header holding
    /// one JSON object with no repeated keys, followed only by spaces; a "__metadata__" entry
    /// (optional) mapping strings to strings; every other entry an object with exactly
    /// "dtype" (a supported type), "shape" (non-negative integers) and "data_offsets"
    /// (two non-negative integers, begin ≤ end); shape product × element size equal to
    /// end − begin without overflow; and the tensors, sorted by offset, covering the data
    /// buffer exactly — no gap, no overlap, nothing past the end, no trailing byte.
    public init(bytes: [UInt8], file: String = "<memory>") throws(SafeTensorsError) {
        func failure(_ problem: SafeTensorsError.Problem) -> SafeTensorsError {
            SafeTensorsError(file: file, problem: problem)
        }
        guard bytes.count >= 8 else { throw failure(.fileTooShort(byteCount: bytes.count)) }
        let headerLength = LittleEndian.unsigned(bytes[...], at: 0, size: 8)
        guard headerLength <= Self.maximumHeaderLength else {
            throw failure(.headerLengthOverLimit(length: headerLength, limit: Self.maximumHeaderLength))
        }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw failure(.headerLengthBeyondFile(length: headerLength, available: bytes.count - 8))
        }
        let dataStart = 8 + Int(headerLength)
        let header = try SafeTensorsHeader(bytes: Array(bytes[8..<dataStart]), file: file)

        let buffer = bytes[dataStart...]
        let layout = try SafeTensorsLayout(entries: header.entries, bufferSize: buffer.count, file: file)
        self.tensors = layout.orderedEntries.map { entry in
            let start = buffer.startIndex + Int(entry.begin)
            return SafeTensor(
                name: entry.name, dtype: entry.dtype, shape: entry.shape,
                data: buffer[start..<(start + Int(entry.end - entry.begin))], file: file)
        }
        self.metadata = header.metadata
        self.file = file
    }

    /// The tensor called `name`, or `SafeTensorsError` (`.tensorNotFound`) if there is none.
    public func tensor(named name: String) throws(SafeTensorsError) -> SafeTensor {
        guard let tensor = tensors.first(where: { $0.name == name }) else {
            throw SafeTensorsError(file: file, problem: .tensorNotFound(name: name))
        }
        return tensor
    }
}

/// One tensor's header entry after its own fields have been validated.
struct SafeTensorsEntry: Equatable, Sendable {
    /// The tensor's name.
    let name: String
    /// Its element type.
    let dtype: SafeTensorsDType
    /// Its dimensions.
    let shape: [Int]
    /// Where its bytes begin in the data buffer.
    let begin: UInt64
    /// Where its bytes end (exclusive).
    let end: UInt64
}

/// The decoded JSON header: the tensors' entries (in header order) and the metadata.
///
/// Why: it separates the JSON-level checks (syntax, field names, types, per-tensor sizes)
/// from the checks on how the tensors share the data buffer (`SafeTensorsLayout`).
struct SafeTensorsHeader {
    /// The key reserved for the metadata map.
    static let metadataKey = "__metadata__"

    /// The tensors' entries, in header order.
    let entries: [SafeTensorsEntry]
    /// The metadata map.
    let metadata: [String: String]

    /// Validates and decodes the header bytes (padding included).
    init(bytes: [UInt8], file: String) throws(SafeTensorsError) {
        func failure(_ problem: SafeTensorsError.Problem) -> SafeTensorsError {
            SafeTensorsError(file: file, problem: problem)
        }
        guard UTF8Validator.isValid(bytes) else { throw failure(.headerNotUTF8) }
        guard bytes.first == UInt8(ascii: "{") else { throw failure(.headerNotObject) }

        let parsed: (value: JSONValue, end: Int)
        do {
            parsed = try StrictJSONParser.parseValue(atStartOf: bytes)
        } catch {
            switch error {
            case .syntax(let detail, let offset): throw failure(.headerNotJSON(detail: detail, offset: offset))
            case .tooDeep(let offset): throw failure(.headerNotJSON(detail: "nesting too deep", offset: offset))
            case .duplicateKey(let key): throw failure(.duplicateKey(key))
            }
        }
        if let stray = bytes[parsed.end...].firstIndex(where: { $0 != 0x20 }) {
            throw failure(.headerTrailingBytes(offset: stray))
        }
        guard case .object(let members) = parsed.value else { throw failure(.headerNotObject) }

        var entries: [SafeTensorsEntry] = []
        var metadata: [String: String] = [:]
        for member in members {
            if member.key == Self.metadataKey {
                metadata = try Self.decodeMetadata(member.value, file: file)
            } else {
                entries.append(try Self.decodeEntry(name: member.key, member.value, file: file))
            }
        }
        self.entries = entries
        self.metadata = metadata
    }

    private static func decodeMetadata(_ value: JSONValue, file: String) throws(SafeTensorsError) -> [String: String] {
        guard case .object(let members) = value else {
            throw SafeTensorsError(file: file, problem: .metadataNotObject)
        }
        var metadata: [String: String] = [:]
        for member in members {
            guard case .string(let text) = member.value else {
                throw SafeTensorsError(file: file, problem: .metadataValueNotString(key: member.key))
            }
            metadata[member.key] = text
        }
        return metadata
    }

    private static func decodeEntry(name: String, _ value: JSONValue, file: String) throws(SafeTensorsError) -> SafeTensorsEntry {
        func failure(_ problem: SafeTensorsError.Problem) -> SafeTensorsError {
            SafeTensorsError(file: file, problem: problem)
        }
        guard case .object(let fields) = value else { throw failure(.tensorEntryNotObject(tensor: name)) }
        var dtypeValue: JSONValue?
        var shapeValue: JSONValue?
        var offsetsValue: JSONValue?
        for field in fields {
            switch field.key {
            case "dtype": dtypeValue = field.value
            case "shape": shapeValue = field.value
            case "data_offsets": offsetsValue = field.value
            default: throw failure(.unknownField(tensor: name, field: field.key))
            }
        }
        guard let dtypeValue else { throw failure(.missingField(tensor: name, field: "dtype")) }
        guard let shapeValue else { throw failure(.missingField(tensor: name, field: "shape")) }
        guard let offsetsValue else { throw failure(.missingField(tensor: name, field: "data_offsets")) }

        guard case .string(let dtypeName) = dtypeValue else { throw failure(.dtypeNotString(tensor: name)) }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            throw failure(.unknownDType(tensor: name, dtype: dtypeName))
        }

        guard case .array(let dimensionValues) = shapeValue else { throw failure(.invalidShape(tensor: name)) }
        var shape: [Int] = []
        for dimensionValue in dimensionValues {
            guard let dimension = dimensionValue.unsignedInteger, dimension <= UInt64(Int.max) else {
                throw failure(.invalidShape(tensor: name))
            }
            shape.append(Int(dimension))
        }

        guard case .array(let offsetValues) = offsetsValue, offsetValues.count == 2,
              let begin = offsetValues[0].unsignedInteger, let end = offsetValues[1].unsignedInteger
        else { throw failure(.invalidDataOffsets(tensor: name)) }
        guard begin <= end else { throw failure(.dataOffsetsReversed(tensor: name, begin: begin, end: end)) }

        var byteCount = UInt64(dtype.byteCount)
        for dimension in shape {
            let (product, overflow) = byteCount.multipliedReportingOverflow(by: UInt64(dimension))
            guard !overflow else { throw failure(.sizeOverflow(tensor: name)) }
            byteCount = product
        }
        guard byteCount == end - begin else {
            throw failure(.sizeMismatch(tensor: name, expected: byteCount, actual: end - begin))
        }
        return SafeTensorsEntry(name: name, dtype: dtype, shape: shape, begin: begin, end: end)
    }
}

/// The check that the tensors tile the data buffer exactly.
///
/// Why: the format requires the buffer to be covered by the tensors, contiguously and
/// without overlap, so that no byte is hidden or shared and the file size is exact.
struct SafeTensorsLayout {
    /// The entries sorted by where their data begins (then ends, then name).
    let orderedEntries: [SafeTensorsEntry]

    /// Sorts `entries` and checks bounds, gaps, overlaps and trailing bytes.
    init(entries: [SafeTensorsEntry], bufferSize: Int, file: String) throws(SafeTensorsError) {
        func failure(_ problem: SafeTensorsError.Problem) -> SafeTensorsError {
            SafeTensorsError(file: file, problem: problem)
        }
        for entry in entries where entry.end > UInt64(bufferSize) {
            throw failure(.dataOffsetsOutOfBounds(tensor: entry.name, end: entry.end, bufferSize: bufferSize))
        }
        let ordered = entries.sorted { left, right in
            (left.begin, left.end, left.name) < (right.begin, right.end, right.name)
        }
        var covered: UInt64 = 0
        for entry in ordered {
            if entry.begin > covered {
                throw failure(.gapBeforeTensor(tensor: entry.name, expectedBegin: covered, begin: entry.begin))
            }
            if entry.begin < covered {
                throw failure(.overlappingTensor(tensor: entry.name, begin: entry.begin, previousEnd: covered))
            }
            covered = entry.end
        }
        if covered < UInt64(bufferSize) {
            throw failure(.trailingBytes(count: bufferSize - Int(covered)))
        }
        self.orderedEntries = ordered
    }
}
