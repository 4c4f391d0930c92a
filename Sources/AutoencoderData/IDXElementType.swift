/// The element types an IDX file can declare in the third byte of its magic number.
///
/// Only ``unsignedByte`` is read by this library (MNIST and Fashion-MNIST use nothing
/// else); the other cases exist so that an error can name what a file really holds.
public enum IDXElementType: UInt8, Sendable, CaseIterable {
    /// `0x08`: unsigned 8-bit integers, the type of every MNIST file.
    case unsignedByte = 0x08
    /// `0x09`: signed 8-bit integers.
    case signedByte = 0x09
    /// `0x0B`: big-endian signed 16-bit integers.
    case short = 0x0B
    /// `0x0C`: big-endian signed 32-bit integers.
    case int = 0x0C
    /// `0x0D`: big-endian 32-bit IEEE floats.
    case float = 0x0D
    /// `0x0E`: big-endian 64-bit IEEE floats.
    case double = 0x0E

    /// How many bytes one element takes in the file, used to size the payload.
    public var byteCount: Int {
        switch self {
        case .unsignedByte, .signedByte: return 1
        case .short: return 2
        case .int, .float: return 4
        case .double: return 8
        }
    }

    /// A short English name for error messages, e.g. "32-bit floats".
    public var name: String {
        switch self {
        case .unsignedByte: return "unsigned bytes"
        case .signedByte: return "signed bytes"
        case .short: return "16-bit integers"
        case .int: return "32-bit integers"
        case .float: return "32-bit floats"
        case .double: return "64-bit floats"
        }
    }
}
