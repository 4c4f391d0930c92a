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
    /// `streamLimit` bytes), or throws `FileAccessError`.
    package static func read(path: String, streamLimit: Int = FileBytes.streamLimit) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw FileAccessError(path: path, step: .openingForReading, code: errno)
        }
        defer { close(descriptor) }

        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw FileAccessError(path: path, step: .measuring, code: errno)
        }
        if (status.st_mode & S_IFMT) == S_IFDIR {
            throw FileAccessError(path: path, step: .openingForReading, code: EISDIR)
        }

        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(max(status.st_size, 0)))
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in
                systemRead(descriptor, buffer.baseAddress, buffer.count)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileAccessError(path: path, step: .reading, code: errno)
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            if (status.st_mode & S_IFMT) != S_IFREG && bytes.count > streamLimit {
                throw FileAccessError(path: path, step: .reading, code: EFBIG)
            }
        }
        return bytes
    }
}

extension FileBytes {
    /// The first `count` bytes (fewer when the file is shorter) of the file at `path` and,
    /// for a regular file, its size; `nil` when it is a pipe or socket, whose bytes could not
    /// be read again after.
    package static func prefix(path: String, count: Int) throws -> (bytes: [UInt8], fileSize: Int?)? {
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
