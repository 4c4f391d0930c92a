import AutoencoderKernels

extension ModelDescription {
    /// Whether the encoder ends in a ``Sampling`` layer: a variational autoencoder, whose
    /// codes follow a standard normal prior that ``AutoencoderModel/sample(count:generator:)``
    /// draws from.
    public var isVariational: Bool { encoder.last is Sampling.Specification }
}

extension AutoencoderModel {
    /// `count` new samples from a variational autoencoder: codes drawn from the standard
    /// normal prior with `generator`, decoded. One sample per row.
    public func sample(count: Int, generator: inout RandomGenerator) -> Matrix {
        precondition(count >= 0, "The number of samples cannot be negative.")
        var codes = Matrix(rows: count, columns: codeWidth)
        for index in codes.storage.indices { codes.storage[index] = Float(generator.nextStandardNormal()) }
        return decode(codes)
    }

    /// The codes of the Keras blog's manifold picture: a `size × size` grid over the standard
    /// normal's quantiles at probabilities evenly spaced from 0.05 to 0.95, row by row (the
    /// first code dimension along a row, the second down the columns, largest at the top).
    public static func quantileGridCodes(size: Int) -> Matrix {
        precondition(size >= 2, "A grid needs at least 2 codes a side.")
        let quantiles: [Float] = (0..<size).map { index in
            let probability = 0.05 + 0.9 * Double(index) / Double(size - 1)
            return Float(NormalDistribution.quantile(probability))
        }
        var codes = Matrix(rows: size * size, columns: 2)
        for row in 0..<size {
            for column in 0..<size {
                codes[row * size + column, 0] = quantiles[column]
                codes[row * size + column, 1] = quantiles[size - 1 - row]
            }
        }
        return codes
    }
}

extension AutoencoderModel {
    /// The model's loss on `inputs` (one sample per row), as training measures it: the
    /// description's loss with its reduction, plus the terms layers add (a variational
    /// autoencoder's KL divergence, with codes sampled from `generator` as in training),
    /// averaged over chunks of `chunkSize` rows weighted by their rows (for a `sum`
    /// reduction, summed over every sample, the added terms too). No parameter changes.
    public func loss(on inputs: Matrix, generator: inout RandomGenerator, chunkSize: Int = 1000) -> Double {
        precondition(chunkSize >= 1, "The chunk size must be at least 1.")
        guard inputs.rows > 0 else { return 0 }
        let loss = architecture.makeLoss()
        let layers = network.layers
        // A loss that applies the last activation itself reads that layer's input.
        let count = loss.logitsActivation != nil && layers.last?.elementwiseActivation == loss.logitsActivation
            ? layers.count - 1 : layers.count
        let scratch = LayerScratch(layers: Array(layers[0..<count]), batchSize: min(chunkSize, inputs.rows))
        var total = 0.0
        var start = 0
        while start < inputs.rows {
            let rows = min(chunkSize, inputs.rows - start)
            let chunk = Matrix(rows: rows, columns: inputs.columns,
                               storage: Array(inputs.storage[(start * inputs.columns)..<((start + rows) * inputs.columns)]))
            var context = LayerContext(generator: generator, isTraining: true)
            var current = chunk
            network.parameters.withUnsafeBufferPointer { parameters in
                for index in 0..<count {
                    var output = Matrix(rows: rows, columns: layers[index].outputWidth)
                    context.scratch = scratch.buffers[index]
                    current.withView { input in
                        output.withMutableView { output in
                            let range = network.parameterOffsets[index]..<network.parameterOffsets[index + 1]
                            layers[index].forward(input, parameters: VectorView(UnsafeBufferPointer(rebasing: parameters[range])),
                                                  into: output, context: &context)
                        }
                    }
                    current = output
                }
            }
            let value = current.withView { prediction in chunk.withView { target in loss(prediction, target, gradient: nil) } }
            // Added terms are means over the chunk's samples: a sum counts them once per sample.
            if architecture.loss.reduction == .sum {
                total += Double(value) + context.addedLoss * Double(rows)
            } else {
                total += (Double(value) + context.addedLoss) * Double(rows) / Double(inputs.rows)
            }
            generator = context.generator
            start += rows
        }
        return total
    }
}
