import Foundation

/// The four files of an MNIST-format data set (MNIST, Fashion-MNIST), by their standard names.
///
/// Each may be stored raw or gzip-compressed, under its base name or the base name plus `.gz`.
public enum MNISTFile: String, Sendable, CaseIterable {
    /// `train-images-idx3-ubyte`: the training images.
    case trainingImages = "train-images-idx3-ubyte"
    /// `train-labels-idx1-ubyte`: the training labels.
    case trainingLabels = "train-labels-idx1-ubyte"
    /// `t10k-images-idx3-ubyte`: the test images.
    case testImages = "t10k-images-idx3-ubyte"
    /// `t10k-labels-idx1-ubyte`: the test labels.
    case testLabels = "t10k-labels-idx1-ubyte"

    /// The uncompressed name, e.g. `train-images-idx3-ubyte`.
    public var baseName: String { rawValue }

    /// The names this file may have on disk: raw, then `.gz`. When both are there, the
    /// loader reads both and refuses them if they differ (see ``MNISTError/conflictingCopies(raw:gzip:)``).
    public var acceptedNames: [String] { [baseName, baseName + ".gz"] }

    /// What the file holds, for the reader's checks.
    public var kind: IDXKind {
        switch self {
        case .trainingImages, .testImages: return .images
        case .trainingLabels, .testLabels: return .labels
        }
    }

    /// The path of the first accepted name that exists as a file in `directory`, or `nil`.
    public func path(in directory: String) -> String? {
        paths(in: directory).first
    }

    /// The paths of the accepted names that exist as files in `directory` (none, one, or
    /// both the raw and the `.gz` copy).
    public func paths(in directory: String) -> [String] {
        acceptedNames.map { joinPath(directory, $0) }.filter { candidate in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }
}

/// The folder part of `path`: `""` for a bare name, `/` for a name in the root folder.
///
/// Why not `NSString.deletingLastPathComponent`: Foundation 6.3 traps on some one-character
/// names (`-`, `a`), and a user may type those.
func parentFolder(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "" }
    return slash == path.startIndex ? "/" : String(path[..<slash])
}

/// `directory/name`, without doubling a trailing slash.
func joinPath(_ directory: String, _ name: String) -> String {
    if directory.isEmpty { return name }
    return directory.hasSuffix("/") ? directory + name : directory + "/" + name
}
