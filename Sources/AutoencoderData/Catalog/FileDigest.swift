import Crypto
import Foundation

/// The SHA-256 of a file, computed over it in chunks so that a large archive is never held
/// in memory whole.
enum FileDigest {
    /// The file's SHA-256 as 64 lowercase hex digits.
    static func sha256(ofFileAt path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DatasetError.unusableFile(path: path, reason: "it cannot be opened for reading")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
