extension LabeledImages: BatchSource {
    /// The number of pixels per image: the width of a training sample.
    public var width: Int { pixelsPerImage }

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
}
