/// The fused parameter-update passes of the optimizers.
///
/// Layout assumed: parameters, gradients and optimizer moments are flat arrays of the
/// same length, element `i` of each belonging to the same scalar parameter. One pass
/// reads and writes each array once; large arrays are split over the cores.
public enum OptimizerKernels {
    public typealias Vector = SIMD8<Float>

    /// One Adam step in TensorFlow 1's form (`ApplyAdam`), entirely in `Float`:
    /// `m += (g − m)(1 − β1)`, `v += (g² − v)(1 − β2)`, `θ −= lr_t·m / (√v + ε)`.
    /// The caller folds the bias corrections into `stepSize` (`lr_t`).
    @inlinable
    public static func adam(
        parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
        firstMoments m: UnsafeMutablePointer<Float>, secondMoments v: UnsafeMutablePointer<Float>,
        count: Int, stepSize: Float, beta1: Float, beta2: Float, epsilon: Float
    ) {
        let oneMinusBeta1 = 1 - beta1, oneMinusBeta2 = 1 - beta2
        Parallel.forEachChunk(of: count) { range in
            var i = range.lowerBound
            let w = Vector.scalarCount
            while i + w <= range.upperBound {
                let g = ElementwiseKernels.load(gradients + i)
                var mi = ElementwiseKernels.load(m + i)
                var vi = ElementwiseKernels.load(v + i)
                mi += (g - mi) * oneMinusBeta1
                vi += (g * g - vi) * oneMinusBeta2
                let p = ElementwiseKernels.load(parameters + i) - (mi * stepSize) / (vi.squareRoot() + epsilon)
                ElementwiseKernels.store(mi, m + i)
                ElementwiseKernels.store(vi, v + i)
                ElementwiseKernels.store(p, parameters + i)
                i += w
            }
            while i < range.upperBound {
                let g = gradients[i]
                m[i] += (g - m[i]) * oneMinusBeta1
                v[i] += (g * g - v[i]) * oneMinusBeta2
                parameters[i] -= (m[i] * stepSize) / (v[i].squareRoot() + epsilon)
                i += 1
            }
        }
    }

    /// One plain gradient-descent step: `θ −= lr·g`.
    @inlinable
    public static func gradientDescent(
        parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>, count: Int, learningRate: Float
    ) {
        Parallel.forEachChunk(of: count) { range in
            var i = range.lowerBound
            let w = Vector.scalarCount
            while i + w <= range.upperBound {
                let p = ElementwiseKernels.load(parameters + i) - ElementwiseKernels.load(gradients + i) * learningRate
                ElementwiseKernels.store(p, parameters + i)
                i += w
            }
            while i < range.upperBound {
                parameters[i] -= gradients[i] * learningRate
                i += 1
            }
        }
    }
}
