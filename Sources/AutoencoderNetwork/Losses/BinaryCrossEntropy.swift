import AutoencoderKernels
import AutoencoderNumerics

/// Binary cross-entropy `−[t·log p + (1 − t)·log(1 − p)]` per element, reduced over batch
/// and features: the loss of a model whose outputs are pixel intensities or Bernoulli
/// probabilities in [0, 1] (Keras's `binary_crossentropy`, PyTorch's `BCELoss` and
/// `BCEWithLogitsLoss`).
///
/// From probabilities, `p` is first clamped to `[1e-7, 1 − 1e-7]` as Keras does (its
/// `epsilon`), so a saturated sigmoid gives a large but finite loss; the gradient is 0
/// where the clamp is active, as through Keras's `clip`. From logits `z` (``fromLogits``),
/// the loss is `max(z, 0) − z·t + log(1 + e^−|z|)`, finite for any finite `z`, with the
/// gradient `σ(z) − t`: the network then ends without its sigmoid, or with a standalone
/// sigmoid ``ActivationLayer`` whose input the trainer hands this loss (see
/// ``logitsActivation``).
///
/// Both forms run in one vectorised pass over the batch, split over the cores
/// (`ElementwiseKernels.binaryCrossEntropyAndGradient`):
/// an exponential and a logarithm per output element weigh as much as a small layer.
/// Sums are in `Float` lanes within blocks and in `Double` across them.
public struct BinaryCrossEntropy: Loss, Equatable {
    /// How element losses are combined.
    public var reduction: Reduction
    /// Whether predictions are logits (before the sigmoid) rather than probabilities.
    public var fromLogits: Bool

    /// The clamp applied to probabilities: Keras's `epsilon()`, 1e-7.
    public static let epsilon: Float = 1e-7

    /// Creates the loss; Keras's default is `fromLogits: false` with the mean.
    public init(fromLogits: Bool = false, reduction: Reduction = .mean) {
        self.fromLogits = fromLogits
        self.reduction = reduction
    }

    /// The sigmoid when the loss takes logits (it applies the sigmoid itself), else `nil`.
    public var logitsActivation: Activation? { fromLogits ? .sigmoid : nil }

    /// The element losses combined by ``reduction``, and into `gradient` (when given)
    /// their derivative with respect to `prediction`.
    public func callAsFunction(_ prediction: MatrixView, _ target: MatrixView, gradient: MutableMatrixView?) -> Float {
        checkShapes(prediction, target, gradient)
        guard prediction.count > 0 else { return 0 }
        let scale = reduction.scale(rows: prediction.rows, columns: prediction.columns)
        let total = ElementwiseKernels.binaryCrossEntropyAndGradient(
            prediction: prediction.base, target: target.base, count: prediction.count, fromLogits: fromLogits,
            scale: scale, gradient: gradient?.base)
        return Float(total * Double(scale))
    }
}
