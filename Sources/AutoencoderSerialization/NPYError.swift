import AutoencoderErrors
/// A NumPy `.npy` file that breaks the format or uses a feature this reader does not support.
///
/// Why: each violation has its own `Problem` case for tests and callers, and `description`
/// is one sentence naming the file and the problem, ready for a person.
public struct NPYError: Error, AutoencoderError, Equatable, Sendable, CustomStringConvertible {
    /// The file the error is about.
    public var subject: String? { file }

    /// What is wrong with the file.
    public enum Problem: Equatable, Sendable {
        /// The file is shorter than the fixed preamble (magic, version, header length).
        case fileTooShort(byteCount: Int)
        /// The file does not start with "\x93NUMPY".
        case badMagic
        /// The format version is not 1.0, 2.0 or 3.0.
        case unsupportedVersion(major: UInt8, minor: UInt8)
        /// The header length runs past the end of the file.
        case headerLengthBeyondFile(length: Int, available: Int)
        /// The preamble and header together are not a multiple of 16 bytes long.
        case misalignedHeader(totalLength: Int)
        /// The header is not ASCII (versions 1 and 2) or UTF-8 (version 3).
        case headerNotText
        /// The header does not end with a newline.
        case headerNotTerminated
        /// The header is not a Python dict literal of the expected form (`detail` says how).
        case headerSyntax(detail: String, offset: Int)
        /// A key appears twice in the header dict.
        case duplicateKey(String)
        /// The header dict lacks one of 'descr', 'fortran_order', 'shape'.
        case missingKey(String)
        /// The header dict has a key other than 'descr', 'fortran_order', 'shape'.
        case unknownKey(String)
        /// A header value has the wrong type (`expected` says what it should be).
        case wrongValueType(key: String, expected: String)
        /// The element type is not '<f4', '<f8' or '|u1'.
        case unsupportedDType(String)
        /// The array is stored in Fortran (column-major) order.
        case fortranOrder
        /// A dimension of the shape is negative.
        case negativeDimension(shape: [Int])
        /// The product of the dimensions (times the element size) overflows.
        case sizeOverflow
        /// The data after the header is not exactly the size the shape and dtype require.
        case dataSizeMismatch(expected: Int, actual: Int)
        /// The caller asked for bytes of an array whose type is not uint8.
        case notUInt8(dtype: NPYDType)

        /// The problem as the end of a sentence.
        var explanation: String {
            switch self {
            case .fileTooShort(let count):
                "it is \(count) bytes long, too short for the .npy preamble"
            case .badMagic:
                "it does not start with the .npy magic string \\x93NUMPY"
            case .unsupportedVersion(let major, let minor):
                "its format version \(major).\(minor) is not 1.0, 2.0 or 3.0"
            case .headerLengthBeyondFile(let length, let available):
                "its header length \(length) exceeds the \(available) bytes that follow the preamble"
            case .misalignedHeader(let total):
                "its preamble and header take \(total) bytes, not a multiple of 16"
            case .headerNotText:
                "its header is not valid text"
            case .headerNotTerminated:
                "its header does not end with a newline"
            case .headerSyntax(let detail, let offset):
                "its header is not a valid dict literal (\(detail) at byte \(offset) of the header)"
            case .duplicateKey(let key):
                "its header repeats the key '\(key)'"
            case .missingKey(let key):
                "its header has no '\(key)' key"
            case .unknownKey(let key):
                "its header has the unexpected key '\(key)'"
            case .wrongValueType(let key, let expected):
                "its header's '\(key)' is not \(expected)"
            case .unsupportedDType(let descr):
                "its dtype '\(descr)' is not one of the supported '<f4', '<f8' and '|u1'"
            case .fortranOrder:
                "it stores the array in Fortran order, and only C order is supported"
            case .negativeDimension(let shape):
                "its shape \(shape) has a negative dimension"
            case .sizeOverflow:
                "the byte size of its shape overflows"
            case .dataSizeMismatch(let expected, let actual):
                "its shape and dtype need \(expected) data bytes but the file holds \(actual)"
            case .notUInt8(let dtype):
                "its dtype is '\(dtype.rawValue)', not '|u1', so it has no uint8 values"
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
        case .fortranOrder, .unsupportedDType, .unsupportedVersion, .notUInt8:
            "The .npy file '\(file)' is not supported: \(problem.explanation)."
        default:
            "The .npy file '\(file)' is invalid: \(problem.explanation)."
        }
    }
}
