import AutoencoderKernels
import AutoencoderNumerics

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Adam with decoupled weight decay (Loshchilov and Hutter, 2019) in PyTorch's form
/// (`torch.optim.AdamW`): `θ ← θ·(1 − lr·λ)`, `m ← lerp(m, g, 1 − β1)`,
/// `v ← β2·v + (1 − β2)·g²`, `θ ← θ − (lr/(1 − β1^t))·m / (√v/√(1 − β2^t) + ε)`.
///
/// As in PyTorch, the scalar factors (`1 − lr·λ`, the bias corrections with `β^t` from
/// `pow`) are computed in `Double` and rounded to `Float`; the per-parameter arithmetic is
/// `Float`. The bias corrections depend on the step count alone, so ``step`` is the whole
/// of the optimizer's counter state.
public struct AdamW: Optimizer, Equatable {
    /// The learning rate `lr`.
    public var learningRate: Float
    /// The decay of the first-moment estimate.
    public var beta1: Float
    /// The decay of the second-moment estimate.
    public var beta2: Float
    /// The term added to the bias-corrected `√v` for numerical stability.
    public var epsilon: Float
    /// The decoupled weight decay `λ`: each update first shrinks `θ` by the factor `1 − lr·λ`.
    public var weightDecay: Float

    /// The number of updates made so far.
    public var step: Int = 0
    /// The first-moment estimates, one per parameter (empty before the first update).
    public var firstMoments: [Float] = []
    /// The second-moment estimates, one per parameter (empty before the first update).
    public var secondMoments: [Float] = []

    /// Creates an optimizer with PyTorch's defaults for everything but the learning rate.
    public init(learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0.01) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// Kind `"adamw"`; settings `learningRate`, `beta1`, `beta2`, `epsilon`, `weightDecay`;
    /// counter `step`; tensors `firstMoments`, `secondMoments` once updated.
    public var state: OptimizerState {
        OptimizerState(
            kind: "adamw",
            settings: ["learningRate": learningRate, "beta1": beta1, "beta2": beta2, "epsilon": epsilon,
                       "weightDecay": weightDecay],
            counters: ["step": UInt64(step)],
            tensors: firstMoments.isEmpty && secondMoments.isEmpty
                ? [:] : ["firstMoments": firstMoments, "secondMoments": secondMoments])
    }

    /// Restores an optimizer from its ``state``.
    public init(state: OptimizerState) throws(OptimizerStateError) {
        var reader = try OptimizerStateReader(state, kind: "adamw")
        self.init(learningRate: try reader.setting("learningRate", .nonNegative),
                  beta1: try reader.setting("beta1", .unitInterval), beta2: try reader.setting("beta2", .unitInterval),
                  epsilon: try reader.setting("epsilon", .positive),
                  weightDecay: try reader.setting("weightDecay", .nonNegative))
        step = Int(try reader.counter("step"))
        let moments = try reader.tensors(["firstMoments", "secondMoments"], nonNegative: ["secondMoments"])
        firstMoments = moments[0]
        secondMoments = moments[1]
        try reader.finish()
    }

    /// One AdamW step over every parameter (see ``Optimizer/update(_:along:)``).
    public mutating func update(_ parameters: MutableVectorView, along gradients: VectorView) -> Bool {
        let (parameters, gradients) = (parameters.buffer, gradients.buffer)
        precondition(parameters.count == gradients.count, "Parameters and gradients differ in length.")
        guard ElementwiseKernels.allFinite(gradients.baseAddress!, count: gradients.count) else { return false }
        if firstMoments.count != parameters.count || secondMoments.count != parameters.count {
            firstMoments = [Float](repeating: 0, count: parameters.count)
            secondMoments = [Float](repeating: 0, count: parameters.count)
        }
        step += 1
        let rate = Double(learningRate)
        let shrink = Float(1 - rate * Double(weightDecay))
        let negativeStepSize = Float(-(rate / (1 - pow(Double(beta1), Double(step)))))
        let correction2Root = Float((1 - pow(Double(beta2), Double(step))).squareRoot())
        let weight1 = Float(1 - Double(beta1))
        let (b2, weight2, eps) = (beta2, Float(1 - Double(beta2)), epsilon)
        // Plain loops: AdamW is not on the tutorial's hot path.
        for i in 0..<parameters.count {
            let g = gradients[i]
            let theta = parameters[i] * shrink
            // ATen's lerp: one fused multiply-add, from whichever end is nearer the weight.
            let m = abs(weight1) < 0.5
                ? firstMoments[i].addingProduct(weight1, g - firstMoments[i])
                : g.addingProduct(weight1 - 1, g - firstMoments[i])
            let v = secondMoments[i] * b2 + weight2 * g * g
            firstMoments[i] = m
            secondMoments[i] = v
            parameters[i] = theta + negativeStepSize * m / (v.squareRoot() / correction2Root + eps)
        }
        return true
    }
}
