import Foundation

/// How a data set's files are laid out once fetched, which tells the cache what to check
/// and what to unpack.
public enum CatalogFormat: String, Sendable, Equatable {
    /// Four IDX files, `.gz` (MNIST's names), read by ``MNIST/load(from:)``.
    case idx
    /// CIFAR-10's binary version: one `.tar.gz` archive, unpacked into the folder and read by
    /// ``CIFAR10/load(from:)``.
    case cifar10Binary
}

/// One file of a data set as its mirrors serve it, with the size and SHA-256 a download
/// must match.
public struct CatalogFile: Sendable, Equatable {
    /// The file's name, appended to each mirror's address and kept in the cache.
    public var name: String
    /// The file's size in bytes.
    public var size: Int
    /// The SHA-256 of the file's bytes, 64 lowercase hex digits.
    public var sha256: String

    /// Creates a file entry.
    public init(name: String, size: Int, sha256: String) {
        self.name = name
        self.size = size
        self.sha256 = sha256
    }
}

/// A data set that can be fetched by name: its files, the mirrors that serve them, and the
/// folders where a copy may already be on the machine.
public struct DatasetEntry: Sendable, Equatable {
    /// The name the commands take (`mnist`, `fashion-mnist`).
    public var name: String
    /// What the data set is, in a few words.
    public var summary: String
    /// How the files are laid out.
    public var format: CatalogFormat
    /// The files, each served by every mirror under its name.
    public var files: [CatalogFile]
    /// The base addresses tried in order; a file's address is the base plus its name.
    public var mirrors: [URL]
    /// Folders that may already hold the data set on this machine (a system package's), used
    /// instead of downloading when they hold readable files.
    public var localFolders: [String]

    /// Creates an entry.
    public init(name: String, summary: String, format: CatalogFormat, files: [CatalogFile],
                mirrors: [URL], localFolders: [String] = []) {
        self.name = name
        self.summary = summary
        self.format = format
        self.files = files
        self.mirrors = mirrors
        self.localFolders = localFolders
    }

    /// The bytes a fetch downloads: the files' sizes added up.
    public var downloadSize: Int { files.reduce(0) { $0 + $1.size } }
}
