import AutoencoderKernels

extension LabeledImages: BatchSource {
    /// The number of pixels per image: the width of a training sample.
    public var width: Int { pixelsPerImage }

    /// Every image's rows and columns, so that training can take the pixels in 4 × 4 patches.
    public var imageSize: (height: Int, width: Int)? { (rows, columns) }

    /// Copies the images at `indices`, divided by 255, into `destination`, one after another:
    /// how the trainer gathers a shuffled batch without allocating.
    public func fillBatch(_ indices: ArraySlice<Int>, into destination: MutableMatrixView) {
        precondition(destination.rows == indices.count && destination.columns == pixelsPerImage,
                     "A batch of \(indices.count) images does not fit a \(destination.rows)x\(destination.columns) destination.")
        copyNormalizedImages(at: indices, into: UnsafeMutableBufferPointer(start: destination.base, count: destination.count))
    }
}

extension Dataset: BatchSource {
    /// A single-channel image's height and width, so that training can take the pixels in
    /// 4 × 4 patches; `nil` for colour images and feature vectors.
    public var imageSize: (height: Int, width: Int)? {
        guard let image = imageShape, image.channels == 1 else { return nil }
        return (image.height, image.width)
    }

    /// Copies the samples at `indices`, scaled, into `destination`: how the trainer gathers a
    /// shuffled batch without allocating.
    public func fillBatch(_ indices: ArraySlice<Int>, into destination: MutableMatrixView) {
        precondition(destination.rows == indices.count && destination.columns == width,
                     "A batch of \(indices.count) samples does not fit a \(destination.rows)x\(destination.columns) destination.")
        indices.withUnsafeBufferPointer { copySamples(at: $0, into: destination.base) }
    }

    /// The labels as the code pictures and tables take them (`nil` when there are none).
    var byteLabels: [UInt8]? { labels?.map { UInt8(clamping: $0) } }
}

extension BatchSource {
    /// The samples in `range` (all of them by default) as a matrix, one per row, as the
    /// model takes them.
    public func matrix(_ range: Range<Int>? = nil) -> Matrix {
        let range = range ?? 0..<count
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "sample range \(range) is outside 0..<\(count)")
        guard !range.isEmpty, width > 0 else { return Matrix(rows: range.count, columns: width) }
        let indices = Array(range)
        let storage = [Float](unsafeUninitializedCapacity: range.count * width) { buffer, initialized in
            fillBatch(indices[...], into: MutableMatrixView(buffer.baseAddress!, rows: range.count, columns: width))
            initialized = range.count * width
        }
        return Matrix(rows: range.count, columns: width, storage: storage)
    }

    /// The samples at `indices` as a matrix, one per row, in that order.
    public func matrix(at indices: [Int]) -> Matrix {
        guard !indices.isEmpty, width > 0 else { return Matrix(rows: indices.count, columns: width) }
        let storage = [Float](unsafeUninitializedCapacity: indices.count * width) { buffer, initialized in
            fillBatch(indices[...], into: MutableMatrixView(buffer.baseAddress!, rows: indices.count, columns: width))
            initialized = indices.count * width
        }
        return Matrix(rows: indices.count, columns: width, storage: storage)
    }

    /// `transform` applied to the samples as matrices (``matrix(_:)``) `chunkSize` (at least
    /// 1) at a time, the results stacked: memory stays bounded however many samples there are.
    /// The next chunk is read on another thread while `transform` runs on this one (the
    /// source is used by one thread at a time).
    public func mapInChunks(of chunkSize: Int = 2000, _ transform: (Matrix) -> Matrix) -> Matrix {
        precondition(chunkSize >= 1, "The chunk size must be at least 1, not \(chunkSize).")
        var storage: [Float] = []
        var columns = 0
        var reader = ChunkReader(self, chunkSize: chunkSize)
        while let chunk = reader.nextChunk() {
            let part = transform(chunk)
            if storage.isEmpty { storage.reserveCapacity(count * part.columns) }   // no regrowth
            columns = part.columns
            storage += part.storage
        }
        return Matrix(rows: count, columns: columns, storage: storage)
    }

    /// The summed squared error of each sample against `reconstruct`'s output for it,
    /// computed 1000 samples at a time, in `Double`, the next chunk read while this one is
    /// reconstructed (as ``mapInChunks(of:_:)``).
    public func squaredErrors(against reconstruct: (Matrix) -> Matrix) -> [Double] {
        var errors: [Double] = []
        errors.reserveCapacity(count)
        var reader = ChunkReader(self, chunkSize: 1000)
        while let inputs = reader.nextChunk() {
            let outputs = reconstruct(inputs)
            inputs.storage.withUnsafeBufferPointer { x in
                outputs.storage.withUnsafeBufferPointer { y in
                    for row in 0..<inputs.rows {
                        errors.append(SampleScorer.summedError(y.baseAddress! + row * width, x.baseAddress! + row * width,
                                                               count: width, squared: true))
                    }
                }
            }
        }
        return errors
    }
}
