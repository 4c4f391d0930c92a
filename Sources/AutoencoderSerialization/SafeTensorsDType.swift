/// The element type of a safetensors tensor, spelled as in the file's "dtype" field.
///
/// Why: the reader must know each type's size to check that a tensor's shape matches its
/// byte range; every type whose elements are whole bytes is accepted (the sub-byte types
/// F4 and F6_* are not supported and are reported as unknown).
public enum SafeTensorsDType: String, CaseIterable, Equatable, Hashable, Sendable {
    /// Booleans, one byte each.
    case bool = "BOOL"
    /// Unsigned 8-bit integers.
    case uint8 = "U8"
    /// Signed 8-bit integers.
    case int8 = "I8"
    /// 8-bit floats with 5 exponent and 2 mantissa bits.
    case float8E5M2 = "F8_E5M2"
    /// 8-bit floats with 4 exponent and 3 mantissa bits.
    case float8E4M3 = "F8_E4M3"
    /// 8-bit exponent-only scale factors.
    case float8E8M0 = "F8_E8M0"
    /// Signed 16-bit integers.
    case int16 = "I16"
    /// Unsigned 16-bit integers.
    case uint16 = "U16"
    /// IEEE half-precision floats.
    case float16 = "F16"
    /// Brain floats: the top 16 bits of a `Float`.
    case bfloat16 = "BF16"
    /// Signed 32-bit integers.
    case int32 = "I32"
    /// Unsigned 32-bit integers.
    case uint32 = "U32"
    /// IEEE single-precision floats, the library's own type.
    case float32 = "F32"
    /// Complex numbers made of two single-precision floats.
    case complex64 = "C64"
    /// IEEE double-precision floats.
    case float64 = "F64"
    /// Signed 64-bit integers.
    case int64 = "I64"
    /// Unsigned 64-bit integers.
    case uint64 = "U64"

    /// The number of bytes one element takes.
    public var byteCount: Int {
        switch self {
        case .bool, .uint8, .int8, .float8E5M2, .float8E4M3, .float8E8M0: 1
        case .int16, .uint16, .float16, .bfloat16: 2
        case .int32, .uint32, .float32: 4
        case .complex64, .float64, .int64, .uint64: 8
        }
    }
}
