import Foundation

/// How far the download of one file has come: what a progress line shows.
public struct DownloadProgress: Sendable, Equatable {
    /// The file being downloaded.
    public var fileName: String
    /// The bytes of the file on disk so far, a resumed part's included.
    public var bytes: Int
    /// The file's full size.
    public var totalBytes: Int
    /// The bytes that were already on disk when this download started (a resumed `.part`).
    public var resumedFrom: Int
    /// Seconds since this download started.
    public var seconds: Double

    /// Creates a progress report.
    public init(fileName: String, bytes: Int, totalBytes: Int, resumedFrom: Int, seconds: Double) {
        self.fileName = fileName
        self.bytes = bytes
        self.totalBytes = totalBytes
        self.resumedFrom = resumedFrom
        self.seconds = seconds
    }

    /// Bytes per second downloaded by this download (not counting the resumed part); 0 at first.
    public var bytesPerSecond: Double {
        seconds > 0 ? Double(bytes - resumedFrom) / seconds : 0
    }
}

/// What a fetch tells as it goes: bytes arriving, and each file's outcome at each mirror.
public enum FetchEvent: Sendable, Equatable {
    /// More bytes of a file arrived.
    case progress(DownloadProgress)
    /// A mirror failed for a file; the next one is tried.
    case mirrorFailed(file: String, MirrorFailure)
    /// A file was downloaded from `mirror` and matched its SHA-256.
    case verified(file: String, mirror: URL)
    /// An archive was unpacked into `folder`.
    case unpacked(archive: String, folder: String)
}
