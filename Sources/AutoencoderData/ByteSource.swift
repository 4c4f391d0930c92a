#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CZlib

/// A forward-only stream of a file's bytes, already inflated when the file is gzip.
///
/// The IDX reader pulls the header and then the payload straight into their final
/// buffers, so a file is never held twice in memory.
protocol ByteSource: AnyObject {
    /// Fills `buffer` from the stream and returns how many bytes it wrote; fewer than
    /// `buffer.count` only when the stream has ended.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int

    /// An upper bound on the bytes still to come, computed from the real size of the file:
    /// the reader never reserves more than this, whatever a header claims.
    var remainingBound: Int { get }

    /// Whether the stream ended because its input ran out before a proper end (a cut gzip stream).
    var endedEarly: Bool { get }
}

/// Opens the file at `path` and returns a source that yields its bytes, inflating them if
/// the file starts with the gzip magic `1f 8b` (the name is not consulted).
///
/// A pipe or socket (`<(zcat …)`, `/dev/stdin`) cannot be rewound after that peek: it is
/// read whole into memory first (see ``OpenFile/readStream()``).
func openByteSource(path: String, kind: IDXKind) throws -> ByteSource {
    let file = try OpenFile(path: path, kind: kind)
    if file.isStream {
        return try memoryByteSource(file.readStream(), path: path, kind: kind)
    }
    var magic: (UInt8, UInt8) = (0, 0)
    let peeked = try withUnsafeMutableBytes(of: &magic) { try file.read(into: $0) }
    try file.rewind()
    let raw = RawFileSource(file: file)
    if peeked == 2 && magic == (0x1F, 0x8B) {
        return try GzipSource(input: raw, path: path, kind: kind)
    }
    return raw
}

/// A source over bytes already in memory, inflated if they start with the gzip magic `1f 8b`;
/// `path` only names them in errors.
func memoryByteSource(_ bytes: [UInt8], path: String, kind: IDXKind) throws -> ByteSource {
    let raw = MemorySource(bytes: bytes)
    if bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B {
        return try GzipSource(input: raw, path: path, kind: kind)
    }
    return raw
}

/// An open file descriptor, closed when the object goes away.
final class OpenFile {
    /// The descriptor from `open(2)`.
    let descriptor: Int32
    /// The file's size in bytes when it was opened.
    let size: Int
    /// Whether it is a pipe or socket: read once, forward only, of no known size.
    let isStream: Bool
    /// The path, for error messages.
    let path: String
    /// The expected contents, for error messages.
    let kind: IDXKind

    /// Opens `path` for reading; a missing file and other failures become distinct ``IDXError``s.
    init(path: String, kind: IDXKind) throws {
        self.path = path
        self.kind = kind
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT {
                throw IDXError(path: path, kind: kind, reason: .missing)
            }
            throw IDXError(path: path, kind: kind, reason: .unreadable(systemMessage(code)))
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let code = errno
            close(descriptor)
            throw IDXError(path: path, kind: kind, reason: .unreadable(systemMessage(code)))
        }
        self.descriptor = descriptor
        self.size = Int(status.st_size)
        let type = status.st_mode & S_IFMT
        self.isStream = type == S_IFIFO || type == S_IFSOCK
    }

    /// The most a pipe may deliver: an IDX file read from one is held in memory whole.
    static let streamLimit = 1 << 31

    /// Every byte until the stream ends, for a pipe or socket. Stops early, with what it has,
    /// when its first mebibyte cannot start IDX (see ``IDXReader/mayStart(_:)``): the reader
    /// then says why (so endless streams of something else are not read for ever).
    /// More than ``streamLimit`` bytes is an error.
    func readStream() throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = try chunk.withUnsafeMutableBytes { try read(into: $0) }
            bytes.append(contentsOf: chunk[0..<count])
            if count < chunk.count { return bytes }
            if bytes.count == chunk.count && !IDXReader.mayStart(bytes) { return bytes }
            if bytes.count > Self.streamLimit {
                throw IDXError(path: path, kind: kind,
                               reason: .unreadable("a pipe may deliver at most \(Self.streamLimit >> 30) GiB (save the data to a file instead)"))
            }
        }
    }

    deinit { close(descriptor) }

    /// Reads until `buffer` is full or the file ends, retrying interrupted calls.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var filled = 0
        while filled < buffer.count {
            let result = readDescriptor(descriptor, base + filled, buffer.count - filled)
            if result > 0 {
                filled += result
            } else if result == 0 {
                break
            } else if errno != EINTR {
                throw IDXError(path: path, kind: kind, reason: .unreadable(systemMessage(errno)))
            }
        }
        return filled
    }

    /// Moves back to the first byte, after the gzip magic has been peeked at.
    func rewind() throws {
        guard lseek(descriptor, 0, SEEK_SET) == 0 else {
            throw IDXError(path: path, kind: kind, reason: .unreadable(systemMessage(errno)))
        }
    }
}

/// The bytes of a file, as they are.
final class RawFileSource: ByteSource {
    private let file: OpenFile
    private var consumed = 0

