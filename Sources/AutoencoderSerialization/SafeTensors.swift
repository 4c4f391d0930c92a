import Foundation

/// A named `Float` tensor to be written to a safetensors file.
///
/// Why: the writer's input — the library stores all its parameters as F32.
public struct NamedFloatTensor: Equatable, Sendable {
    /// The tensor's name (any string except "__metadata__").
    public var name: String
    /// The size of each dimension, outermost first; empty for a scalar.
    public var shape: [Int]
    /// The elements in row-major order; their count must be the product of `shape`.
    public var values: [Float]

    /// Makes a tensor called `name` of the given `shape` holding `values` in row-major order.
    public init(name: String, shape: [Int], values: [Float]) {
        self.name = name
        self.shape = shape
        self.values = values
    }
}

/// Reading and writing Hugging Face safetensors files.
///
/// Why: safetensors is the common, safe (no code execution), zero-copy format for model
/// weights, readable from Python (`safetensors`, PyTorch, NumPy) and many other tools.
///
/// Files written here list the tensors in ascending order of their names (compared as
/// UTF-8 bytes), with the data in the same order, and put "__metadata__" (keys ascending)
/// first when there is any. This is the order of the reference implementation for F32
/// tensors, so a file written here is byte-identical to the one Python's
/// `safetensors.numpy.save_file` writes for the same tensors and single-key metadata.
/// The header is padded with spaces so that the data starts at a multiple of 8 bytes.
public enum SafeTensors {
    /// Reads and validates the safetensors file at `url` (see `SafeTensorsFile.init(bytes:file:)`).
    ///
    /// Throws `FileAccessError` when the file cannot be read, `SafeTensorsError` when it breaks the format.
    public static func read(from url: URL) throws -> SafeTensorsFile {
        // The header first, from the start of the file: a file that is no safetensors (3 GB
        // of zeros, /dev/zero), or whose size does not fit its header (gigabytes after the
        // data), is refused before the rest of it is read into memory. (A pipe is read whole,
        // as its start cannot be read twice.) The full parse below checks everything again.
        if let start = try FileBytes.prefix(path: url.path, count: 8)?.bytes, start.count == 8 {
            let length = LittleEndian.unsigned(start[...], at: 0, size: 8)
            if length <= SafeTensorsFile.maximumHeaderLength,
               let (bytes, size) = try FileBytes.prefix(path: url.path, count: 8 + Int(length)),
               bytes.count == 8 + Int(length) {
                let header = try SafeTensorsHeader(bytes: Array(bytes[8...]), file: url.path)
                if let size {
                    _ = try SafeTensorsLayout(entries: header.entries, bufferSize: size - bytes.count, file: url.path)
                }
            }
        }
        let bytes = try FileBytes.read(path: url.path)
        return try SafeTensorsFile(bytes: bytes, file: url.path)
    }

    /// Writes `tensors` and `metadata` to `url` atomically (see `AtomicFileWriter`).
    ///
    /// Throws `WriteRequestError` for invalid input (before touching the disk) and
    /// `FileAccessError` when the file cannot be written; nothing is left behind on failure.
    public static func write(_ tensors: [NamedFloatTensor], metadata: [String: String] = [:], to url: URL) throws {
        let bytes = try encode(tensors, metadata: metadata, file: url.path)
        try AtomicFileWriter.write(bytes, toPath: url.path)
    }

    /// The complete bytes of the safetensors file holding `tensors` and `metadata`.
    public static func encode(_ tensors: [NamedFloatTensor], metadata: [String: String] = [:]) throws(WriteRequestError) -> [UInt8] {
        try encode(tensors, metadata: metadata, file: "<memory>")
    }

    /// ``encode(_:metadata:)``, naming `file` (where the bytes will go) in its errors.
    package static func encode(_ tensors: [NamedFloatTensor], metadata: [String: String], file: String) throws(WriteRequestError) -> [UInt8] {
        let ordered = tensors.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        for (index, tensor) in ordered.enumerated() {
            if tensor.name == SafeTensorsHeader.metadataKey {
                throw WriteRequestError(file: file, problem: .reservedName(tensor.name))
            }
            if index > 0, ordered[index - 1].name == tensor.name {
                throw WriteRequestError(file: file, problem: .duplicateName(tensor.name))
            }
            let count = try WriteRequestError.elementCount(of: tensor.shape, tensor: tensor.name, file: file)
            guard count == tensor.values.count else {
                throw WriteRequestError(file: file, problem: .shapeMismatch(
                    tensor: tensor.name, shape: tensor.shape, valueCount: tensor.values.count))
            }
        }

        var header: [UInt8] = [UInt8(ascii: "{")]
        var needsComma = false
        if !metadata.isEmpty {
            JSONStringEncoder.append(SafeTensorsHeader.metadataKey, to: &header)
            header.append(contentsOf: Array(":{".utf8))
            let keys = metadata.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (index, key) in keys.enumerated() {
                if index > 0 { header.append(UInt8(ascii: ",")) }
                JSONStringEncoder.append(key, to: &header)
                header.append(UInt8(ascii: ":"))
                JSONStringEncoder.append(metadata[key]!, to: &header)
            }
            header.append(UInt8(ascii: "}"))
            needsComma = true
        }
        var offset = 0
        for tensor in ordered {
            if needsComma { header.append(UInt8(ascii: ",")) }
            needsComma = true
            let end = offset + tensor.values.count * SafeTensorsDType.float32.byteCount
            JSONStringEncoder.append(tensor.name, to: &header)
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            header.append(contentsOf: Array(":{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}".utf8))
            offset = end
        }
        header.append(UInt8(ascii: "}"))
        header.append(contentsOf: repeatElement(0x20, count: (8 - header.count % 8) % 8))
        guard UInt64(header.count) <= SafeTensorsFile.maximumHeaderLength else {
            throw WriteRequestError(file: file, problem: .headerTooLarge(length: header.count))
        }

        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + header.count + offset)
        LittleEndian.append(UInt64(header.count), size: 8, to: &bytes)
        bytes.append(contentsOf: header)
        for tensor in ordered {
            LittleEndian.append(tensor.values, to: &bytes)
        }
        return bytes
    }
}
