import CAutoencoderKernels

/// The fused elementwise passes of a training step.
///
/// The arithmetic lives in C (`Sources/CAutoencoderKernels/elementwise.c`), compiled for
/// AVX-512, AVX2 and the baseline and chosen at run time, and split over the cores on
/// the kernels' worker pool when large; this type gives them Swift names. Layout: a batch is a row-major
/// `rows × columns` block of contiguous floats, one sample per row; per-feature vectors
/// such as biases have `columns` elements.
public enum ElementwiseKernels {
    /// The nonlinearities the kernels know, named by their effect on a value.
    public enum Nonlinearity: Sendable {
        /// `y = x`.
        case identity
        /// `y = 1 / (1 + e^-x)`.
        case sigmoid
        /// `y = max(0, x)`.
        case relu
        /// `y = tanh x`.
        case tanh
        /// `y = x < 0 ? 0.2·x : x`: Keras 3's `leaky_relu` with its default negative slope
        /// 0.2 (PyTorch's `nn.LeakyReLU` defaults to 0.01), so that descriptions using
        /// Keras's names compute what Keras would.
        case leakyReLU
        /// `y = x > 0 ? x : eˣ − 1`: the ELU with α = 1 (Keras's and PyTorch's default).
        case elu
        /// `y = log(1 + eˣ)`, computed as `max(x, 0) + log1p(e^−|x|)` so that it neither
        /// overflows for large x nor rounds to 0 for very negative x.
        case softplus

        /// The slope of ``leakyReLU`` for negative inputs (Keras 3's default).
        public static let leakyReLUSlope: Float = 0.2

        /// The C kernels' name of this nonlinearity, for the layers that call them directly.
        package var c: ae_nonlinearity {
            switch self {
            case .identity: AE_IDENTITY
            case .sigmoid: AE_SIGMOID
            case .relu: AE_RELU
            case .tanh: AE_TANH
            case .leakyReLU: AE_LEAKY_RELU
            case .elu: AE_ELU
            case .softplus: AE_SOFTPLUS
            }
        }
    }

    /// `values[r, c] ← f(values[r, c] + bias[c])` for every element: the second half of a
    /// dense layer's forward pass, after the matrix product wrote `x·Wᵀ` into `values`.
    public static func addBiasAndActivate(_ values: MutableMatrixView, bias: UnsafePointer<Float>, _ f: Nonlinearity) {
        ae_bias_activate(values.base, values.rows, values.columns, bias, f.c)
    }

    /// `output[i] ← f(input[i])` for `count` values (`output` may be `input`): a standalone
    /// activation layer's forward pass, with the same arithmetic as ``addBiasAndActivate(_:bias:_:)``.
    public static func activate(
        _ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, count: Int, _ f: Nonlinearity
    ) {
        ae_activate(input, output, count, f.c)
    }

    /// `gradient ← gradient ⊙ f'(output)`: turns the loss gradient with respect to a
    /// layer's output into the gradient with respect to its pre-activation.
    public static func multiplyByDerivative(
        _ gradient: UnsafeMutablePointer<Float>, output: UnsafePointer<Float>, count: Int, _ f: Nonlinearity
    ) {
        ae_multiply_derivative(gradient, output, count, f.c)
    }

    /// ``multiplyByDerivative(_:output:count:_:)`` then ``sumRows(_:into:)`` in one pass
    /// over memory, with the same results: `gradient ← gradient ⊙ f'(output)` (a layer's
    /// pre-activation gradient), then `biasGradient[c] ← Σ_r gradient[r, c]`.
    public static func multiplyByDerivativeAndSumRows(
        _ gradient: MutableMatrixView, output: MatrixView, _ f: Nonlinearity, into biasGradient: UnsafeMutablePointer<Float>
    ) {
        precondition(gradient.rows == output.rows && gradient.columns == output.columns, "Gradient and output shapes disagree.")
        ae_multiply_derivative_and_sum_rows(gradient.base, output.base, gradient.rows, gradient.columns, f.c, biasGradient)
    }

    /// `sums[c] ← Σ_r values[r, c]`: a bias's gradient from its layer's pre-activation gradient.
    public static func sumRows(_ values: MatrixView, into sums: UnsafeMutablePointer<Float>) {
        ae_sum_rows(values.base, values.rows, values.columns, sums)
    }

    /// Writes `scale · (prediction − target)` into `gradient` (when given) and returns
    /// `Σ (prediction − target)²`, accumulated in `Float` lanes within blocks of 4096 and
    /// in `Double` across blocks.
    public static func squaredErrorAndGradient(
        prediction: UnsafePointer<Float>, target: UnsafePointer<Float>, count: Int,
        scale: Float, gradient: UnsafeMutablePointer<Float>?
    ) -> Double {
        ae_squared_error(prediction, target, count, scale, gradient)
    }

    /// Writes `scale` times the binary cross-entropy's derivative into `gradient` (when
    /// given) and returns the sum of the element losses, accumulated as
    /// ``squaredErrorAndGradient(prediction:target:count:scale:gradient:)``. From logits z:
    /// `max(z, 0) − z·t + log1p(e^−|z|)`, derivative `σ(z) − t`; from probabilities p,
    /// clamped to `[1e-7, 1 − 1e-7]`: `−[t·log p + (1 − t)·log(1 − p)]`, derivative
    /// `(p − t) / (p(1 − p))`, and 0 where the clamp holds p.
    public static func binaryCrossEntropyAndGradient(
        prediction: UnsafePointer<Float>, target: UnsafePointer<Float>, count: Int, fromLogits: Bool,
        scale: Float, gradient: UnsafeMutablePointer<Float>?
    ) -> Double {
        ae_binary_cross_entropy(prediction, target, count, fromLogits ? 1 : 0, scale, gradient)
    }

    /// True when every element is finite (no NaN and no infinity).
    public static func allFinite(_ values: UnsafePointer<Float>, count: Int) -> Bool {
        ae_all_finite(values, count) != 0
    }
}
