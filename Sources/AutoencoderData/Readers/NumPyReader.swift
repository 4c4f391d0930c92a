import Foundation
import AutoencoderSerialization

/// Reads NumPy arrays into data sets: a `.npy` memory-mapped, an `.npz` unzipped into memory.
///
/// Shapes: `(n, features)` gives feature vectors; `(n, h, w)` greyscale images `[1, h, w]`;
/// `(n, h, w, c)` or `(n, c, h, w)` images `[c, h, w]` (channels first, as ``Dataset``
/// holds them). For 4-D arrays the channel axis is the one of axes 1 and 3 that is 1, 3 or 4
/// when the other is not; `channelsFirst` decides when both or neither are.
/// Element types: float16/32/64, int8-64, uint8-64 and bool, either byte order, C or
/// Fortran order. Images of uint8 get ``Scaling/pixels`` (÷ 255); everything else ``Scaling/none``.
public enum NumPyReader {
    /// The `.npz` names of Keras's `mnist.npz` layout.
    static let trainingNames = ("x_train", "y_train"), testNames = ("x_test", "y_test")

    /// Maps the `.npy` at `path` and returns its samples, converted a batch at a time.
    ///
    /// - Throws: ``NumPyError`` naming the file.
    public static func readNPY(path: String, channelsFirst: Bool? = nil) throws -> Dataset {
        let file = try MappedFile(path: path) { missing, why in
            NumPyError(path: path, reason: missing ? .missing : .unreadable(why))
        }
        let layout = try NumPyArrayLayout(file.bytes, path: path)
        return try dataset(owner: file, base: file.bytes.baseAddress! + layout.dataOffset, layout: layout,
                           path: path, array: nil, channelsFirst: channelsFirst, labels: nil, file: file)
    }

    /// Reads a `.npy` whose bytes are in memory; `name` names it in errors. For tests and fuzzing.
    public static func readNPY(bytes: [UInt8], named name: String, channelsFirst: Bool? = nil) throws -> Dataset {
        let owned = OwnedBytes(bytes)
        let layout = try NumPyArrayLayout(UnsafeRawBufferPointer(rebasing: owned.bytes[..<bytes.count]), path: name)
        return try dataset(owner: owned, base: UnsafeRawPointer(owned.bytes.baseAddress!) + layout.dataOffset,
                           layout: layout, path: name, array: nil, channelsFirst: channelsFirst, labels: nil)
    }

    /// Reads the `.npz` at `path`: `x_train` (with `y_train` as labels when present) and
    /// `x_test`/`y_test` when present, or else its only array (`arr_0` of `np.savez`).
    ///
    /// - Throws: ``NumPyError`` naming the file and array; `missingArrays` lists the names it has.
    public static func readNPZ(path: String, channelsFirst: Bool? = nil) throws -> DatasetFile {
        guard FileManager.default.fileExists(atPath: path) else { throw NumPyError(path: path, reason: .missing) }
        let archive: ZIPArchive
        do { archive = try ZIPArchive(bytes: FileBytes.read(path: path)) } catch let error as ZIPFailure {
            throw NumPyError(path: path, reason: .unreadable(error.reason))
        } catch {
            throw NumPyError(path: path, reason: .unreadable("\(error)"))
        }
        var entries: [String: ZIPArchive.Entry] = [:]
        for entry in archive.entries where !entry.name.hasSuffix("/") {
            var name = entry.name
            if name.hasSuffix(".npy") { name.removeLast(4) }
            entries[name] = entry
        }
        func bytes(of name: String) throws -> [UInt8]? {
            guard let entry = entries[name] else { return nil }
            do { return try archive.contents(of: entry) } catch {
                throw NumPyError(path: path, array: name, reason: .unreadable(error.reason))
            }
        }
        func set(_ data: String, _ labels: String?) throws -> Dataset? {
            guard let dataBytes = try bytes(of: data) else { return nil }
            let labelValues = try labels.flatMap { try bytes(of: $0) }.map { try labelArray($0, path: path, array: labels!) }
            return try inMemoryDataset(dataBytes, path: path, array: data, channelsFirst: channelsFirst, labels: labelValues)
        }
        if let training = try set(trainingNames.0, trainingNames.1) {
            return DatasetFile(training: training, test: try set(testNames.0, testNames.1))
        }
        if entries.count == 1, let only = entries.keys.first, let single = try set(only, nil) {
            return DatasetFile(training: single)
        }
        throw NumPyError(path: path, reason: .missingArrays(names: entries.keys.sorted()))
    }

