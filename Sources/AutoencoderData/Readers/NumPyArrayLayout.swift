import AutoencoderSerialization

/// A NumPy number type as stored: kind, size and byte order.
public struct NumPyElementType: Sendable, Equatable, CustomStringConvertible {
    /// The kinds of numbers.
    public enum Kind: Character, Sendable {
        /// IEEE floats (`f`).
        case float = "f"
        /// Signed integers (`i`).
        case signed = "i"
        /// Unsigned integers (`u`).
        case unsigned = "u"
        /// Booleans, one byte each (`b`).
        case bool = "b"
    }

    /// The kind.
    public let kind: Kind
    /// The bytes per element.
    public let size: Int
    /// Whether multi-byte elements are big-endian.
    public let bigEndian: Bool

    /// Parses NumPy's descr (`<f4`, `>i2`, `|u1`, `|b1`, `=f8`), or `nil` for anything else.
    init?(descr: String) {
        let characters = Array(descr)
        guard characters.count >= 3, let kind = Kind(rawValue: characters[1]),
              let size = Int(String(characters[2...])) else { return nil }
        let valid: Set<Int> = switch kind {
        case .float: [2, 4, 8]
        case .signed, .unsigned: [1, 2, 4, 8]
        case .bool: [1]
        }
        guard valid.contains(size) else { return nil }
        switch characters[0] {
        case "<", "=": bigEndian = false
        case ">": bigEndian = true
        case "|": guard size == 1 else { return nil }; bigEndian = false
        default: return nil
        }
        self.kind = kind
        self.size = size
    }

    /// "uint8", "float32", "bool".
    public var description: String {
        switch kind {
        case .float: return "float\(size * 8)"
        case .signed: return "int\(size * 8)"
        case .unsigned: return "uint\(size * 8)"
        case .bool: return "bool"
        }
    }

    /// Whether elements are unsigned bytes (images).
    public var isUInt8: Bool { kind == .unsigned && size == 1 }

