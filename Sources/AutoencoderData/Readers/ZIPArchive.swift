import CZlib

/// The files of a ZIP archive (an `.npz`), stored or deflated, read from bytes in memory.
///
/// Written here rather than taken from ZIPFoundation 0.9.20 because that package defines a
/// C module named `CZlib`, as this package does, and the two cannot be built together. It
/// reads what `numpy.savez` and `savez_compressed` write, ZIP64 included; encryption and
/// other compression methods are refused.
struct ZIPArchive {
    /// One file of the archive.
    struct Entry {
        /// Its path inside the archive.
        let name: String
        /// 0 stored, 8 deflated.
        let method: Int
        /// Its bytes in the archive.
        let compressedSize: Int
        /// Its bytes once inflated.
        let size: Int
        /// Where its local header starts.
        let headerOffset: Int
        /// Its CRC-32.
        let crc: UInt32
    }

    /// The archive's bytes.
    let bytes: [UInt8]
    /// The files, in central-directory order.
    let entries: [Entry]

    /// Parses the central directory of `bytes`; the error is the end of a sentence.
    init(bytes: [UInt8]) throws(ZIPFailure) {
        self.bytes = bytes
        // The end-of-central-directory record, within the last 64 KiB + 22 bytes.
        let lowest = max(0, bytes.count - 65_557)
        var end = -1
        var position = bytes.count - 22
        while position >= lowest {
            if Self.u32(bytes, position) == 0x0605_4B50 { end = position; break }
            position -= 1
        }
        guard end >= 0 else { throw ZIPFailure(reason: "it is not a ZIP archive (no end-of-directory record)") }
        var count = Int(Self.u16(bytes, end + 10))
        var directorySize = Int(Self.u32(bytes, end + 12))
        var directoryOffset = Int(Self.u32(bytes, end + 16))
        // ZIP64: a locator just before points at the ZIP64 end record.
        if end >= 20 && Self.u32(bytes, end - 20) == 0x0706_4B50 {
            let record = Int(clamping: Self.u64(bytes, end - 12))
            guard record >= 0, record + 56 <= bytes.count, Self.u32(bytes, record) == 0x0606_4B50 else {
                throw ZIPFailure(reason: "its ZIP64 directory record is damaged")
            }
            count = Int(clamping: Self.u64(bytes, record + 32))
            directorySize = Int(clamping: Self.u64(bytes, record + 40))
            directoryOffset = Int(clamping: Self.u64(bytes, record + 48))
        }
        guard directoryOffset >= 0, directorySize >= 0, directoryOffset <= bytes.count - directorySize else {
            throw ZIPFailure(reason: "its directory lies outside the file")
        }
        var entries: [Entry] = []
        var at = directoryOffset
        for _ in 0..<count {
            guard at + 46 <= bytes.count, Self.u32(bytes, at) == 0x0201_4B50 else {
                throw ZIPFailure(reason: "its directory is damaged")
            }
            let flags = Self.u16(bytes, at + 8)
            let method = Int(Self.u16(bytes, at + 10))
            let crc = Self.u32(bytes, at + 16)
            var compressed = Int(Self.u32(bytes, at + 20)), size = Int(Self.u32(bytes, at + 24))
            let nameLength = Int(Self.u16(bytes, at + 28)), extraLength = Int(Self.u16(bytes, at + 30))
            let commentLength = Int(Self.u16(bytes, at + 32))
            var offset = Int(Self.u32(bytes, at + 42))
            guard at + 46 + nameLength + extraLength + commentLength <= bytes.count else {
                throw ZIPFailure(reason: "its directory is damaged")
            }
            let name = String(decoding: bytes[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
            // ZIP64 sizes and offset, in that order, for the fields that are all ones.
            var extra = at + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = Self.u16(bytes, extra), length = Int(Self.u16(bytes, extra + 2))
                if id == 1 {
                    var field = extra + 4
                    let fieldEnd = min(field + length, extraEnd)
                    if size == 0xFFFF_FFFF && field + 8 <= fieldEnd { size = Int(clamping: Self.u64(bytes, field)); field += 8 }
                    if compressed == 0xFFFF_FFFF && field + 8 <= fieldEnd { compressed = Int(clamping: Self.u64(bytes, field)); field += 8 }
                    if offset == 0xFFFF_FFFF && field + 8 <= fieldEnd { offset = Int(clamping: Self.u64(bytes, field)) }
                }
                extra += 4 + length
            }
            if flags & 1 != 0 { throw ZIPFailure(reason: "its file \"\(name)\" is encrypted") }
            entries.append(Entry(name: name, method: method, compressedSize: compressed, size: size,
                                 headerOffset: offset, crc: crc))
            at += 46 + nameLength + extraLength + commentLength
        }
        self.entries = entries
    }

    /// The bytes of `entry`, inflated and checked against its CRC-32.
    func contents(of entry: Entry) throws(ZIPFailure) -> [UInt8] {
        let at = entry.headerOffset
        guard at >= 0, at <= bytes.count - 30, Self.u32(bytes, at) == 0x0403_4B50 else {
            throw ZIPFailure(reason: "the header of its file \"\(entry.name)\" is damaged")
        }
        let start = at + 30 + Int(Self.u16(bytes, at + 26)) + Int(Self.u16(bytes, at + 28))
        guard entry.compressedSize >= 0, start <= bytes.count, entry.compressedSize <= bytes.count - start else {
            throw ZIPFailure(reason: "its file \"\(entry.name)\" runs past the archive's end")
        }
        let packed = bytes[start..<(start + entry.compressedSize)]
        let output: [UInt8]
        switch entry.method {
        case 0: output = Array(packed)
        case 8: output = try Self.inflate(packed, size: entry.size, name: entry.name)
        default: throw ZIPFailure(reason: "its file \"\(entry.name)\" uses compression method \(entry.method), not stored or deflate")
        }
        let crc = output.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32(clamping: $0.count))) }
        guard output.count == entry.size, entry.size > UInt32.max || crc == entry.crc else {
            throw ZIPFailure(reason: "its file \"\(entry.name)\" is damaged (size or checksum differs)")
        }
        return output
    }

    /// Raw deflate data inflated to exactly `size` bytes.
    private static func inflate(_ packed: ArraySlice<UInt8>, size: Int, name: String) throws(ZIPFailure) -> [UInt8] {
        // Deflate expands a byte at most 1032-fold: a larger size is a lie.
        guard size >= 0, size / 1032 <= packed.count + 1 else {
            throw ZIPFailure(reason: "its file \"\(name)\" declares more bytes than its data can hold")
        }
        var output = [UInt8](repeating: 0, count: size)
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ZIPFailure(reason: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        let status = packed.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out -> Int32 in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = UInt32(clamping: input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(clamping: out.count)
                var status: Int32 = Z_OK
                while status == Z_OK {
                    if stream.avail_out == 0 && stream.total_out < out.count {
                        stream.avail_out = UInt32(clamping: out.count - Int(stream.total_out))
                    }
                    if stream.avail_in == 0 && Int(stream.total_in) < input.count {
                        stream.avail_in = UInt32(clamping: input.count - Int(stream.total_in))
                    }
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    if status == Z_BUF_ERROR { break }
                }
                return status
            }
        }
        guard status == Z_STREAM_END, Int(stream.total_out) == size else {
            throw ZIPFailure(reason: "its file \"\(name)\" is not valid deflate data")
        }
        return output
    }

    private static func u16(_ b: [UInt8], _ at: Int) -> UInt16 {
        guard at >= 0, at + 2 <= b.count else { return 0 }
        return UInt16(b[at]) | UInt16(b[at + 1]) << 8
    }
    private static func u32(_ b: [UInt8], _ at: Int) -> UInt32 {
        guard at >= 0, at + 4 <= b.count else { return 0 }
        return UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
    }
    private static func u64(_ b: [UInt8], _ at: Int) -> UInt64 { UInt64(u32(b, at)) | UInt64(u32(b, at + 4)) << 32 }
}

/// Why an archive could not be read: the end of a sentence about the file.
struct ZIPFailure: Error { let reason: String }
