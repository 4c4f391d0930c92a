import AutoencoderErrors
/// A safetensors file that breaks the format, or a request the file cannot satisfy.
///
/// Why: each violation has its own `Problem` case, so tests and callers can tell them apart,
/// and `description` is one sentence naming the file and the problem, ready for a person.
public struct SafeTensorsError: Error, AutoencoderError, Equatable, Sendable, CustomStringConvertible {
    /// The file the error is about.
    public var subject: String? { file }

    /// What is wrong with the file.
    public enum Problem: Equatable, Sendable {
        /// The file is shorter than the 8-byte header-length field.
        case fileTooShort(byteCount: Int)
        /// The header length exceeds the 100 MB limit of the format.
        case headerLengthOverLimit(length: UInt64, limit: UInt64)
        /// The header length exceeds the bytes that follow the length field.
        case headerLengthBeyondFile(length: UInt64, available: Int)
        /// The header is not valid UTF-8.
        case headerNotUTF8
        /// The header does not start with a JSON object ('{').
        case headerNotObject
        /// The header breaks the JSON grammar (`detail` says how, at byte `offset` of the header).
        case headerNotJSON(detail: String, offset: Int)
        /// Something other than space padding follows the JSON object in the header.
        case headerTrailingBytes(offset: Int)
        /// A key appears twice in one JSON object of the header.
        case duplicateKey(String)
        /// The "__metadata__" entry is not a JSON object.
        case metadataNotObject
        /// A metadata value is not a string.
        case metadataValueNotString(key: String)
        /// A tensor's entry is not a JSON object.
        case tensorEntryNotObject(tensor: String)
        /// A tensor's entry lacks a required field ("dtype", "shape" or "data_offsets").
        case missingField(tensor: String, field: String)
        /// A tensor's entry has a field the format does not define.
        case unknownField(tensor: String, field: String)
        /// A tensor's "dtype" is not a string.
        case dtypeNotString(tensor: String)
        /// A tensor's "dtype" names no supported type.
        case unknownDType(tensor: String, dtype: String)
        /// A tensor's "shape" is not an array of non-negative integers.
        case invalidShape(tensor: String)
        /// A tensor's "data_offsets" is not an array of two non-negative integers.
        case invalidDataOffsets(tensor: String)
        /// A tensor's data range ends before it begins.
        case dataOffsetsReversed(tensor: String, begin: UInt64, end: UInt64)
        /// Multiplying a tensor's dimensions (and element size) overflows 64 bits.
        case sizeOverflow(tensor: String)
        /// A tensor's byte range does not match its shape and dtype.
        case sizeMismatch(tensor: String, expected: UInt64, actual: UInt64)
        /// A tensor's byte range ends past the data buffer.
        case dataOffsetsOutOfBounds(tensor: String, end: UInt64, bufferSize: Int)
        /// Bytes between two tensors (or before the first) belong to no tensor.
        case gapBeforeTensor(tensor: String, expectedBegin: UInt64, begin: UInt64)
        /// A tensor's bytes overlap those of the tensor before it.
        case overlappingTensor(tensor: String, begin: UInt64, previousEnd: UInt64)
        /// Bytes after the last tensor belong to no tensor.
        case trailingBytes(count: Int)
        /// No tensor of this name is in the file.
        case tensorNotFound(name: String)
        /// The tensor's dtype cannot be converted to `Float`.
        case notFloatingPoint(tensor: String, dtype: SafeTensorsDType)

        /// The problem as the end of a sentence.
        var explanation: String {
            switch self {
            case .fileTooShort(let count):
                "it is \(count) bytes long, shorter than the 8-byte header length field"
            case .headerLengthOverLimit(let length, let limit):
                "its header length \(length) exceeds the format's limit of \(limit) bytes"
            case .headerLengthBeyondFile(let length, let available):
                "its header length \(length) exceeds the \(available) bytes that follow the length field"
            case .headerNotUTF8:
                "its header is not valid UTF-8"
            case .headerNotObject:
                "its header does not start with a JSON object"
            case .headerNotJSON(let detail, let offset):
                "its header is not valid JSON (\(detail) at byte \(offset) of the header)"
            case .headerTrailingBytes(let offset):
                "its header has bytes other than space padding after the JSON object, at byte \(offset) of the header"
            case .duplicateKey(let key):
                "its header repeats the key '\(key)'"
            case .metadataNotObject:
                "its '__metadata__' entry is not a JSON object"
            case .metadataValueNotString(let key):
                "its metadata value for '\(key)' is not a string"
            case .tensorEntryNotObject(let tensor):
                "the entry of tensor '\(tensor)' is not a JSON object"
            case .missingField(let tensor, let field):
                "tensor '\(tensor)' has no '\(field)' field"
            case .unknownField(let tensor, let field):
                "tensor '\(tensor)' has an unknown field '\(field)'"
            case .dtypeNotString(let tensor):
                "the dtype of tensor '\(tensor)' is not a string"
            case .unknownDType(let tensor, let dtype):
                "tensor '\(tensor)' has the unknown or unsupported dtype '\(dtype)'"
            case .invalidShape(let tensor):
                "the shape of tensor '\(tensor)' is not an array of non-negative integers"
            case .invalidDataOffsets(let tensor):
                "the data_offsets of tensor '\(tensor)' are not an array of two non-negative integers"
            case .dataOffsetsReversed(let tensor, let begin, let end):
                "the data of tensor '\(tensor)' ends (\(end)) before it begins (\(begin))"
            case .sizeOverflow(let tensor):
                "the byte size of tensor '\(tensor)' overflows 64 bits"
            case .sizeMismatch(let tensor, let expected, let actual):
                "tensor '\(tensor)' needs \(expected) bytes for its shape and dtype but its data_offsets span \(actual)"
            case .dataOffsetsOutOfBounds(let tensor, let end, let bufferSize):
                "the data of tensor '\(tensor)' ends at byte \(end), past the \(bufferSize)-byte data buffer"
            case .gapBeforeTensor(let tensor, let expectedBegin, let begin):
                "the data buffer has unused bytes \(expectedBegin)..<\(begin) before tensor '\(tensor)'"
            case .overlappingTensor(let tensor, let begin, let previousEnd):
                "the data of tensor '\(tensor)' begins at byte \(begin), inside the previous tensor which ends at \(previousEnd)"
            case .trailingBytes(let count):
                "its last \(count) bytes belong to no tensor"
            case .tensorNotFound(let name):
                "there is no tensor named '\(name)'"
            case .notFloatingPoint(let tensor, let dtype):
                "tensor '\(tensor)' has dtype \(dtype.rawValue), which is not a floating-point type"
            }
        }
    }

    /// The file's path (or the name given to bytes read from memory).
    public let file: String
    /// What is wrong.
    public let problem: Problem

    /// Makes the error for `problem` in `file`.
    public init(file: String, problem: Problem) {
        self.file = file
        self.problem = problem
    }

    /// One sentence naming the file and the problem.
    public var description: String {
        switch problem {
        case .tensorNotFound, .notFloatingPoint:
            "Cannot take the requested tensor from the safetensors file '\(file)': \(problem.explanation)."
        default:
            "The safetensors file '\(file)' is invalid: \(problem.explanation)."
        }
    }
}
