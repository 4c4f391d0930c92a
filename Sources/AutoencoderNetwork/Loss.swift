import AutoencoderNumerics

/// How a loss turns per-element errors into one number.
public enum Reduction: String, Sendable, Codable {
    /// The mean over every element of the batch (batch and features).
    case mean
    /// The sum over every element.
    case sum
}

/// A function comparing a batch of predictions with their targets.
public protocol Loss: Sendable {
    /// Returns the loss of `prediction` against `target` and, when `gradient` is given,
    /// writes `∂loss/∂prediction` into it. The three must have one shape; an empty batch
    /// has the loss 0.
    func callAsFunction(_ prediction: MatrixView, _ target: MatrixView, gradient: MutableMatrixView?) -> Float

    /// The activation the loss applies to its predictions itself, or `nil`. A loss with one
    /// (binary cross-entropy from logits: the sigmoid) takes the values before that
    /// activation, which is stable where the activation saturates; the trainer hands it the
    /// input of a network's last layer when that layer is that activation alone
    /// (``Layer/elementwiseActivation``).
    var logitsActivation: Activation? { get }
}

extension Loss {
    /// None: the loss compares the network's outputs themselves.
    public var logitsActivation: Activation? { nil }
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
        let scale: Float = reduction == .mean ? 1 / Float(prediction.count) : 1
        let sum = ElementwiseKernels.squaredErrorAndGradient(
            prediction: prediction.base, target: target.base, count: prediction.count,
            scale: 2 * scale, gradient: gradient?.base)
        return Float(sum * Double(scale))
    }
}
