import AutoencoderSerialization
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

    /// Writes `array` to `path` as an IDX file, gzip-compressed when `compressed` is true,
    /// atomically (temporary file, fsync, rename: a failed write leaves any earlier file).
    ///
    /// - Throws: ``IDXError`` with reason ``IDXError/Reason/unwritable(_:)`` if the file cannot
    ///   be written, saying why in the system's words.
    public static func write(_ array: IDXArray, to path: String, compressed: Bool = false) throws {
        let bytes = compressed ? try gzip(encode(array), path: path) : encode(array)
        do {
            try AtomicFileWriter.write(bytes, toPath: path)
        } catch let error as FileAccessError {
            throw IDXError(path: path, kind: .anyArray,
                           reason: .unwritable("\(systemMessage(error.code)) (while \(error.step.rawValue))"))
        }
    }

    /// `bytes` as one gzip member, compressed in memory with zlib (`deflateInit2_` with
    /// `windowBits` 31 writes the gzip header and trailer).
    static func gzip(_ bytes: [UInt8], path: String, piece: Int = 1 << 30) throws -> [UInt8] {
        var stream = z_stream()
        guard deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw IDXError(path: path, kind: .anyArray, reason: .unwritable("zlib could not start compressing"))
        }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 32)
        var input = bytes
        // zlib counts in 32-bit lengths: the input goes in pieces of at most `piece` bytes
        // (1 GiB), into an output buffer deflateBound says is large enough for all of it.
        let status = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                var consumed = 0
                while true {
                    if stream.avail_in == 0, consumed < source.count {   // the next piece, once zlib took the last
                        let length = min(piece, source.count - consumed)
                        stream.next_in = source.baseAddress! + consumed
                        stream.avail_in = UInt32(length)
                        consumed += length
                    }
                    let produced = Int(stream.total_out)
                    stream.next_out = destination.baseAddress! + produced
                    stream.avail_out = UInt32(min(destination.count - produced, Int(UInt32.max)))
                    let status = deflate(&stream, consumed == source.count ? Z_FINISH : Z_NO_FLUSH)
                    if status != Z_OK { return status }   // Z_STREAM_END when done, else an error
                }
            }
        }
        guard status == Z_STREAM_END else {
            throw IDXError(path: path, kind: .anyArray, reason: .unwritable("zlib failed to compress (error \(status))"))
        }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }
}
