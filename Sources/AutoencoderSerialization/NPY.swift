import Foundation

/// Reading and writing NumPy `.npy` files (format versions 1.0, 2.0 and 3.0).
///
/// Why: `.npy` is how NumPy and its ecosystem exchange plain arrays; the CLI exports
/// embeddings and reconstructions this way and can read data sets prepared in Python.
/// Files written here are byte-identical to `np.save` of a C-ordered float32 array.
public enum NPY {
    /// The six bytes every `.npy` file starts with, `\x93NUMPY`: how a file is recognised
    /// whatever its name.
    public static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Reads and validates the `.npy` file at `url` (see `NPYArray.init(bytes:file:)`).
    ///
    /// Throws `FileAccessError` when the file cannot be read, `NPYError` when it is invalid.
    public static func read(from url: URL) throws -> NPYArray {
        let bytes = try FileBytes.read(path: url.path)
        return try NPYArray(bytes: bytes, file: url.path)
    }

    /// Writes the Float32 array `values` of the given `shape` (C order) to `url` atomically
    /// (see `AtomicFileWriter`).
    ///
    /// Throws `WriteRequestError` when the shape does not match the values (before touching
    /// the disk) and `FileAccessError` when the file cannot be written; nothing is left behind.
    public static func write(_ values: [Float], shape: [Int], to url: URL) throws {
        let bytes = try encode(values, shape: shape, file: url.path)
        try AtomicFileWriter.write(bytes, toPath: url.path)
    }

    /// The complete bytes of the `.npy` file holding `values` with the given `shape`.
    public static func encode(_ values: [Float], shape: [Int]) throws(WriteRequestError) -> [UInt8] {
        try encode(values, shape: shape, file: "<memory>")
    }

    static func encode(_ values: [Float], shape: [Int], file: String) throws(WriteRequestError) -> [UInt8] {
        let count = try WriteRequestError.elementCount(of: shape, tensor: nil, file: file)
        guard count == values.count else {
            throw WriteRequestError(file: file, problem: .shapeMismatch(tensor: nil, shape: shape, valueCount: values.count))
        }
        var bytes = NPYHeader.encode(dtype: .float32, shape: shape)
        LittleEndian.append(values, to: &bytes)
        return bytes
    }
}
