import Foundation

/// A folder a run writes its files into, checked to be writable before any work starts.
public struct OutputFolder: Sendable {
    /// The folder.
    public let url: URL

    /// The folder cannot be created or written.
    public struct Unwritable: Error, CustomStringConvertible, LocalizedError {
        /// The folder.
        public let path: String
        /// Why, in a few words.
        public let reason: String
        /// One sentence naming the folder and why.
        public var description: String { "Cannot write to the output folder \(path): \(reason)." }
        /// The same sentence, for Foundation's `localizedDescription`.
        public var errorDescription: String? { description }
    }

    /// Creates the folder if needed and proves it writable by creating and removing a file.
    public init(_ url: URL) throws {
        self.url = url
        let path = url.path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw Unwritable(path: path, reason: "it is a file, not a folder") }
        } else {
            do {
                try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            } catch {
                let why = OutputFolder.obstacle(creating: url) ?? OutputFolder.reason(error)
                throw Unwritable(path: path, reason: "it cannot be created (\(why))")
            }
        }
        let probe = url.appendingPathComponent(".write-test-\(getpid())").path
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0, write(descriptor, "ok", 2) == 2 else {
            let code = errno
            if descriptor >= 0 { close(descriptor); unlink(probe) }
            throw Unwritable(path: path, reason: Self.writeProblem(code))
        }
        close(descriptor)
        unlink(probe)
    }

    /// An exclusive hold on the folder for one run (`flock` on the folder itself, so no file
    /// is added), released when the value is gone or the process ends, even by SIGKILL.
    public final class RunLock: Sendable {
        private let descriptor: Int32
        fileprivate init(descriptor: Int32) { self.descriptor = descriptor }
        deinit { close(descriptor) }
    }

    /// Takes the folder for one run; throws ``Unwritable`` when another run (another
    /// process, or this one) holds it: two runs writing one folder would leave a mix of
    /// both runs' files.
    public func lockForRun() throws -> RunLock {
        let descriptor = open(url.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Unwritable(path: url.path, reason: "it cannot be opened (\(String(cString: strerror(errno))))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw Unwritable(path: url.path, reason: "another run is writing to it")
        }
        return RunLock(descriptor: descriptor)
    }

    /// Why a file could not be written there, from its `errno`.
    static func writeProblem(_ code: Int32) -> String {
        switch code {
        case EACCES, EPERM: "permission denied"
        case EROFS: "its file system is read-only"
        case ENOSPC, EDQUOT: "the disk is full"
        default: String(cString: strerror(code))
        }
    }

    /// The URL of the file `name` in the folder.
    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Writes `text` as UTF-8 to the file `name`, atomically.
    public func writeText(_ text: String, to name: String) throws {
        try AtomicFileWriter.write(Array(text.utf8), toPath: file(name).path)
    }

    /// What keeps the missing folder `url` from being created, found by walking up to the
    /// nearest path that exists: a file where a folder should be, or a folder that cannot be
    /// written. Foundation's own error says only "The operation could not be completed".
    static func obstacle(creating url: URL) -> String? {
        var ancestor = url.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: ancestor.path), ancestor.path != "/" {
            ancestor = ancestor.deletingLastPathComponent()
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory) else { return nil }
        if !isDirectory.boolValue { return "\(ancestor.path) is a file, not a folder" }
        if access(ancestor.path, W_OK | X_OK) != 0 {
            return errno == EROFS ? "\(ancestor.path) is on a read-only file system" : "permission denied in \(ancestor.path)"
        }
        return nil
    }

    /// The system's own explanation of a failed file operation, without Foundation's wrapping.
    static func reason(_ error: Error) -> String {
        let text = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError)?.localizedDescription
            ?? error.localizedDescription
        return text.hasSuffix(".") ? String(text.dropLast()) : text
    }
}
