import AutoencoderErrors
/// Data that cannot be written as asked, found before any byte reaches the disk.
///
/// Why: a caller's mistake (a shape that does not match the values, two tensors of one
/// name) must fail loudly with one sentence naming the destination, instead of producing a
/// file that no reader accepts.
public struct WriteRequestError: Error, AutoencoderError, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong with the request.
    public enum Problem: Equatable, Sendable {
        /// A dimension is negative.
        case negativeDimension(tensor: String?, shape: [Int])
        /// The product of the dimensions overflows `Int`.
        case shapeOverflow(tensor: String?, shape: [Int])
        /// The number of values differs from the product of the dimensions.
        case shapeMismatch(tensor: String?, shape: [Int], valueCount: Int)
        /// Two tensors have the same name.
        case duplicateName(String)
        /// A tensor is named "__metadata__", the key the format reserves.
        case reservedName(String)
        /// The header would exceed the format's limit.
        case headerTooLarge(length: Int)

        /// The problem as the end of a sentence.
        var explanation: String {
            switch self {
            case .negativeDimension(let tensor, let shape):
                "\(Self.subject(tensor)) has the shape \(shape) with a negative dimension"
            case .shapeOverflow(let tensor, let shape):
                "the element count of \(Self.subject(tensor)), of shape \(shape), overflows"
            case .shapeMismatch(let tensor, let shape, let count):
                "\(Self.subject(tensor)) has the shape \(shape) but \(count) values"
            case .duplicateName(let name):
                "two tensors are named '\(name)'"
            case .reservedName(let name):
                "the tensor name '\(name)' is reserved for the metadata"
            case .headerTooLarge(let length):
                "its header (tensor names and metadata) would take \(length) bytes, more than the format allows"
            }
        }

        private static func subject(_ tensor: String?) -> String {
            tensor.map { "tensor '\($0)'" } ?? "the array"
        }
    }

    /// The destination path (or "<memory>" when only encoding).
    public let file: String
    /// What is wrong.
    public let problem: Problem

    /// Makes the error for `problem` when writing `file`.
    public init(file: String, problem: Problem) {
        self.file = file
        self.problem = problem
    }

    /// One sentence naming the destination and the problem.
    public var description: String {
        "Cannot write the file '\(file)': \(problem.explanation)."
    }

    /// The number of elements of `shape`, or throws when a dimension is negative or the
    /// product overflows; shared by the writers' input checks.
    static func elementCount(of shape: [Int], tensor: String?, file: String) throws(WriteRequestError) -> Int {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else {
                throw WriteRequestError(file: file, problem: .negativeDimension(tensor: tensor, shape: shape))
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else {
                throw WriteRequestError(file: file, problem: .shapeOverflow(tensor: tensor, shape: shape))
            }
            count = product
        }
        return count
    }
}
