/// The element types the `.npy` reader accepts, spelled as NumPy's 'descr'.
///
/// Why: the library needs Float32 arrays, Float64 arrays (converted) and uint8 images.
public enum NPYDType: String, CaseIterable, Equatable, Sendable {
    /// Little-endian 32-bit floats.
    case float32 = "<f4"
    /// Little-endian 64-bit floats.
    case float64 = "<f8"
    /// Unsigned bytes (byte order does not apply).
    case uint8 = "|u1"

    /// The number of bytes one element takes.
    public var byteCount: Int {
        switch self {
        case .float32: 4
        case .float64: 8
        case .uint8: 1
        }
    }
}

/// The dictionary of an `.npy` header: element type, storage order and shape.
///
/// Why: it turns the header's Python literal into checked values, and writes it back the
/// way NumPy's `np.save` does, so that files written here are byte-identical to NumPy's.
struct NPYHeader: Equatable {
    /// The element type.
    let dtype: NPYDType
    /// The dimensions, outermost first.
    let shape: [Int]

    /// NumPy pads the header with spaces so that the data starts at a multiple of this.
    static let alignment = 64
    /// NumPy leaves room for this many digits in the first dimension (to grow in place).
    static let growthAxisDigits = 21

    /// The header text NumPy writes, before padding: keys sorted, shape as a tuple repr.
    static func dictionaryText(dtype: NPYDType, shape: [Int]) -> String {
        let tuple: String
        switch shape.count {
        case 0: tuple = "()"
        case 1: tuple = "(\(shape[0]),)"
        default: tuple = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
        var text = "{'descr': '\(dtype.rawValue)', 'fortran_order': False, 'shape': \(tuple), }"
        if let first = shape.first {
            text += String(repeating: " ", count: max(0, growthAxisDigits - String(first).count))
        }
        return text
    }

    /// The preamble and padded header exactly as `np.save` writes them (version 1.0, or
    /// 2.0 when the header does not fit in 65,535 bytes).
    static func encode(dtype: NPYDType, shape: [Int]) -> [UInt8] {
        let text = Array(dictionaryText(dtype: dtype, shape: shape).utf8)
        var version: UInt8 = 1
        var lengthFieldSize = 2
        var padding = alignment - (8 + lengthFieldSize + text.count + 1) % alignment
        if text.count + 1 + padding > Int(UInt16.max) {
            version = 2
            lengthFieldSize = 4
            padding = alignment - (8 + lengthFieldSize + text.count + 1) % alignment
        }
        var bytes: [UInt8] = NPY.magic + [version, 0]
        LittleEndian.append(UInt64(text.count + padding + 1), size: lengthFieldSize, to: &bytes)
        bytes.append(contentsOf: text)
        bytes.append(contentsOf: repeatElement(0x20, count: padding))
        bytes.append(0x0A)
        return bytes
    }

    /// Parses header text (without the trailing newline): a dict literal, then only spaces.
    init(text: [UInt8], file: String) throws(NPYError) {
        func failure(_ problem: NPYError.Problem) -> NPYError { NPYError(file: file, problem: problem) }
        var parser = PythonLiteralParser(bytes: text)
        let members: [(key: String, value: PythonLiteral)]
        do {
            members = try parser.parseDictionary()
            try parser.expectOnlySpacesRemain()
        } catch {
            switch error {
            case .syntax(let detail, let offset): throw failure(.headerSyntax(detail: detail, offset: offset))
            case .duplicateKey(let key): throw failure(.duplicateKey(key))
            }
        }

        var descr: PythonLiteral?
        var fortranOrder: PythonLiteral?
        var shapeValue: PythonLiteral?
        for member in members {
            switch member.key {
            case "descr": descr = member.value
            case "fortran_order": fortranOrder = member.value
            case "shape": shapeValue = member.value
            default: throw failure(.unknownKey(member.key))
            }
        }
        guard let descr else { throw failure(.missingKey("descr")) }
        guard let fortranOrder else { throw failure(.missingKey("fortran_order")) }
        guard let shapeValue else { throw failure(.missingKey("shape")) }

        guard case .string(let descrText) = descr else {
            throw failure(.wrongValueType(key: "descr", expected: "a string"))
        }
        guard let dtype = NPYDType(rawValue: descrText) else { throw failure(.unsupportedDType(descrText)) }
        guard case .bool(let isFortran) = fortranOrder else {
            throw failure(.wrongValueType(key: "fortran_order", expected: "True or False"))
        }
        guard !isFortran else { throw failure(.fortranOrder) }
        guard case .integerTuple(let shape) = shapeValue else {
            throw failure(.wrongValueType(key: "shape", expected: "a tuple of integers"))
        }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw failure(.negativeDimension(shape: shape)) }
        self.dtype = dtype
        self.shape = shape
    }
}

/// The values a `.npy` header dict may hold.
package enum PythonLiteral: Equatable {
    /// A quoted string.
    case string(String)
    /// `True` or `False`.
    case bool(Bool)
    /// A bare integer.
    case integer(Int)
    /// A tuple of integers: `()`, `(3,)`, `(2, 3)`.
    case integerTuple([Int])
}

