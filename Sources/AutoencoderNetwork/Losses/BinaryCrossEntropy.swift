import AutoencoderKernels
import AutoencoderNumerics

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
/// The loops are plain Swift over the buffers: a loss runs once per batch over the output
/// only, a few thousandths of a training step's arithmetic, so a C kernel would not pay
/// for itself. Sums are in `Double`.
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
        let count = prediction.count
        let p = prediction.base, t = target.base, g = gradient?.base
        var total: Double = 0
        if fromLogits {
            for i in 0..<count {
                let z = Double(p[i]), y = Double(t[i])
                total += max(z, 0) - z * y + log1p(exp(-abs(z)))
                if let g {
                    // σ(z) without overflow on either side.
                    let sigmoid = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
                    g[i] = Float(sigmoid - y) * scale
                }
            }
        } else {
            let low = Self.epsilon, high = 1 - Self.epsilon
            for i in 0..<count {
                let clamped = min(max(p[i], low), high)
                let q = Double(clamped), y = Double(t[i])
                total -= y * log(q) + (1 - y) * log(1 - q)
                if let g {
                    let inside = p[i] >= low && p[i] <= high
                    g[i] = inside ? Float((q - y) / (q * (1 - q))) * scale : 0
                }
            }
        }
        return Float(total * Double(scale))
    }
}
