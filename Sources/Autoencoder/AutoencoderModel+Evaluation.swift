extension AutoencoderModel {
    /// The mean squared reconstruction error over every pixel of every image in `images`,
    /// computed `chunkSize` images at a time so memory stays small.
    public func meanSquaredError(on images: LabeledImages, chunkSize: Int = 1000) -> Double {
        var total = 0.0
        var start = 0
        while start < images.count {
            let range = start..<min(start + chunkSize, images.count)
            let inputs = images.matrix(range)
            let outputs = reconstruct(inputs)
            total += inputs.withView { x in
                outputs.withView { y in
                    ElementwiseKernels.squaredErrorAndGradient(prediction: y.base, target: x.base, count: x.count,
                                                               scale: 0, gradient: nil)
                }
            }
            start = range.upperBound
        }
        return images.count == 0 ? 0 : total / Double(images.count * images.pixelsPerImage)
    }

    /// The codes of every image in `images`, one row each, computed `chunkSize` images at a time.
    public func encode(_ images: LabeledImages, chunkSize: Int = 2000) -> Matrix {
        var storage: [Float] = []
        storage.reserveCapacity(images.count * configuration.codeWidth)
        var start = 0
        while start < images.count {
            let range = start..<min(start + chunkSize, images.count)
            storage += encode(images.matrix(range)).storage
            start = range.upperBound
        }
        return Matrix(rows: images.count, columns: configuration.codeWidth, storage: storage)
    }
}
