/// Reads IDX files (the format of MNIST: http://yann.lecun.com/exdb/mnist/), raw or gzip.
///
/// The reader checks everything a damaged or wrong file could get wrong, and never
/// allocates by a size the header declares unless the file is really big enough to hold it:
/// - the magic number's two leading zero bytes;
/// - the element type (only `0x08`, unsigned bytes, is supported);
/// - the dimension count against the caller's ``IDXKind``;
/// - declared sizes that multiply to exactly the payload length, rejecting both truncation
///   and trailing bytes, and whose product leaving out sizes of 0 fits in `Int` (so any
///   product of them does);
/// - for gzip (detected by its `1f 8b` magic, not the name), the stream's integrity as zlib checks it.
public enum IDXReader {
    /// How many trailing bytes are counted before the error stops counting and says "at least".
    static let trailingCountLimit = 1 << 24

    /// Reads the IDX file at `path`, which may be gzip-compressed, expecting `kind`.
    ///
    /// - Throws: ``IDXError`` naming the file and the first check it failed.
    public static func read(contentsOf path: String, as kind: IDXKind = .anyArray) throws -> IDXArray {
        let source = try openByteSource(path: path, kind: kind)
        return try read(from: source, path: path, kind: kind)
    }

    /// Reads an IDX file whose bytes are already in memory (raw or gzip, told apart by the
    /// gzip magic), with the same checks as ``read(contentsOf:as:)``; `name` names it in errors.
    /// For tests, fuzzing and data that does not come from a file.
    ///
    /// - Throws: ``IDXError`` naming `name` and the first check the bytes failed.
    public static func read(bytes: [UInt8], named name: String, as kind: IDXKind = .anyArray) throws -> IDXArray {
        let source = try memoryByteSource(bytes, path: name, kind: kind)
        return try read(from: source, path: name, kind: kind)
    }

    /// Whether `start`, the first bytes of a file, may begin an IDX file this reader takes
    /// (`00 00 08`, as far as `start` goes), raw or as gzip (`1f 8b`) whose first inflated
    /// bytes do (or that is too short, or cut too soon, to tell). For
    /// readers of pipes, which stop reading as soon as the start shows that the rest cannot
    /// be IDX (`<(yes | gzip)` is endless).
    package static func mayStart(_ start: [UInt8]) -> Bool {
        // The magic as this reader takes it: 00 00, then unsigned bytes (08). (The dimension
        // count is left to the reader, whose message about it is the right one.)
        func isMagic(_ bytes: ArraySlice<UInt8>) -> Bool { Array(bytes.prefix(3)).elementsEqual([0, 0, 0x08].prefix(bytes.prefix(3).count)) }
        guard start.starts(with: [0x1F, 0x8B]) else { return isMagic(start[...]) }
        guard let source = try? GzipSource(input: MemorySource(bytes: start), path: "", kind: .anyArray) else { return false }
        var first = [UInt8](repeating: 0, count: 3)
        do {
            let count = try first.withUnsafeMutableBytes { try source.read(into: $0) }
            return isMagic(first[..<count])
        } catch let error as IDXError {
            // Corrupt data cannot be IDX; a start cut inside a member, or before the next
            // member's magic is whole, cannot tell yet.
            if case .corruptGzip = error.reason { return false }
            return true
        } catch {
            return true
        }
    }

    /// Parses header and payload from `source`, which is positioned at the file's first byte.
    static func read(from source: ByteSource, path: String, kind: IDXKind) throws -> IDXArray {
        func failure(_ reason: IDXError.Reason) -> IDXError {
            IDXError(path: path, kind: kind, reason: reason)
        }

        // Magic number: 0x00 0x00, type byte, dimension count.
        var magic = [UInt8](repeating: 0, count: 4)
        let magicCount = try magic.withUnsafeMutableBytes { try source.read(into: $0) }
        if magicCount >= 2 && (magic[0] != 0 || magic[1] != 0) {
            throw failure(.notIDX(firstBytes: Array(magic[..<magicCount])))
        }
        guard magicCount == 4 else {
            if source.endedEarly { throw failure(.gzipCut) }
            throw failure(.headerTruncated(actual: magicCount, needed: 4))
        }
        guard magic[2] == IDXElementType.unsignedByte.rawValue else {
            throw failure(.unsupportedType(magic[2]))
        }
        let dimensionCount = Int(magic[3])
        if let expected = kind.dimensionCount, expected != dimensionCount {
            throw failure(.wrongDimensionCount(actual: dimensionCount, expected: expected))
        }

        // One big-endian UInt32 per dimension.
        var sizeBytes = [UInt8](repeating: 0, count: 4 * dimensionCount)
        let sizeCount = try sizeBytes.withUnsafeMutableBytes { try source.read(into: $0) }
        guard sizeCount == sizeBytes.count else {
            if source.endedEarly { throw failure(.gzipCut) }
            throw failure(.headerTruncated(actual: 4 + sizeCount, needed: 4 + sizeBytes.count))
        }
        let dimensions = (0..<dimensionCount).map { index in
            sizeBytes[(4 * index)..<(4 * index + 4)].reduce(0) { $0 << 8 | Int($1) }
        }
        // The sizes other than 0 must multiply to a byte count that fits even when a 0 makes
        // the array empty, so that any product of sizes a reader forms (such as the pixels of
        // one image) fits too.
        var declared = IDXElementType.unsignedByte.byteCount
        for size in dimensions where size != 0 {
            let (product, overflow) = declared.multipliedReportingOverflow(by: size)
            if overflow { throw failure(.sizeOverflow(dimensions: dimensions)) }
            declared = product
        }
        if dimensions.contains(0) { declared = 0 }

        // The payload: reserve only what the file can really hold, and grow as bytes arrive.
        var payload = [UInt8](repeating: 0, count: min(declared, source.remainingBound))
        var filled = 0
        while filled < declared {
            if filled == payload.count {
                let grown = min(declared, max(2 * payload.count, 1 << 16))
                payload.append(contentsOf: repeatElement(0, count: grown - payload.count))
            }
            let requested = payload.count - filled
            let count = try payload.withUnsafeMutableBytes { bytes in
                try source.read(into: UnsafeMutableRawBufferPointer(rebasing: bytes[filled...]))
            }
            filled += count
            if count < requested { break }
        }
        guard filled == declared else {
            throw failure(.truncated(dimensions: dimensions, declaredBytes: declared, actualBytes: filled,
                                     streamCut: source.endedEarly))
        }

        let trailing = try countRemainingBytes(in: source)
        if trailing > 0 {
            throw failure(.trailingBytes(dimensions: dimensions, count: trailing,
                                         countIsLowerBound: trailing >= trailingCountLimit))
        }
        if source.endedEarly { throw failure(.gzipCut) }
        return IDXArray(dimensions: dimensions, bytes: payload)
    }

    /// Drains what is left of `source` and counts it, stopping at ``trailingCountLimit``.
    private static func countRemainingBytes(in source: ByteSource) throws -> Int {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { scratch.deallocate() }
        var total = 0
        while total < trailingCountLimit {
            let count = try source.read(into: scratch)
            total += count
            if count < scratch.count { break }
        }
        return total
    }
}
