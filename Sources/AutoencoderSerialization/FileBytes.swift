#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole file into memory with plain POSIX calls.
///
/// Why: the readers need the complete file as bytes and a failure message in the form of
/// `FileAccessError`, rather than Foundation's longer and platform-dependent wording.
/// Shared with the package's other modules (`package`), which read pipes through it.
package enum FileBytes {
    /// The most read from a file that is not a regular file (a pipe, a socket, a device),
    /// whose size is not known beforehand: past it, `read(path:)` fails with "File too
    /// large" instead of growing for ever (`/dev/zero`, `yes |`).
    package static let streamLimit = 1 << 31

    /// Returns every byte of the file at `path` (a regular file, or a pipe or device up to
    /// `streamLimit` bytes), or throws `FileAccessError`. For a file that is not regular,
    /// `startsWell` sees the first bytes read, once at least 8 have come and again at 64 KiB
    /// (enough to look inside compressed data): when it says no, reading stops there and
    /// what was read is returned, for the caller's reader to refuse (`<(yes)` given as images
    /// is not read to its limit first).
    package static func read(path: String, streamLimit: Int = FileBytes.streamLimit,
                             startsWell: ([UInt8]) -> Bool = { _ in true }) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var nextCheck = 8
        try readChunks(path: path, streamLimit: streamLimit, reserving: { bytes.reserveCapacity($0) }) { chunk, isRegular in
            bytes.append(contentsOf: chunk)
            if !isRegular && bytes.count >= nextCheck {
                nextCheck = nextCheck < 1 << 16 ? 1 << 16 : .max
                return startsWell(bytes)
            }
            return true
        }
        return bytes
    }

    /// Reads the file at `path` once, front to back, handing each piece read to `body`
    /// (with whether the file is a regular one) until the file ends or `body` returns
    /// `false`; a file that is not regular (a pipe, a device) may give at most `streamLimit`
    /// bytes, else `FileAccessError` ("File too large"). `reserving` learns a regular file's
    /// size first. For readers that need not hold the whole file (CSV codes).
    package static func readChunks(path: String, streamLimit: Int = FileBytes.streamLimit,
                                   reserving: (Int) -> Void = { _ in },
                                   _ body: (ArraySlice<UInt8>, _ isRegular: Bool) throws -> Bool) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw FileAccessError(path: path, step: .openingForReading, code: errno)
        }
        defer { close(descriptor) }

        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw FileAccessError(path: path, step: .measuring, code: errno)
        }
        let kind = status.st_mode & S_IFMT
        if kind == S_IFDIR {
            throw FileAccessError(path: path, step: .openingForReading, code: EISDIR)
        }
        let isRegular = kind == S_IFREG
        if isRegular { reserving(Int(max(status.st_size, 0))) }

        var total = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in
                systemRead(descriptor, buffer.baseAddress, buffer.count)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileAccessError(path: path, step: .reading, code: errno)
            }
            if count == 0 { return }
            total += count
            if !isRegular && total > streamLimit {
                throw FileAccessError(path: path, step: .reading, code: EFBIG)
            }
            guard try body(chunk[0..<count], isRegular) else { return }
        }
    }
}

extension FileBytes {
    /// The first `count` bytes (fewer when the file is shorter) of the file at `path` and,
    /// for a regular file, its size; `nil` for anything but a regular file or a device (a
    /// pipe or socket, whose bytes could not be read again after; a folder), which is then
    /// not opened at all: a named pipe opened and closed here would lose its writer's data.
    package static func prefix(path: String, count: Int) throws -> (bytes: [UInt8], fileSize: Int?)? {
        var before = stat()
        if stat(path, &before) == 0 {
            let kind = before.st_mode & S_IFMT
            guard kind == S_IFREG || kind == S_IFCHR || kind == S_IFBLK else { return nil }
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileAccessError(path: path, step: .openingForReading, code: errno) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw FileAccessError(path: path, step: .measuring, code: errno) }
        let kind = status.st_mode & S_IFMT
        guard kind == S_IFREG || kind == S_IFCHR || kind == S_IFBLK else { return nil }
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress! + filled, count - filled) }
            if got < 0 {
                if errno == EINTR { continue }
                throw FileAccessError(path: path, step: .reading, code: errno)
            }
            if got == 0 { break }
            filled += got
        }
        return (Array(bytes[0..<filled]), kind == S_IFREG ? Int(status.st_size) : nil)
    }
}

/// The C library's `read`, named apart so that it does not clash with `FileBytes.read`.
@inline(__always)
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.read(descriptor, buffer, count)
    #elseif canImport(Musl)
    return Musl.read(descriptor, buffer, count)
    #else
    return Darwin.read(descriptor, buffer, count)
    #endif
}
