extension LabeledImages: BatchSource {
    /// The number of pixels per image: the width of a training sample.
    public var width: Int { pixelsPerImage }

    /// Every image's rows and columns, so that training can take the pixels in 4 × 4 patches.
    public var imageSize: (height: Int, width: Int)? { (rows, columns) }

    /// Copies the images at `indices`, divided by 255, into `destination`, one after another:
    /// how the trainer gathers a shuffled batch without allocating.
    public func fillBatch(_ indices: UnsafeBufferPointer<Int>, into destination: UnsafeMutablePointer<Float>) {
        copyNormalizedImages(at: indices, into: UnsafeMutableBufferPointer(start: destination,
                                                                           count: indices.count * pixelsPerImage))
    }

    /// The images in `range` as a matrix of floats in [0, 1], one image per row.
    public func matrix(_ range: Range<Int>? = nil) -> Matrix {
        let range = range ?? 0..<count
        return Matrix(rows: range.count, columns: pixelsPerImage, storage: normalizedImages(in: range))
    }

    /// `transform` applied to the images as matrices (``matrix(_:)``) `chunkSize` (at least
    /// 1) at a time, the results stacked: memory stays bounded however many images there are.
    public func mapInChunks(of chunkSize: Int = 2000, _ transform: (Matrix) -> Matrix) -> Matrix {
        precondition(chunkSize >= 1, "The chunk size must be at least 1, not \(chunkSize).")
        var storage: [Float] = []
        var columns = 0
        var start = 0
        while start < count {
            let range = start..<Swift.min(start + chunkSize, count)
            let part = transform(matrix(range))
            columns = part.columns
            storage += part.storage
            start = range.upperBound
        }
        return Matrix(rows: count, columns: columns, storage: storage)
    }

    /// The summed squared error of each image against `reconstruct`'s output for it,
    /// computed 1000 images at a time, in `Double`.
    public func squaredErrors(against reconstruct: (Matrix) -> Matrix) -> [Double] {
        var errors: [Double] = []
        errors.reserveCapacity(count)
        var start = 0
        while start < count {
            let range = start..<Swift.min(start + 1000, count)
            let inputs = matrix(range)
            let outputs = reconstruct(inputs)
            inputs.storage.withUnsafeBufferPointer { x in
                outputs.storage.withUnsafeBufferPointer { y in
                    for row in 0..<range.count {
                        var sum = 0.0
                        for c in 0..<width {
                            let d = Double(y[row * width + c]) - Double(x[row * width + c])
                            sum += d * d
                        }
                        errors.append(sum)
                    }
                }
            }
            start = range.upperBound
        }
        return errors
    }
}
