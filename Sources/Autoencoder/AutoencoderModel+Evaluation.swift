extension AutoencoderModel {
    /// The mean squared reconstruction error over every value of every sample in `samples`
    /// (a data set, scaled as the model takes it), computed a thousand samples at a time so
    /// memory stays small; 0 for no samples.
    public func meanSquaredError(on samples: some BatchSource) -> Double {
        guard samples.count > 0 else { return 0 }
        let total = samples.squaredErrors { reconstruct($0) }.reduce(0, +)
        return total / Double(samples.count * samples.width)
    }

    /// The mean squared reconstruction error over every value of `inputs` (one sample per
    /// row, ``ModelConfiguration/inputWidth`` columns: a precondition), summed in `Double`;
    /// 0 for no rows. For data that is not a `LabeledImages` set, such as a `.npy` file.
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

    /// The codes of every sample in `samples`, one row each, computed in chunks.
    public func encode(_ samples: some BatchSource) -> Matrix {
        guard samples.count > 0 else { return Matrix(rows: 0, columns: codeWidth) }
        return samples.mapInChunks { encode($0) }
    }
}