    init(file: OpenFile) { self.file = file }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = try file.read(into: buffer)
        consumed += count
        return count
    }

    var remainingBound: Int { max(0, file.size - consumed) }

    var endedEarly: Bool { false }
}

/// Bytes held in memory, as they are.
final class MemorySource: ByteSource {
    private let bytes: [UInt8]
    private var offset = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }

    var remainingBound: Int { bytes.count - offset }

    var endedEarly: Bool { false }
}

/// The inflated bytes of a gzip stream read from another source, decompressed by zlib as
/// they are asked for.
///
/// Concatenated gzip members are read one after another, as `gunzip` does; anything else
/// after the last member is an error, and so is input that stops before a member's end.
final class GzipSource: ByteSource {
    /// Deflate cannot expand data by more than 1032:1, so this bounds the output of any input.
    static let maximumExpansion = 1032
    /// How much compressed input is read from the underlying source at a time.
    static let inputCapacity = 1 << 18

    /// Where the compressed bytes come from.
    private let compressed: ByteSource
    /// The path and expected contents, for error messages.
    private let path: String
    private let kind: IDXKind
    /// zlib keeps a pointer back to the stream, so it lives at a fixed heap address.
    private let stream: UnsafeMutablePointer<z_stream>
    private let inputBuffer: UnsafeMutableRawBufferPointer
    private var finished = false
    private(set) var endedEarly = false

    init(input: ByteSource, path: String, kind: IDXKind) throws {
        compressed = input
        self.path = path
        self.kind = kind
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        inputBuffer = .allocate(byteCount: Self.inputCapacity, alignment: 16)
        // 15 + 32: the largest window, and let zlib detect the gzip (or zlib) header itself.
        let status = inflateInit2_(stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            inputBuffer.deallocate()
            throw IDXError(path: path, kind: kind,
                           reason: .unreadable("zlib could not start inflating (error \(status))"))
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        inputBuffer.deallocate()
    }

    var remainingBound: Int {
        let compressedLeft = compressed.remainingBound + Int(stream.pointee.avail_in)
        let (bound, overflow) = compressedLeft.multipliedReportingOverflow(by: Self.maximumExpansion)
        // zlib may also hold up to a window of output it has decoded but not yet handed out.
        return overflow ? Int.max : bound.addingReportingOverflow(1 << 16).partialValue
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !finished, let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        var produced = 0
        while produced < buffer.count && !finished {
            if stream.pointee.avail_in == 0 {
                guard try refill(keeping: 0) else {
                    // The input ran out in the middle of a member.
                    endedEarly = true
                    finished = true
                    break
                }
            }
            let chunk = min(buffer.count - produced, Int(UInt32.max))
            stream.pointee.next_out = (base + produced).assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = UInt32(chunk)
            let status = inflate(stream, Z_NO_FLUSH)
            produced += chunk - Int(stream.pointee.avail_out)
            switch status {
            case Z_OK:
                continue
            case Z_BUF_ERROR where stream.pointee.avail_in == 0:
                continue  // needs more input; the loop refills
            case Z_STREAM_END:
                try startNextMemberOrFinish()
            default:
                throw corruption(status)
            }
        }
        return produced
    }

    /// After a member's end: continue with the next gzip member if one follows, stop if the
    /// file ends here, and reject anything else.
    private func startNextMemberOrFinish() throws {
        if stream.pointee.avail_in < 2 {
            _ = try refill(keeping: Int(stream.pointee.avail_in))
        }
        let available = Int(stream.pointee.avail_in)
        if available == 0 {
            finished = true
            return
        }
        let next = UnsafeRawPointer(stream.pointee.next_in!)
        guard available >= 2, next.load(as: UInt8.self) == 0x1F, next.load(fromByteOffset: 1, as: UInt8.self) == 0x8B
        else {
            throw IDXError(path: path, kind: kind, reason: .dataAfterGzip)
        }
        guard inflateReset(stream) == Z_OK else { throw corruption(Z_STREAM_ERROR) }
    }

    /// Moves the last `keeping` unread input bytes to the front of the input buffer and reads
    /// more after them; returns whether any new bytes came.
    private func refill(keeping: Int) throws -> Bool {
        let base = inputBuffer.baseAddress!
        if keeping > 0, let next = stream.pointee.next_in {
            base.copyMemory(from: UnsafeRawPointer(next), byteCount: keeping)
        }
        let space = UnsafeMutableRawBufferPointer(start: base + keeping, count: Self.inputCapacity - keeping)
        let count = try compressed.read(into: space)
        stream.pointee.next_in = base.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = UInt32(keeping + count)
        return count > 0
    }

    /// The error for a failed `inflate` call, carrying zlib's own message when it gave one.
    private func corruption(_ status: Int32) -> IDXError {
        let message: String
        if let text = stream.pointee.msg {
            message = String(cString: text)
        } else if status == Z_MEM_ERROR {
            message = "out of memory"
        } else {
            message = "error \(status)"
        }
        return IDXError(path: path, kind: kind, reason: .corruptGzip(message))
    }
}

/// The C library's text for an `errno` value, e.g. "Permission denied".
func systemMessage(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
}

/// `read(2)`, reachable under a name that `OpenFile.read(into:)` does not shadow.
private func readDescriptor(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