    /// The element `at` bytes past `base`, as a `Float`.
    @inline(__always)
    func load(_ base: UnsafeRawPointer, at: Int) -> Float {
        switch (kind, size) {
        case (.unsigned, 1): return Float(base.load(fromByteOffset: at, as: UInt8.self))
        case (.bool, 1): return base.load(fromByteOffset: at, as: UInt8.self) == 0 ? 0 : 1
        case (.signed, 1): return Float(base.load(fromByteOffset: at, as: Int8.self))
        case (.unsigned, 2): return Float(ordered(base.loadUnaligned(fromByteOffset: at, as: UInt16.self)))
        case (.signed, 2): return Float(Int16(bitPattern: ordered(base.loadUnaligned(fromByteOffset: at, as: UInt16.self))))
        case (.unsigned, 4): return Float(ordered(base.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
        case (.signed, 4): return Float(Int32(bitPattern: ordered(base.loadUnaligned(fromByteOffset: at, as: UInt32.self))))
        case (.unsigned, 8): return Float(ordered(base.loadUnaligned(fromByteOffset: at, as: UInt64.self)))
        case (.signed, 8): return Float(Int64(bitPattern: ordered(base.loadUnaligned(fromByteOffset: at, as: UInt64.self))))
        case (.float, 2):
            return Float(Float16(bitPattern: ordered(base.loadUnaligned(fromByteOffset: at, as: UInt16.self))))
        case (.float, 4): return Float(bitPattern: ordered(base.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
        case (.float, 8): return Float(Double(bitPattern: ordered(base.loadUnaligned(fromByteOffset: at, as: UInt64.self))))
        default: return 0
        }
    }

    /// The element `at` bytes past `base` as an integer, for labels; `nil` for floats and
    /// for unsigned values too large for `Int`.
    func loadInteger(_ base: UnsafeRawPointer, at: Int) -> Int? {
        switch (kind, size) {
        case (.unsigned, 8): return Int(exactly: ordered(base.loadUnaligned(fromByteOffset: at, as: UInt64.self)))
        case (.signed, 8): return Int(Int64(bitPattern: ordered(base.loadUnaligned(fromByteOffset: at, as: UInt64.self))))
        case (.float, _): return nil
        default: return Int(load(base, at: at))
        }
    }

    @inline(__always) private func ordered<T: FixedWidthInteger>(_ value: T) -> T { bigEndian ? T(bigEndian: value) : T(littleEndian: value) }
}

/// The header of a `.npy` array: its element type, shape, order, and where its data starts.
struct NumPyArrayLayout: Sendable, Equatable {
    /// The element type.
    let elementType: NumPyElementType
    /// The dimensions, outermost first.
    let shape: [Int]
    /// Whether the data is in Fortran (column-major) order.
    let fortranOrder: Bool
    /// The byte offset of the data in the file.
    let dataOffset: Int
    /// The bytes the data takes.
    let dataBytes: Int

    /// A layout given directly (for arrays that are not `.npy` files, such as IDX payloads).
    init(elementType: NumPyElementType, shape: [Int], fortranOrder: Bool, dataOffset: Int, dataBytes: Int) {
        self.elementType = elementType
        self.shape = shape
        self.fortranOrder = fortranOrder
        self.dataOffset = dataOffset
        self.dataBytes = dataBytes
    }

    /// Parses the preamble and header at the start of `bytes` (the whole file, or at least
    /// its header), checking that `bytes.count` holds the data; `array` names an `.npz` member.
    init(_ bytes: UnsafeRawBufferPointer, path: String, array: String? = nil) throws(NumPyError) {
        func failure(_ reason: NumPyError.Reason) -> NumPyError { NumPyError(path: path, array: array, reason: reason) }
        let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
        guard bytes.count >= 8, bytes.prefix(6).elementsEqual(magic), [1, 2, 3].contains(bytes[6]), bytes[7] == 0 else {
            throw failure(.notNPY)
        }
        let lengthSize = bytes[6] == 1 ? 2 : 4
        guard bytes.count >= 8 + lengthSize else { throw failure(.badHeader("the file ends inside its preamble")) }
        var headerLength = 0
        for index in (0..<lengthSize).reversed() { headerLength = headerLength << 8 | Int(bytes[8 + index]) }
        let headerStart = 8 + lengthSize
        guard headerLength <= bytes.count - headerStart else {
            throw failure(.badHeader("its header of \(headerLength) bytes runs past the file's end"))
        }
        var text = Array(bytes[headerStart..<(headerStart + headerLength)])
        guard text.last == 0x0A else { throw failure(.badHeader("it does not end with a newline")) }
        text.removeLast()
        while text.last == 0x20 { text.removeLast() }
        if let descr = text.firstRange(of: Array("'descr':".utf8)) {
            let after = text[descr.upperBound...].drop { $0 == 0x20 }
            if after.first == UInt8(ascii: "[") { throw failure(.structuredDType) }
        }
        var parser = PythonLiteralParser(bytes: text)
        let members: [(key: String, value: PythonLiteral)]
        do {
            members = try parser.parseDictionary()
            try parser.expectOnlySpacesRemain()
        } catch {
            switch error {
            case .syntax(let detail, let offset): throw failure(.badHeader("\(detail) at byte \(offset) of the header"))
            case .duplicateKey(let key): throw failure(.badHeader("the key '\(key)' appears twice"))
            }
        }
        var descr: String?, fortran: Bool?, shape: [Int]?
        for (key, value) in members {
            switch (key, value) {
            case ("descr", .string(let text)): descr = text
            case ("fortran_order", .bool(let flag)): fortran = flag
            case ("shape", .integerTuple(let dims)): shape = dims
            case ("shape", .integer(let dim)): shape = [dim]
            default: throw failure(.badHeader("the key '\(key)' is unexpected or has the wrong type"))
            }
        }
        guard let descr, let fortran, let shape else {
            throw failure(.badHeader("it lacks one of 'descr', 'fortran_order' and 'shape'"))
        }
        if descr.dropFirst().hasPrefix("O") { throw failure(.objectDType) }
        guard let type = NumPyElementType(descr: descr) else { throw failure(.unsupportedDType(descr)) }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw failure(.badHeader("its shape has a negative dimension")) }
        var total = type.size
        for dim in shape where dim != 0 {
            let (product, overflow) = total.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw failure(.sizeOverflow(shape: shape)) }
            total = product
        }
        if shape.contains(0) { total = 0 }
        let dataOffset = headerStart + headerLength
        guard bytes.count - dataOffset >= total else {
            throw failure(.truncated(shape: shape, expected: total, actual: bytes.count - dataOffset))
        }
        self.elementType = type
        self.shape = shape
        self.fortranOrder = fortran
        self.dataOffset = dataOffset
        self.dataBytes = total
    }

    /// The byte strides of each dimension, for C or Fortran order.
    var strides: [Int] {
        var strides = [Int](repeating: 0, count: shape.count)
        var step = elementType.size
        for axis in (fortranOrder ? Array(shape.indices) : shape.indices.reversed()) {
            strides[axis] = step
            step *= max(shape[axis], 1)
        }
        return strides
    }
}
