/// A validated NumPy `.npy` array held in memory: element type, shape and raw data.
///
/// Why: the initializer checks the whole file (see `init(bytes:file:)`) so that callers
/// can trust the shape and the data size; values are converted only when asked.
public struct NPYArray: Equatable, Sendable {
    /// The element type.
    public let dtype: NPYDType
    /// The dimensions, outermost first (C order); empty for a scalar.
    public let shape: [Int]
    /// The elements' bytes in C (row-major) order, little-endian.
    public let data: ArraySlice<UInt8>
    /// The file's path (or the name given for bytes from memory), for error messages.
    public let file: String

    /// The number of elements: the product of `shape` (1 for a scalar).
    public var elementCount: Int { data.count / dtype.byteCount }

    /// Parses and validates `.npy` `bytes`; `file` names them in error messages.
    ///
    /// Checks, each failing with its own `NPYError.Problem`: the magic string; version 1.0,
    /// 2.0 or 3.0; a header length within the file; preamble plus header a multiple of 16
    /// bytes (NumPy pads to 64, older versions to 16); ASCII text (UTF-8 for version 3)
    /// ending in a newline; a dict literal with exactly 'descr' ('<f4', '<f8' or '|u1'),
    /// 'fortran_order' (False: C order only) and 'shape' (a tuple of non-negative
    /// integers, whose byte size leaving out dimensions of 0 fits in `Int`, as NumPy requires),
    /// followed only by spaces; and exactly as many data bytes as the shape needs.
    public init(bytes: [UInt8], file: String = "<memory>") throws(NPYError) {
        func failure(_ problem: NPYError.Problem) -> NPYError { NPYError(file: file, problem: problem) }
        guard bytes.count >= 10 else { throw failure(.fileTooShort(byteCount: bytes.count)) }
        guard bytes[0..<6].elementsEqual(NPY.magic) else { throw failure(.badMagic) }
        let (major, minor) = (bytes[6], bytes[7])
        let lengthFieldSize: Int
        switch (major, minor) {
        case (1, 0): lengthFieldSize = 2
        case (2, 0), (3, 0): lengthFieldSize = 4
        default: throw failure(.unsupportedVersion(major: major, minor: minor))
        }
        let preambleLength = 8 + lengthFieldSize
        guard bytes.count >= preambleLength else { throw failure(.fileTooShort(byteCount: bytes.count)) }
        let headerLength = Int(LittleEndian.unsigned(bytes[...], at: 8, size: lengthFieldSize))
        guard headerLength <= bytes.count - preambleLength else {
            throw failure(.headerLengthBeyondFile(length: headerLength, available: bytes.count - preambleLength))
        }
        let dataStart = preambleLength + headerLength
        guard dataStart % 16 == 0 else { throw failure(.misalignedHeader(totalLength: dataStart)) }

        let headerBytes = Array(bytes[preambleLength..<dataStart])
        let isText = major == 3
            ? UTF8Validator.isValid(headerBytes)
            : headerBytes.allSatisfy { $0 < 0x80 }
        guard isText else { throw failure(.headerNotText) }
        guard headerBytes.last == 0x0A else { throw failure(.headerNotTerminated) }
        let header = try NPYHeader(text: Array(headerBytes.dropLast()), file: file)

        // As in NumPy, the dimensions other than 0 must multiply to a byte size that fits even
        // when a 0 makes the array empty, so that any product of dimensions a reader forms
        // (such as the size of one row) fits too.
        var expected = header.dtype.byteCount
        for dimension in header.shape where dimension != 0 {
            let (product, overflow) = expected.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw failure(.sizeOverflow) }
            expected = product
        }
        if header.shape.contains(0) { expected = 0 }
        let actual = bytes.count - dataStart
        guard actual == expected else { throw failure(.dataSizeMismatch(expected: expected, actual: actual)) }

        self.dtype = header.dtype
        self.shape = header.shape
        self.data = bytes[dataStart...]
        self.file = file
    }

    /// The elements as `Float`s in C order: '<f4' exactly, '<f8' rounded to nearest,
    /// '|u1' as the values 0...255.
    public func floats() -> [Float] {
        switch dtype {
        case .float32: LittleEndian.floats(data)
        case .float64: LittleEndian.floatsFromDoubles(data)
        case .uint8: data.map(Float.init)
        }
    }

    /// The elements of a '|u1' array (for example image pixels); other types throw `NPYError`.
    public func uint8Values() throws(NPYError) -> [UInt8] {
        guard dtype == .uint8 else { throw NPYError(file: file, problem: .notUInt8(dtype: dtype)) }
        return Array(data)
    }
}
