import CAutoencoderKernels

/// The fused parameter-update passes of the optimizers.
///
/// Layout: parameters, gradients and optimizer moments are flat arrays of the same
/// length, element `i` of each belonging to the same scalar parameter. One pass reads
/// and writes each array once; Adam splits itself over the cores when large.
public enum OptimizerKernels {
    /// One Adam step in TensorFlow 1's form (`ApplyAdam`), entirely in `Float`:
    /// `m += (g − m)(1 − β1)`, `v += (g² − v)(1 − β2)`, `θ −= lr_t·m / (√v + ε)`; with AVX-512
    /// or AVX2 the division is a reciprocal estimate refined by a Newton step (within about 2 ulp).
    /// The caller folds the bias corrections into `stepSize` (`lr_t`).
    public static func adam(
        parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
        firstMoments m: UnsafeMutablePointer<Float>, secondMoments v: UnsafeMutablePointer<Float>,
        count: Int, stepSize: Float, beta1: Float, beta2: Float, epsilon: Float
    ) {
        ae_adam(parameters, gradients, m, v, count, stepSize, beta1, beta2, epsilon)
    }

    /// One plain gradient-descent step: `θ −= lr·g`.
    public static func gradientDescent(
        parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>, count: Int, learningRate: Float
    ) {
        for i in 0..<count { parameters[i] -= gradients[i] * learningRate }
    }
}
