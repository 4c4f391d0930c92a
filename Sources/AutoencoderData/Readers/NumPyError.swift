import Foundation

/// Why a `.npy` or `.npz` file could not be read as a data set: one case per check. Its
/// ``description`` is one sentence naming the file (and the array inside an `.npz`).
public struct NumPyError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// What went wrong.
    public enum Reason: Sendable, Equatable {
        /// The file does not exist.
        case missing
        /// The file could not be opened, mapped or unzipped; the payload is the reason.
        case unreadable(String)
        /// The file does not start with `\x93NUMPY` and a version 1, 2 or 3 preamble.
        case notNPY
        /// The header is cut short, not terminated, or not the dict NumPy writes; the payload says how.
        case badHeader(String)
        /// The array holds Python objects (dtype `O`).
        case objectDType
        /// The array has a structured dtype (named fields).
        case structuredDType
        /// The dtype is not a number type this reader converts; the payload is NumPy's descr.
        case unsupportedDType(String)
        /// The shape's byte size overflows.
        case sizeOverflow(shape: [Int])
        /// The file holds fewer data bytes than the header's shape and dtype need.
        case truncated(shape: [Int], expected: Int, actual: Int)
        /// The array's rank cannot be a data set (1-D, or more than 4-D).
        case unsupportedRank(shape: [Int])
        /// The array has no values per sample.
        case emptySamples(shape: [Int])
        /// A 4-D array whose channel axis cannot be told; the reader asks for an option.
        case ambiguousChannels(shape: [Int])
        /// An `.npz` holds none of the array names the reader looks for; the payload lists those it has.
        case missingArrays(names: [String])
        /// A label array is not a 1-D array of integers of the data's length.
        case badLabels(array: String, detail: String)
    }

    /// The file's path as given.
    public let path: String
    /// The array inside an `.npz` (e.g. `x_train`), or `nil` for a `.npy`.
    public let array: String?
    /// What went wrong.
    public let reason: Reason

    /// An error for `path` (and `array` within it).
    public init(path: String, array: String? = nil, reason: Reason) {
        self.path = path
        self.array = array
        self.reason = reason
    }

    /// One sentence naming the file and what is wrong.
    public var description: String {
        let file = (path as NSString).lastPathComponent
        let name = array.map { "\(file) array \"\($0)\"" } ?? file
        func shape(_ dims: [Int]) -> String { "(" + dims.map(String.init).joined(separator: ", ") + ")" }
        switch reason {
        case .missing: return "\(file) does not exist."
        case .unreadable(let why): return "\(name) could not be read: \(why)."
        case .notNPY: return "\(name) is not a NumPy .npy array: it does not start with \\x93NUMPY and a known version."
        case .badHeader(let why): return "\(name) has a damaged .npy header: \(why)."
        case .objectDType: return "\(name) holds Python objects (dtype 'O'), not numbers; save it with a numeric dtype."
        case .structuredDType: return "\(name) has a structured dtype (named fields); save a plain numeric array instead."
        case .unsupportedDType(let descr):
            return "\(name) has the dtype '\(descr)', which is not a number type this reader converts"
                + " (float16/32/64, int8-64, uint8-64, bool)."
        case .sizeOverflow(let dims): return "\(name) declares the shape \(shape(dims)), too large to exist."
        case .truncated(let dims, let expected, let actual):
            return "\(name) is truncated: its shape \(shape(dims)) needs \(expected) data bytes but only \(actual) follow the header."
        case .unsupportedRank(let dims):
            return "\(name) has the shape \(shape(dims)); a data set needs 2 dimensions (samples, features),"
                + " 3 (samples, height, width) or 4 (samples and an image's height, width and channels)."
        case .emptySamples(let dims): return "\(name) has the shape \(shape(dims)), whose samples hold no values."
        case .ambiguousChannels(let dims):
            return "\(name) has the shape \(shape(dims)), whose channel axis cannot be told;"
                + " give --channels-first for (n, c, h, w) or --channels-last for (n, h, w, c)."
        case .missingArrays(let names):
            return "\(file) holds neither x_train nor a single array; its arrays are "
                + (names.isEmpty ? "none" : names.map { "\"\($0)\"" }.joined(separator: ", ")) + "."
        case .badLabels(_, let detail): return "\(name) cannot be labels: \(detail)."
        }
    }

    /// The same sentence, for Foundation.
    public var errorDescription: String? { description }
}
