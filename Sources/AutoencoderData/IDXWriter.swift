import CZlib
import Foundation

/// Writes IDX files of unsigned bytes, raw or gzip, so that tests and tools can make small
/// MNIST-shaped data sets that ``IDXReader`` (and any other IDX reader) accepts.
public enum IDXWriter {
    /// The bytes of an IDX file holding `array`: the magic number, the sizes in big-endian, the payload.
    public static func encode(_ array: IDXArray) -> [UInt8] {
        precondition(array.dimensions.count <= Int(UInt8.max), "IDX allows at most 255 dimensions")
        var bytes: [UInt8] = [0, 0, IDXElementType.unsignedByte.rawValue, UInt8(array.dimensions.count)]
        bytes.reserveCapacity(4 + 4 * array.dimensions.count + array.bytes.count)
        for size in array.dimensions {
            let value = UInt32(size)
            bytes += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
        }
        bytes += array.bytes
        return bytes
    }

    /// Writes `array` to `path` as an IDX file, gzip-compressed when `compressed` is true.
    ///
    /// - Throws: ``IDXError`` with reason ``IDXError/Reason/unwritable(_:)`` if the file cannot be written.
    public static func write(_ array: IDXArray, to path: String, compressed: Bool = false) throws {
        let bytes = encode(array)
        if compressed {
            try writeGzip(bytes, to: path)
        } else {
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
                throw IDXError(path: path, kind: .anyArray, reason: .unwritable("the file could not be created"))
            }
        }
    }

    /// Compresses `bytes` into a gzip file at `path` with zlib's `gzwrite`.
    private static func writeGzip(_ bytes: [UInt8], to path: String) throws {
        func failure(_ why: String) -> IDXError {
            IDXError(path: path, kind: .anyArray, reason: .unwritable(why))
        }
        guard let file = gzopen(path, "wb") else { throw failure(systemMessage(errno)) }
        var written = 0
        let ok = bytes.withUnsafeBytes { buffer -> Bool in
            while written < buffer.count {
                let chunk = min(buffer.count - written, 1 << 30)
                let result = gzwrite(file, buffer.baseAddress! + written, UInt32(chunk))
                if result <= 0 { return false }
                written += Int(result)
            }
            return true
        }
        let closed = gzclose(file)
        guard ok else { throw failure("gzwrite failed after \(written) bytes") }
        guard closed == Z_OK else { throw failure("gzclose failed (zlib error \(closed))") }
    }
}
