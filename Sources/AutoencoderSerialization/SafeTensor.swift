/// One tensor of a safetensors file: its name, element type, shape and raw bytes.
///
/// Why: the reader keeps every tensor as raw little-endian bytes (any dtype can be read),
/// and converts to `[Float]` only when asked, since the library computes in `Float`.
public struct SafeTensor: Equatable, Sendable {
    /// The tensor's name, the key of its header entry.
    public let name: String
    /// The element type.
    public let dtype: SafeTensorsDType
    /// The size of each dimension, outermost first (row-major); empty for a scalar.
    public let shape: [Int]
    /// The tensor's bytes in the file's data buffer: elements in row-major order, little-endian.
    public let data: ArraySlice<UInt8>
    /// The file the tensor came from, for error messages.
    let file: String

    /// The number of elements: the product of `shape` (1 for a scalar).
    public var elementCount: Int { data.count / dtype.byteCount }

    /// The elements as `Float`s in row-major order.
    ///
    /// F32 is returned exactly; F16 and BF16 are widened exactly; F64 is rounded to the
    /// nearest `Float`. Any other dtype throws `SafeTensorsError` (`.notFloatingPoint`).
    public func floats() throws(SafeTensorsError) -> [Float] {
        switch dtype {
        case .float32: LittleEndian.floats(data)
        case .float64: LittleEndian.floatsFromDoubles(data)
        case .float16: LittleEndian.floatsFromHalves(data)
        case .bfloat16: LittleEndian.floatsFromBFloat16s(data)
        default: throw SafeTensorsError(file: file, problem: .notFloatingPoint(tensor: name, dtype: dtype))
        }
    }
}
