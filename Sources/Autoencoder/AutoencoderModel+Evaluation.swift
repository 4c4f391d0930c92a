extension AutoencoderModel {
    /// The mean squared reconstruction error over every pixel of every image in `images`,
    /// computed a thousand images at a time so memory stays small; 0 for no images.
    public func meanSquaredError(on images: LabeledImages) -> Double {
        guard images.count > 0 else { return 0 }
        let total = images.squaredErrors { reconstruct($0) }.reduce(0, +)
        return total / Double(images.count * images.pixelsPerImage)
    }

    /// The mean squared reconstruction error over every value of `inputs` (one sample per
    /// row, ``ModelConfiguration/inputWidth`` columns: a precondition), summed in `Double`;
    /// 0 for no rows. For data that is not a ``LabeledImages`` set, such as a `.npy` file.
    public func meanSquaredError(on inputs: Matrix) -> Double {
        guard inputs.rows > 0 else { return 0 }
        let outputs = reconstruct(inputs)
        var total = 0.0
        for (output, input) in zip(outputs.storage, inputs.storage) {
            let difference = Double(output) - Double(input)
            total += difference * difference
        }
        return total / Double(inputs.storage.count)
    }

    /// The codes of every image in `images`, one row each, computed in chunks.
    public func encode(_ images: LabeledImages) -> Matrix {
        guard images.count > 0 else { return Matrix(rows: 0, columns: codeWidth) }
        return images.mapInChunks { encode($0) }
    }
}