    /// A data set of an array unzipped into memory: bytes for uint8, floats otherwise.
    static func inMemoryDataset(_ bytes: [UInt8], path: String, array: String, channelsFirst: Bool?,
                                labels: [Int]?) throws -> Dataset {
        let owned = OwnedBytes(bytes)
        let layout = try NumPyArrayLayout(UnsafeRawBufferPointer(rebasing: owned.bytes[..<bytes.count]), path: path, array: array)
        let mapped = try dataset(owner: owned, base: UnsafeRawPointer(owned.bytes.baseAddress!) + layout.dataOffset,
                                 layout: layout, path: path, array: array, channelsFirst: channelsFirst, labels: labels)
        guard layout.elementType.isUInt8 else { return mapped }
        return Dataset(sampleShape: mapped.sampleShape, store: byteSamples(of: mapped.store),
                       labels: labels, scaling: mapped.scaling, origin: mapped.origin)
    }

    /// The values of `store`, which are all bytes, as ``ByteSamples`` in sample order: a
    /// quarter of the memory of floats, and the fast ÷ 255 gather.
    static func byteSamples(of store: some SampleStore) -> ByteSamples {
        let width = store.width
        var pixels = [UInt8](repeating: 0, count: store.count * width)
        var row = [Float](repeating: 0, count: width)
        for sample in 0..<store.count {
            row.withUnsafeMutableBufferPointer { row in
                [sample].withUnsafeBufferPointer { store.copyRawSamples(at: $0, into: row.baseAddress!) }
            }
            for column in 0..<width { pixels[sample * width + column] = UInt8(row[column]) }
        }
        return ByteSamples(bytes: pixels, width: width)
    }

    /// The data set of the array with `layout` at `base`.
    static func dataset(owner: AnyObject, base: UnsafeRawPointer, layout: NumPyArrayLayout, path: String,
                        array: String?, channelsFirst: Bool?, labels: [Int]?,
                        file: MappedFile? = nil) throws -> Dataset {
        func failure(_ reason: NumPyError.Reason) -> NumPyError { NumPyError(path: path, array: array, reason: reason) }
        let shape = layout.shape
        let axes: [Int]
        switch shape.count {
        case 2: axes = [1]
        case 3: axes = [1, 2]
        case 4:
            let isChannels = { (size: Int) in [1, 3, 4].contains(size) }
            let first: Bool
            if let channelsFirst { first = channelsFirst }
            else if isChannels(shape[1]) && !isChannels(shape[3]) { first = true }
            else if isChannels(shape[3]) && !isChannels(shape[1]) { first = false }
            else { throw failure(.ambiguousChannels(shape: shape)) }
            axes = first ? [1, 2, 3] : [3, 1, 2]
        default: throw failure(.unsupportedRank(shape: shape))
        }
        guard axes.allSatisfy({ shape[$0] > 0 }) else { throw failure(.emptySamples(shape: shape)) }
        if let labels, labels.count != shape[0] {
            throw NumPyError(path: path, array: array.map { $0.replacingOccurrences(of: "x_", with: "y_") },
                             reason: .badLabels(array: "", detail: "it has \(labels.count) labels for \(shape[0]) samples"))
        }
        let store = MappedArraySamples(owner: owner, base: base, layout: layout, sampleAxes: axes, file: file)
        let sampleShape = shape.count == 3 ? [1, shape[1], shape[2]] : axes.map { shape[$0] }
        let pixels = layout.elementType.isUInt8 && shape.count >= 3
        return Dataset(sampleShape: sampleShape, store: store, labels: labels, scaling: pixels ? .pixels : .none,
                       origin: array.map { "\(path):\($0)" } ?? path)
    }

    /// The integer labels of a label array: 1-D, or 2-D with one column.
    static func labelArray(_ bytes: [UInt8], path: String, array: String) throws -> [Int] {
        func failure(_ detail: String) -> NumPyError {
            NumPyError(path: path, array: array, reason: .badLabels(array: array, detail: detail))
        }
        return try bytes.withUnsafeBytes { raw in
            let layout = try NumPyArrayLayout(raw, path: path, array: array)
            guard layout.shape.count == 1 || (layout.shape.count == 2 && layout.shape[1] == 1) else {
                throw failure("its shape is \(layout.shape), not one label per sample")
            }
            let type = layout.elementType
            guard type.kind != .float else { throw failure("it holds \(type), not integers") }
            let base = raw.baseAddress! + layout.dataOffset
            return try (0..<layout.shape[0]).map { index in
                guard let label = type.loadInteger(base, at: index * type.size) else { throw failure("a label is too large") }
                return label
            }
        }
    }
}
