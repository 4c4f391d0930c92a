#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that readers see either the old content or the complete new content,
/// never a partial file, even if the process or the machine stops half-way.
///
/// Why: a model or array file that is cut short by a crash would later fail to load (or,
/// worse, load wrong); writing to a temporary file in the same folder, flushing it and
/// renaming it onto the final name makes the replacement a single atomic step. Both the
/// safetensors and the `.npy` writers go through this one implementation.
///
/// Steps: create `.<name>.tmp-<pid>-<random>` beside the destination (exclusively, so that
/// it never clobbers anything), write all bytes, `fsync`, `close`, `rename` onto the final
/// name, then `fsync` the folder so that the rename itself is durable (best effort: some
/// file systems refuse to sync a folder, which is not an error). On any failure the
/// temporary file is removed and a `FileAccessError` naming the destination is thrown.
public enum AtomicFileWriter {
    /// Replaces (or creates) the file at `path` with exactly `bytes`, atomically.
    public static func write(_ bytes: [UInt8], toPath path: String) throws {
        let folder = folderPath(of: path)
        let name = String(path.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let temporaryPath = folder + "/." + name + ".tmp-\(getpid())-" + suffix

        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw FileAccessError(path: path, step: .creatingTemporaryFile, code: errno)
        }
        var isOpen = true
        do {
            try writeAll(bytes, to: descriptor, path: path)
            guard fsync(descriptor) == 0 else {
                throw FileAccessError(path: path, step: .syncing, code: errno)
            }
            isOpen = false
            guard close(descriptor) == 0 else {
                throw FileAccessError(path: path, step: .closing, code: errno)
            }
            guard rename(temporaryPath, path) == 0 else {
                throw FileAccessError(path: path, step: .renaming, code: errno)
            }
        } catch {
            if isOpen { close(descriptor) }
            unlink(temporaryPath)
            throw error
        }
        syncFolder(folder)
    }

    /// Writes every byte, retrying short writes and interrupted calls.
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw FileAccessError(path: path, step: .writing, code: errno)
                }
                offset += written
            }
        }
    }

    /// Flushes the folder entry so that the rename survives a power cut; failures are ignored
    /// because the file content itself is already safe and some systems cannot do this.
    private static func syncFolder(_ folder: String) {
        let descriptor = open(folder, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    /// The folder part of `path`: "." for a bare name, "/" for a file at the root.
    static func folderPath(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }
}

/// The C library's `write`, named apart so that it does not clash with `AtomicFileWriter.write`.
@inline(__always)
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(descriptor, buffer, count)
    #elseif canImport(Musl)
    return Musl.write(descriptor, buffer, count)
    #else
    return Darwin.write(descriptor, buffer, count)
    #endif
}
