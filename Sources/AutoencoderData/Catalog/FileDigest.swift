import COpenSSLDigest
import Foundation

/// The SHA-256 of a file, computed over it in chunks so that a large archive is never held
/// in memory whole.
///
/// OpenSSL's libcrypto (Debian's libssl-dev, present wherever the tool builds) does the
/// hashing: swift-crypto would do the same but adds minutes to every clean build.
enum FileDigest {
    /// The file's SHA-256 as 64 lowercase hex digits.
    static func sha256(ofFileAt path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DatasetError.unusableFile(path: path, reason: "it cannot be opened for reading")
        }
        defer { try? handle.close() }
        guard let context = EVP_MD_CTX_new() else { throw failure(path) }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else { throw failure(path) }
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            let updated = chunk.withUnsafeBytes { EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
            guard updated == 1 else { throw failure(path) }
        }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context, &digest, &length) == 1, length == 32 else { throw failure(path) }
        return digest.prefix(32).map { String(format: "%02x", $0) }.joined()
    }

    private static func failure(_ path: String) -> DatasetError {
        .unusableFile(path: path, reason: "its SHA-256 could not be computed (OpenSSL failed)")
    }
}
