#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AutoencoderSerialization
import CAutoencoderKernels

/// A whole file's bytes, read-only: memory-mapped when the file is a regular one (so that
/// only the pages a reader touches are ever loaded), else read into memory (a pipe).
///
/// @unchecked Sendable: the mapping is read-only and never changes after `init`, and
/// `deinit` unmaps it only when no reference (and so no reader on any thread) is left.
final class MappedFile: @unchecked Sendable {
    /// The file's bytes (empty for an empty file).
    let bytes: UnsafeRawBufferPointer
    /// Whether `bytes` is a mapping to unmap (else memory to free).
    let isMapped: Bool
    /// The open file behind a mapping, for readers that copy with `pread` instead of
    /// touching the mapping's pages; -1 when not mapped.
    let descriptor: Int32
    /// Where the file was opened from.
    let path: String

    /// Maps the file at `path`; `failure` turns a missing file or a system error
    /// (its `errno` message) into the caller's error type.
    init(path: String, failure: (_ missing: Bool, _ why: String) -> any Error) throws {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            throw failure(code == ENOENT, String(cString: strerror(code)))
        }
        var keepsDescriptor = false
        defer { if !keepsDescriptor { close(descriptor) } }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw failure(false, String(cString: strerror(errno))) }
        if status.st_mode & S_IFMT == S_IFDIR { throw failure(false, "it is a folder") }
        if status.st_mode & S_IFMT == S_IFREG {
            let size = Int(status.st_size)
            guard size > 0 else {
                bytes = UnsafeRawBufferPointer(start: nil, count: 0)
                isMapped = false
                self.descriptor = -1
                return
            }
            guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
                throw failure(false, String(cString: strerror(errno)))
            }
            bytes = UnsafeRawBufferPointer(start: address, count: size)
            isMapped = true
            self.descriptor = descriptor
            keepsDescriptor = true
        } else {
            let read: [UInt8]
            do { read = try FileBytes.read(path: path) } catch { throw failure(false, "\(error)") }
            let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(read.count, 1), alignment: 64)
            read.withUnsafeBytes { copy.copyMemory(from: $0) }
            bytes = UnsafeRawBufferPointer(rebasing: copy[..<read.count])
            isMapped = false
            self.descriptor = -1
        }
    }

    /// The file opened again, read-only, for reads that bypass the system's file cache
    /// (Linux's `O_DIRECT`; the caller closes it), or -1 where the system or the file system
    /// does not allow it.
    func openUncached() -> Int32 { ae_open_uncached(path) }

    /// Asks the system to read ahead: the whole file is about to be read front to back.
    func adviseSequential() {
        #if os(Linux)
        if isMapped, let base = bytes.baseAddress { madvise(UnsafeMutableRawPointer(mutating: base), bytes.count, MADV_SEQUENTIAL) }
        #endif
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        guard let base = bytes.baseAddress else { return }
        if isMapped { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) } else { base.deallocate() }
    }
}