/// Why a header literal was rejected.
package enum PythonLiteralError: Error, Equatable {
    /// The text breaks the accepted grammar at byte `offset`.
    case syntax(String, offset: Int)
    /// A dict key appears twice.
    case duplicateKey(String)
}

/// A parser for the small subset of Python literals that `.npy` headers use.
///
/// Why: NumPy reads the header with `ast.literal_eval`; this accepts the same forms for
/// the three keys (strings without escapes, True/False, integers, integer tuples) and
/// nothing else, so odd or hostile headers fail with a precise message.
package struct PythonLiteralParser {
    private let bytes: [UInt8]
    private var position = 0

    /// Prepares to parse `bytes`.
    package init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private func fail(_ message: String) -> PythonLiteralError { .syntax(message, offset: position) }

    private mutating func skipSpaces() {
        while let byte = current, byte == 0x20 || byte == 0x09 { position += 1 }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(PythonLiteralError) {
        skipSpaces()
        guard current == byte else { throw fail("expected \(what)") }
        position += 1
    }

    /// Checks that nothing but spaces follows what was parsed.
    package mutating func expectOnlySpacesRemain() throws(PythonLiteralError) {
        while let byte = current {
            guard byte == 0x20 else { throw fail("unexpected text after the dict") }
            position += 1
        }
    }

    /// Parses `{ 'key': value, ... }` (a trailing comma is allowed), keys unique.
    package mutating func parseDictionary() throws(PythonLiteralError) -> [(key: String, value: PythonLiteral)] {
        try expect(UInt8(ascii: "{"), "'{'")
        var members: [(key: String, value: PythonLiteral)] = []
        while true {
            skipSpaces()
            if current == UInt8(ascii: "}") { position += 1; return members }
            guard current == UInt8(ascii: "'") || current == UInt8(ascii: "\"") else {
                throw fail("expected a quoted key or '}'")
            }
            let key = try parseString()
            guard !members.contains(where: { $0.key == key }) else { throw .duplicateKey(key) }
            try expect(UInt8(ascii: ":"), "':'")
            members.append((key, try parseValue()))
            skipSpaces()
            if current == UInt8(ascii: ",") { position += 1; continue }
            try expect(UInt8(ascii: "}"), "',' or '}'")
            return members
        }
    }

    private mutating func parseValue() throws(PythonLiteralError) -> PythonLiteral {
        skipSpaces()
        guard let byte = current else { throw fail("unexpected end of header") }
        switch byte {
        case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "("): return .integerTuple(try parseTuple())
        case UInt8(ascii: "T"): try parseWord("True"); return .bool(true)
        case UInt8(ascii: "F"): try parseWord("False"); return .bool(false)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .integer(try parseInteger())
        default: throw fail("unexpected character")
        }
    }

    private mutating func parseTuple() throws(PythonLiteralError) -> [Int] {
        position += 1  // "("
        skipSpaces()
        if current == UInt8(ascii: ")") { position += 1; return [] }
        var elements: [Int] = []
        while true {
            skipSpaces()
            guard let byte = current, byte == UInt8(ascii: "-") || isDigit(byte) else {
                throw fail("expected an integer in the tuple")
            }
            elements.append(try parseInteger())
            skipSpaces()
            if current == UInt8(ascii: ")") {
                // "(3)" is the integer 3 in Python, not a tuple.
                guard elements.count > 1 else { throw fail("expected ',' in a one-element tuple") }
                position += 1
                return elements
            }
            guard current == UInt8(ascii: ",") else { throw fail("expected ',' or ')' in the tuple") }
            position += 1
            skipSpaces()
            if current == UInt8(ascii: ")") { position += 1; return elements }
        }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func parseInteger() throws(PythonLiteralError) -> Int {
        let start = position
        let negative = current == UInt8(ascii: "-")
        if negative { position += 1 }
        var magnitude = 0
        var digits = 0
        while let byte = current, isDigit(byte) {
            let (shifted, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = shifted.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            guard !overflow1 && !overflow2 else { position = start; throw fail("integer too large") }
            magnitude = sum
            digits += 1
            position += 1
        }
        guard digits > 0 else { throw fail("expected a digit") }
        return negative ? -magnitude : magnitude
    }

    private mutating func parseWord(_ word: String) throws(PythonLiteralError) {
        for byte in word.utf8 {
            guard current == byte else { throw fail("unexpected word") }
            position += 1
        }
        // "Truex" or "False_1" is a name, not a literal.
        if let byte = current, byte == UInt8(ascii: "_") || isDigit(byte)
            || ((byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")) {
            throw fail("unexpected word")
        }
    }

    private mutating func parseString() throws(PythonLiteralError) -> String {
        let quote = bytes[position]
        position += 1
        let start = position
        while let byte = current, byte != quote {
            guard byte != UInt8(ascii: "\\") else { throw fail("escape sequences are not supported") }
            guard byte >= 0x20 else { throw fail("control character in a string") }
            position += 1
        }
        guard current == quote else { throw fail("unterminated string") }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        position += 1
        return text
    }
}
