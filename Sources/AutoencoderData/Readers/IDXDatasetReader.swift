/// Reads an IDX file of any element type and rank as a data set, with an optional IDX file
/// of labels (MNIST's `labels-idx1-ubyte` form).
///
/// Rank 2 `[n, features]` gives feature vectors; rank 3 `[n, h, w]` greyscale images
/// `[1, h, w]`; rank 4 is read as `[n, h, w, c]` (channels last, the order IDX files of colour
/// images such as those of EMNIST's tools use) and held as `[c, h, w]`. Unsigned bytes of
/// rank 3 or 4 stay bytes with ``Scaling/pixels``; every other type and rank becomes floats
/// with ``Scaling/none``. Raw or gzip, as ``IDXReader``.
public enum IDXDatasetReader {
    /// Reads the IDX file at `path`, and its labels from `labelsPath`.
    ///
    /// - Throws: ``IDXError`` or ``MNISTError`` naming the file, or ``DatasetReaderError``
    ///   for a rank that is not 2, 3 or 4.
    public static func read(path: String, labelsPath: String? = nil) throws -> Dataset {
        let source = try openByteSource(path: path, kind: .anyArray)
        var start = [UInt8](repeating: 0, count: 3)
        let got = try start.withUnsafeMutableBytes { try source.read(into: $0) }
        let dataset: Dataset
        if got == 3 && start[0] == 0 && start[1] == 0 && start[2] != IDXElementType.unsignedByte.rawValue {
            dataset = try readTyped(path: path)
        } else {
            let array = try IDXReader.read(contentsOf: path, as: .anyArray)
            let layout = NumPyArrayLayout(elementType: NumPyElementType(descr: "|u1")!, shape: array.dimensions,
                                          fortranOrder: false, dataOffset: 0, dataBytes: array.bytes.count)
            let owned = OwnedBytes(array.bytes)
            let mapped = try make(owned, layout: layout, path: path)
            dataset = array.dimensions.count >= 3
                ? Dataset(sampleShape: mapped.sampleShape, store: NumPyReader.byteSamples(of: mapped.store),
                          scaling: .pixels, origin: path)
                : Dataset(sampleShape: mapped.sampleShape, store: mapped.store, scaling: .none, origin: path)
        }
        guard let labelsPath else { return dataset }
        let labels = try IDXReader.read(contentsOf: labelsPath, as: .labels)
        guard labels.dimensions[0] == dataset.count else {
            throw MNISTError.countMismatch(imagesPath: path, imageCount: dataset.count,
                                           labelsPath: labelsPath, labelCount: labels.dimensions[0])
        }
        var labelled = dataset
        labelled.labels = labels.bytes.map(Int.init)
        return labelled
    }

    /// Reads a file whose elements are not unsigned bytes: the whole (inflated) file, checked
    /// as ``IDXReader`` checks, its big-endian values converted a batch at a time.
    private static func readTyped(path: String) throws -> Dataset {
        func failure(_ reason: IDXError.Reason) -> IDXError { IDXError(path: path, kind: .anyArray, reason: reason) }
        let source = try openByteSource(path: path, kind: .anyArray)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
            bytes += chunk[..<count]
            if count < chunk.count { break }
        }
        if source.endedEarly { throw failure(.gzipCut) }
        guard bytes.count >= 4 else { throw failure(.headerTruncated(actual: bytes.count, needed: 4)) }
        let descr: String
        switch IDXElementType(rawValue: bytes[2]) {
        case .signedByte: descr = "|i1"
        case .short: descr = ">i2"
        case .int: descr = ">i4"
        case .float: descr = ">f4"
        case .double: descr = ">f8"
        case .unsignedByte: descr = "|u1"
        case nil: throw failure(.unsupportedType(bytes[2]))
        }
        let type = NumPyElementType(descr: descr)!
        let rank = Int(bytes[3])
        guard bytes.count >= 4 + 4 * rank else { throw failure(.headerTruncated(actual: bytes.count, needed: 4 + 4 * rank)) }
        let dims = (0..<rank).map { axis in bytes[(4 + 4 * axis)..<(8 + 4 * axis)].reduce(0) { $0 << 8 | Int($1) } }
        var declared = type.size
        for size in dims where size != 0 {
            let (product, overflow) = declared.multipliedReportingOverflow(by: size)
            if overflow { throw failure(.sizeOverflow(dimensions: dims)) }
            declared = product
        }
        if dims.contains(0) { declared = 0 }
        let payload = bytes.count - (4 + 4 * rank)
        if payload < declared {
            throw failure(.truncated(dimensions: dims, declaredBytes: declared, actualBytes: payload, streamCut: false))
        }
        if payload > declared {
            throw failure(.trailingBytes(dimensions: dims, count: payload - declared, countIsLowerBound: false))
        }
        let layout = NumPyArrayLayout(elementType: type, shape: dims, fortranOrder: false, dataOffset: 4 + 4 * rank,
                                      dataBytes: declared)
        return try make(OwnedBytes(bytes), layout: layout, path: path)
    }

    /// The data set over `owned`'s array, with the sample shape the rank gives.
    private static func make(_ owned: OwnedBytes, layout: NumPyArrayLayout, path: String) throws -> Dataset {
        let shape = layout.shape
        guard (2...4).contains(shape.count) else {
            throw DatasetReaderError(path: path, problem: "has \(shape.count) dimension\(shape.count == 1 ? "" : "s")"
                + " (\(shape.map(String.init).joined(separator: "x"))); a data set needs 2 (samples, features),"
                + " 3 (samples, height, width) or 4 (samples, height, width, channels)")
        }
        guard shape.dropFirst().allSatisfy({ $0 > 0 }) else {
            throw DatasetReaderError(path: path, problem: "has samples of no values (\(shape.map(String.init).joined(separator: "x")))")
        }
        return try NumPyReader.dataset(owner: owned, base: UnsafeRawPointer(owned.bytes.baseAddress!) + layout.dataOffset,
                                       layout: layout, path: path, array: nil, channelsFirst: false, labels: nil)
    }
}
