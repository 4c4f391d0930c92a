import AutoencoderKernels
import Foundation

extension AutoencoderModel {
    /// The anomaly score of every sample of `samples` (already scaled as the model takes its
    /// inputs), by `kind`, in the samples' order, computed `chunkSize` samples at a time so
    /// that memory stays bounded however many there are.
    ///
    /// Throws ``ScoringError`` for samples of another width than the model takes, for
    /// ``ReconstructionErrorKind/elbo`` on a model that is not variational, and for a score
    /// that is NaN or infinite (the model overflows on these samples).
    ///
    /// The next chunk is read on another thread while the current one is scored, so a
    /// file streamed from the disk costs little more than samples in memory; `samples` is
    /// used by one thread at a time.
    public func reconstructionErrors(on samples: some BatchSource, kind: ReconstructionErrorKind = .mse,
                                     chunkSize: Int = 1000) throws -> [Double] {
        precondition(chunkSize >= 1, "The chunk size must be at least 1.")
        guard samples.width == inputWidth else {
            throw ScoringError("The model takes \(inputWidth) values per sample but the data has \(samples.width).")
        }
        if kind == .elbo && !architecture.isVariational {
            throw ScoringError("The error 'elbo' needs a variational autoencoder; this model is not one (use mse, mae or loss).")
        }
        let scorer = SampleScorer(model: self, kind: kind)
        var errors: [Double] = []
        errors.reserveCapacity(samples.count)
        // The next chunk is read while this one is scored.
        var reader = ChunkReader(samples, chunkSize: chunkSize)
        while let chunk = reader.nextChunk() {
            errors += scorer.scores(of: chunk)
        }
        if let bad = errors.firstIndex(where: { !$0.isFinite }) {
            throw ScoringError("The model gives a NaN or infinite \(kind.rawValue) for sample \(bad); its weights are too large for this data.")
        }
        return errors
    }
}

/// Scores one chunk of samples for ``AutoencoderModel/reconstructionErrors(on:kind:chunkSize:)``:
/// one forward pass at inference, keeping what the kind needs (a variational encoder's
/// means and log-variances, a loss's logits).
struct SampleScorer {
    let model: AutoencoderModel
    let kind: ReconstructionErrorKind

    /// The score of each row of `inputs`.
    func scores(of inputs: Matrix) -> [Double] {
        let network = model.network
        let layers = network.layers
        switch kind {
        case .mse, .mae:
            let outputs = network.apply(inputs)
            let width = inputs.columns
            let squared = kind == .mse
            return outputs.storage.withUnsafeBufferPointer { output in
                inputs.storage.withUnsafeBufferPointer { input in
                    (0..<inputs.rows).map { row in
                        Self.summedError(output.baseAddress! + row * width, input.baseAddress! + row * width,
                                         count: width, squared: squared) / Double(width)
                    }
                }
            }
        case .loss, .elbo:
            let loss = model.architecture.makeLoss()
            // A loss that applies the last activation itself reads that layer's input.
            let end = loss.logitsActivation != nil && layers.last?.elementwiseActivation == loss.logitsActivation
                ? layers.count - 1 : layers.count
            var klTerms = [Double](repeating: 0, count: inputs.rows)
            var klWeight = 0.0
            var current = inputs
            var first = 0
            if model.architecture.isVariational, let sampling = layers[model.encoderDepth - 1] as? Sampling {
                // The means and log-variances the sampling layer takes; its output at inference is the means.
                let statistics = network.apply(inputs, layers: 0..<(model.encoderDepth - 1))
                let k = sampling.codeWidth
                for row in 0..<inputs.rows {
                    var sum = 0.0
                    for j in 0..<k {
                        let mean = Double(statistics[row, j]), logVariance = Double(statistics[row, k + j])
                        sum += 1 + logVariance - mean * mean - exp(logVariance)
                    }
                    klTerms[row] = -0.5 * sum
                }
                klWeight = kind == .elbo ? 1 : Double(sampling.klWeight)
                current = Matrix(rows: inputs.rows, columns: k,
                                 storage: (0..<inputs.rows).flatMap { Array(statistics.row($0).prefix(k)) })
                first = model.encoderDepth
            }
            let predictions = network.apply(current, layers: first..<end)
            // The negative ELBO sums the reconstruction over the features; `loss` keeps the model's reduction.
            let perSampleLoss: any Loss = kind == .elbo ? Self.summed(loss, model: model) : loss
            return (0..<inputs.rows).map { row in
                let value = predictions.storage.withUnsafeBufferPointer { prediction in
                    inputs.storage.withUnsafeBufferPointer { target in
                        perSampleLoss(MatrixView(prediction.baseAddress! + row * predictions.columns, rows: 1, columns: predictions.columns),
                                      MatrixView(target.baseAddress! + row * inputs.columns, rows: 1, columns: inputs.columns),
                                      gradient: nil)
                    }
                }
                return Double(value) + klWeight * klTerms[row]
            }
        }
    }

    /// The sum over `count` values of `(a − b)²` (or `|a − b|`), each difference taken in
    /// `Double` as the values are (so exactly), four lanes at a time: a row's score does not
    /// depend on the chunk it was scored in.
    static func summedError(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int, squared: Bool) -> Double {
        var lanes = SIMD4<Double>()
        var index = 0
        @inline(__always) func difference(_ i: Int) -> SIMD4<Double> {
            SIMD4(Double(a[i]), Double(a[i + 1]), Double(a[i + 2]), Double(a[i + 3]))
                - SIMD4(Double(b[i]), Double(b[i + 1]), Double(b[i + 2]), Double(b[i + 3]))
        }
        if squared {
            while index + 4 <= count {
                let d = difference(index)
                lanes += d * d   // not addingProduct: without FMA in the baseline build that is a libm call per lane
                index += 4
            }
        } else {
            while index + 4 <= count {
                let d = difference(index)
                lanes += pointwiseMax(d, -d)
                index += 4
            }
        }
        var sum = lanes.sum()
        while index < count {
            let d = Double(a[index]) - Double(b[index])
            sum += squared ? d * d : abs(d)
            index += 1
        }
        return sum
    }

    /// The model's loss kind summed over a sample's features.
    static func summed(_ loss: any Loss, model: AutoencoderModel) -> any Loss {
        switch model.architecture.loss.kind {
        case .meanSquaredError: MeanSquaredError(reduction: .sum)
        case .meanAbsoluteError: MeanAbsoluteError(reduction: .sum)
        case .binaryCrossEntropy: BinaryCrossEntropy(fromLogits: loss.logitsActivation != nil, reduction: .sum)
        }
    }
}
