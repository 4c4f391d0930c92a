import AutoencoderKernels
import AutoencoderNumerics

/// How a loss turns per-element errors into one number.
public enum Reduction: String, Sendable, Codable, CaseIterable {
    /// The mean over every element of the batch (batch and features).
    case mean
    /// The sum over every element.
    case sum
    /// The sum over each sample's values, averaged over the batch: the per-example loss of
    /// pytorch/examples' variational autoencoder (its summed loss divided by the batch
    /// size), which keeps a reconstruction term on the same scale as a per-sample KL term.
    case sumPerSample = "sum_per_sample"

    /// The factor that turns the sum of a batch's element losses into the reduced loss
    /// (and the element gradients into the reduced loss's): `1 / (rows · columns)` for
    /// ``mean``, 1 for ``sum``, `1 / rows` for ``sumPerSample``. `rows` and `columns` must
    /// be positive.
    public func scale(rows: Int, columns: Int) -> Float {
        switch self {
        case .mean: 1 / Float(rows * columns)
        case .sum: 1
        case .sumPerSample: 1 / Float(rows)
        }
    }
}

/// A function comparing a batch of predictions with their targets.
public protocol Loss: Sendable {
    /// Returns the loss of `prediction` against `target` and, when `gradient` is given,
    /// writes `∂loss/∂prediction` into it. The three must have one shape; an empty batch
    /// has the loss 0.
    func callAsFunction(_ prediction: MatrixView, _ target: MatrixView, gradient: MutableMatrixView?) -> Float

    /// The activation the loss applies to its prediction itself (binary cross-entropy from
    /// logits applies the sigmoid), or `nil`. When a network ends with a standalone
    /// ``ActivationLayer`` of this activation, the trainer hands the loss that layer's
    /// input (the logits) instead of its output, for a numerically stable loss.
    var logitsActivation: Activation? { get }

    /// How the loss combines its element losses. ``Trainer/meanLoss(on:)`` needs it to average
    /// batches of different sizes on the scale of a full batch's loss.
    var reduction: Reduction { get }
}

extension Loss {
    /// Applies no activation: the prediction is compared as it is.
    public var logitsActivation: Activation? { nil }

    /// The mean, for a loss that does not say.
    public var reduction: Reduction { .mean }

    /// Checks that prediction, target and gradient (when given) have one shape.
    func checkShapes(_ prediction: MatrixView, _ target: MatrixView, _ gradient: MutableMatrixView?) {
        precondition(prediction.rows == target.rows && prediction.columns == target.columns,
                     "Prediction and target shapes disagree.")
        precondition(gradient.map { $0.rows == prediction.rows && $0.columns == prediction.columns } ?? true,
                     "The gradient's shape differs from the prediction's.")
    }
}

/// The squared error `(prediction − target)²`, reduced over batch and features: the
/// tutorial's `tf.reduce_mean(tf.pow(y_true - y_pred, 2))`.
public struct MeanSquaredError: Loss, Equatable {
    /// How element errors are combined.
    public var reduction: Reduction

    /// Creates the loss; the tutorial's is `.mean`.
    public init(reduction: Reduction = .mean) {
        self.reduction = reduction
    }

    /// The squared differences combined by ``reduction``, and into `gradient` (when given)
    /// their derivative with respect to `prediction`.
    public func callAsFunction(_ prediction: MatrixView, _ target: MatrixView, gradient: MutableMatrixView?) -> Float {
        precondition(prediction.rows == target.rows && prediction.columns == target.columns,
                     "Prediction and target shapes disagree.")
        precondition(gradient.map { $0.rows == prediction.rows && $0.columns == prediction.columns } ?? true,
                     "The gradient's shape differs from the prediction's.")
        // No elements: no error (as AutoencoderModel.meanSquaredError), not 0/0.
        guard prediction.count > 0 else { return 0 }
        // The tutorial's `.mean` is 1 / Float(count), as it always was.
        let scale = reduction.scale(rows: prediction.rows, columns: prediction.columns)
        let sum = ElementwiseKernels.squaredErrorAndGradient(
            prediction: prediction.base, target: target.base, count: prediction.count,
            scale: 2 * scale, gradient: gradient?.base)
        return Float(sum * Double(scale))
    }
}
