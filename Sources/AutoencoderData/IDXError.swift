import AutoencoderErrors
import Foundation

/// Why an IDX file could not be read or written: one case per check the reader makes.
///
/// Its ``description`` is one sentence that names the file, fit to show a user as is.
public struct IDXError: Error, AutoencoderError, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// The file the error is about.
    public var subject: String? { path }

    /// What went wrong, with the numbers the message needs.
    public enum Reason: Sendable, Equatable {
        /// The file does not exist.
        case missing
        /// The file exists but could not be opened or read; the payload is the system's reason.
        case unreadable(String)
        /// The file could not be created or written; the payload is the system's reason.
        case unwritable(String)
        /// The file ends inside its header, which needs `needed` bytes; `actual` were there.
        case headerTruncated(actual: Int, needed: Int)
        /// The first two bytes, which IDX requires to be zero, are not; the payload holds the first bytes seen.
        case notIDX(firstBytes: [UInt8])
        /// The type byte names a type this library does not read (anything but `0x08`), or no IDX type at all.
        case unsupportedType(UInt8)
        /// The header declares `actual` dimensions where the caller's ``IDXKind`` needs `expected`.
        case wrongDimensionCount(actual: Int, expected: Int)
        /// The declared sizes multiply to more bytes than a machine can address.
        case sizeOverflow(dimensions: [Int])
        /// Fewer payload bytes follow the header than it declares; `streamCut` tells that the
        /// gzip stream itself stops before its end marker.
        case truncated(dimensions: [Int], declaredBytes: Int, actualBytes: Int, streamCut: Bool)
        /// More bytes follow the declared payload; `countIsLowerBound` is set when counting stopped early.
        case trailingBytes(dimensions: [Int], count: Int, countIsLowerBound: Bool)
        /// The gzip stream is damaged; the payload is zlib's own message.
        case corruptGzip(String)
        /// The gzip stream stops before its end marker (a cut download) although the IDX payload is complete.
        case gzipCut
        /// Bytes that are not another gzip member follow the end of the gzip stream.
        case dataAfterGzip
    }

    /// The path of the file, as the caller gave it.
    public let path: String
    /// What the caller expected the file to hold; used to word the message.
    public let kind: IDXKind
    /// What went wrong.
    public let reason: Reason

    /// Creates an error for the file at `path`.
    public init(path: String, kind: IDXKind, reason: Reason) {
        self.path = path
        self.kind = kind
        self.reason = reason
    }

    /// The file's name without its directory, as used in the message; the whole path for a
    /// device or descriptor (`/dev/…`, `/proc/…`: a pipe given as `<(zcat …)` is
    /// `/dev/fd/63`, whose last component alone would say nothing).
    public var fileName: String {
        path.hasPrefix("/dev/") || path.hasPrefix("/proc/") ? path : (path as NSString).lastPathComponent
    }

    /// One sentence naming the file and what is wrong with it.
    public var description: String {
        let name = fileName
        switch reason {
        case .missing:
            let directory = parentFolder(of: path)
            let stdin = path == "-" ? " (standard input is /dev/stdin)" : ""
            return "\(name) does not exist in \(directory.isEmpty ? "the current directory" : directory)\(stdin)."
        case .unreadable(let why):
            return "\(name) could not be read: \(why)."
        case .unwritable(let why):
            return "\(name) could not be written: \(why)."
        case .headerTruncated(let actual, let needed):
            return "\(name) is too short to be an IDX file of \(kind.noun): it has \(actual) bytes"
                + " but its header needs \(needed)."
        case .notIDX(let firstBytes):
            let shown = firstBytes.map { hex($0) }.joined(separator: " ")
            return "\(name) is not an IDX file: it starts with the bytes \(shown) instead of 00 00."
        case .unsupportedType(let byte):
            if let type = IDXElementType(rawValue: byte) {
                return "\(name) holds \(type.name) (IDX type 0x\(hex(byte))), but only unsigned bytes"
                    + " (type 0x08) are supported."
            }
            return "\(name) declares the unknown IDX element type 0x\(hex(byte)); only unsigned bytes"
                + " (type 0x08) are supported."
        case .wrongDimensionCount(let actual, let expected):
            let meaning = kind.dimensionMeaning.map { " (\($0))" } ?? ""
            return "\(name) declares \(actual) dimension\(actual == 1 ? "" : "s"), but a file of \(kind.noun)"
                + " must have \(expected)\(meaning)."
        case .sizeOverflow(let dimensions):
            return "\(name) declares the sizes \(dimensions.map(String.init).joined(separator: "x")),"
                + " which add up to more bytes than can exist."
        case .truncated(let dimensions, let declared, let actual, let streamCut):
            let cut = streamCut ? ", and its gzip stream stops before its end" : ""
            return "\(name) is truncated: the header declares \(kind.describe(dimensions)) (\(declared) bytes)"
                + " but only \(actual) byte\(actual == 1 ? "" : "s") follow\(actual == 1 ? "s" : "")\(cut)."
        case .trailingBytes(let dimensions, let count, let lowerBound):
            let amount = lowerBound ? "at least \(count)" : "\(count)"
            return "\(name) has \(amount) unexpected byte\(count == 1 ? "" : "s") after"
                + " \(kind.describeDefinite(dimensions)) its header declares."
        case .corruptGzip(let message):
            return "\(name) is not a valid gzip stream: zlib reports \"\(message)\"."
        case .gzipCut:
            return "\(name) is truncated: its gzip stream stops before its end marker."
        case .dataAfterGzip:
            return "\(name) has bytes that are not gzip data after the end of its compressed stream."
        }
    }

    /// The same sentence, for Foundation's `localizedDescription`.
    public var errorDescription: String? { description }
}

/// Two uppercase hex digits, e.g. "0D".
private func hex(_ byte: UInt8) -> String {
    let digits = String(byte, radix: 16, uppercase: true)
    return digits.count == 1 ? "0" + digits : digits
}
