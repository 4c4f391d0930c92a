import AutoencoderKernels
import AutoencoderNumerics

/// The absolute error `|prediction − target|`, reduced over batch and features (Keras's
/// `mean_absolute_error`, PyTorch's `L1Loss`): less swayed by a few badly reconstructed
/// pixels than the squared error. Its gradient is `sign(prediction − target)`, 0 where
/// they are equal (PyTorch's choice).
///
/// A plain Swift loop over the buffers: a loss runs once per batch over the output only,
/// too little work for a C kernel to pay for itself. Sums are in `Double`.
public struct MeanAbsoluteError: Loss, Equatable {
    /// How element errors are combined.
    public var reduction: Reduction

    /// Creates the loss; Keras's and PyTorch's default is the mean.
    public init(reduction: Reduction = .mean) {
        self.reduction = reduction
    }

    /// The absolute differences combined by ``reduction``, and into `gradient` (when given)
    /// their derivative with respect to `prediction`.
    public func callAsFunction(_ prediction: MatrixView, _ target: MatrixView, gradient: MutableMatrixView?) -> Float {
        checkShapes(prediction, target, gradient)
        guard prediction.count > 0 else { return 0 }
        let scale = reduction.scale(rows: prediction.rows, columns: prediction.columns)
        let p = prediction.base, t = target.base, g = gradient?.base
        var total: Double = 0
        for i in 0..<prediction.count {
            let difference = p[i] - t[i]
            total += Double(abs(difference))
            if let g {
                g[i] = difference > 0 ? scale : difference < 0 ? -scale : 0
            }
        }
        return Float(total * Double(scale))
    }
}
