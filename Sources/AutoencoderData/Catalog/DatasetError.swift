import AutoencoderErrors
import Foundation

/// Why one mirror did not give a file: the mirror and what went wrong there.
public struct MirrorFailure: Sendable, Equatable {
    /// The mirror's base address.
    public var mirror: URL
    /// What went wrong, in a few words (`connection refused`, `HTTP 404`, `SHA-256 mismatch …`).
    public var reason: String
    /// Whether the mirror answered at all (an HTTP status or bytes), as opposed to no
    /// connection or no such host.
    public var answered: Bool

    /// Creates a failure.
    public init(mirror: URL, reason: String, answered: Bool) {
        self.mirror = mirror
        self.reason = reason
        self.answered = answered
    }

    /// The mirror as messages name it: its host and port, or the whole address for a file URL.
    public var label: String {
        guard let host = mirror.host else { return mirror.absoluteString }
        return host + (mirror.port.map { ":\($0)" } ?? "")
    }
}

/// A data set that cannot be had: an unknown name, a download that failed at every mirror,
/// or files that cannot be unpacked or read. Its ``description`` is one sentence.
public enum DatasetError: Error, AutoencoderError, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// No data set of this name is in the catalog.
    case unknownName(String, known: [String])
    /// Every mirror failed for `file` of `dataset`.
    case downloadFailed(dataset: String, file: String, failures: [MirrorFailure])
    /// A file in the cache or on the machine could not be read, written or unpacked.
    case unusableFile(path: String, reason: String)

    /// One sentence saying what failed and what to do.
    public var description: String {
        switch self {
        case let .unknownName(name, known):
            return "There is no data set named '\(name)'; the known ones are \(Self.list(known))."
        case let .downloadFailed(dataset, file, failures):
            let reasons = failures.map { "\($0.label): \($0.reason)" }.joined(separator: "; ")
            if failures.allSatisfy({ !$0.answered }) {
                return "Could not download \(dataset): no mirror answered (\(reasons)); check the network or give --mirror URL."
            }
            return "Could not download \(dataset): no mirror gave a good copy of \(file) (\(reasons)); give --mirror URL with a good copy."
        case let .unusableFile(path, reason):
            return "Cannot use \(path): \(reason)."
        }
    }

    /// The same sentence, for Foundation's `localizedDescription`.
    public var errorDescription: String? { description }

    private static func list(_ names: [String]) -> String {
        names.count <= 2 ? names.joined(separator: " and ")
            : names.dropLast().joined(separator: ", ") + " and " + names.last!
    }
}
