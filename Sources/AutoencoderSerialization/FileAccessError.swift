import AutoencoderErrors
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure of the operating system while reading or writing a file, such as a missing
/// folder or a full disk.
///
/// Why: callers (the CLI above all) show `description` to a person as it is, so it is one
/// sentence naming the file, the step that failed and the system's own explanation.
public struct FileAccessError: Error, AutoencoderError, Equatable, Sendable, CustomStringConvertible {
    /// The file the error is about.
    public var subject: String? { path }

    /// The step of the file operation that failed; it makes the message say what was being done.
    public enum Step: String, Equatable, Sendable {
        /// Opening an existing file to read it.
        case openingForReading = "opening it for reading"
        /// Finding out how big an opened file is.
        case measuring = "finding its size"
        /// Reading the bytes of an opened file.
        case reading = "reading it"
        /// Creating the temporary file that an atomic write fills before renaming it.
        case creatingTemporaryFile = "creating its temporary file"
        /// Writing bytes into the temporary file.
        case writing = "writing its temporary file"
        /// Flushing the temporary file to the storage device.
        case syncing = "flushing its temporary file to disk"
        /// Closing the temporary file (where delayed write errors surface).
        case closing = "closing its temporary file"
        /// Renaming the complete temporary file onto the final name.
        case renaming = "renaming its temporary file onto it"
    }

    /// The path of the file that could not be read or written.
    public let path: String
    /// The step that failed.
    public let step: Step
    /// The `errno` value the system reported.
    public let code: Int32

    /// Makes the error for a failed `step` on the file at `path`, keeping the system's `code`.
    public init(path: String, step: Step, code: Int32) {
        self.path = path
        self.step = step
        self.code = code
    }

    /// One sentence naming the file, the failed step and the system's explanation.
    public var description: String {
        let reason = String(cString: strerror(code))
        return "Could not access the file '\(path)' while \(step.rawValue): \(reason)."
    }
}
