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
                throw Unwritable(path: path, reason: "it cannot be created (\(OutputFolder.reason(error)))")
            }
        }
        let probe = url.appendingPathComponent(".write-test-\(getpid())").path
        guard FileManager.default.createFile(atPath: probe, contents: Data("ok".utf8)) else {
            throw Unwritable(path: path, reason: "permission denied or the disk is full")
        }
        try? FileManager.default.removeItem(atPath: probe)
    }

    /// The URL of the file `name` in the folder.
    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Writes `text` as UTF-8 to the file `name`, atomically.
    public func writeText(_ text: String, to name: String) throws {
        try AtomicFileWriter.write(Array(text.utf8), toPath: file(name).path)
    }

    /// The system's own explanation of a failed file operation, without Foundation's wrapping.
    static func reason(_ error: Error) -> String {
        let text = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError)?.localizedDescription
            ?? error.localizedDescription
        return text.hasSuffix(".") ? String(text.dropLast()) : text
    }
}
