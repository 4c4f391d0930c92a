extension AutoencoderModel {
    /// The mean squared reconstruction error over every pixel of every image in `images`,
    /// computed a thousand images at a time so memory stays small; 0 for no images.
    public func meanSquaredError(on images: LabeledImages) -> Double {
        guard images.count > 0 else { return 0 }
        let total = images.squaredErrors { reconstruct($0) }.reduce(0, +)
        return total / Double(images.count * images.pixelsPerImage)
    }

    /// The codes of every image in `images`, one row each, computed in chunks.
    public func encode(_ images: LabeledImages) -> Matrix {
        guard images.count > 0 else { return Matrix(rows: 0, columns: configuration.codeWidth) }
        return images.mapInChunks { encode($0) }
    }
}
