import AutoencoderKernels
import AutoencoderNumerics

/// RMSProp (Hinton's lecture 6e) in PyTorch's form (`torch.optim.RMSprop`, not centred):
/// with weight decay `g ← g + λθ`; `v ← α·v + (1 − α)·g²`; then `θ ← θ − lr·g/(√v + ε)`, or
/// with momentum `buf ← μ·buf + g/(√v + ε)` and `θ ← θ − lr·buf`.
public struct RMSProp: Optimizer, Equatable {
    /// The learning rate.
    public var learningRate: Float
    /// The decay `α` of the running average of squared gradients (Keras calls it `rho`).
    public var alpha: Float
    /// The term added to `√v` for numerical stability.
    public var epsilon: Float
    /// The momentum `μ` in [0, 1); 0 for none.
    public var momentum: Float
    /// The coupled (L2) weight decay `λ`, added to the gradient as `λθ`; 0 for none.
    public var weightDecay: Float

    /// The number of updates made so far.
    public var step: Int = 0
    /// The running averages of squared gradients, one per parameter (empty before the
    /// first update).
    public var squareAverages: [Float] = []
    /// The momentum buffer, one value per parameter (empty before the first update and
    /// without momentum).
    public var momentumBuffer: [Float] = []

    /// Creates an optimizer with PyTorch's defaults for everything but the learning rate.
    public init(learningRate: Float, alpha: Float = 0.99, epsilon: Float = 1e-8, momentum: Float = 0,
                weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.alpha = alpha
        self.epsilon = epsilon
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    /// Kind `"rmsprop"`; settings `learningRate`, `alpha`, `epsilon`, `momentum`,
    /// `weightDecay`; counter `step`; tensor `squareAverages` once updated, and
    /// `momentumBuffer` too with momentum.
    public var state: OptimizerState {
        var tensors: [String: [Float]] = [:]
        if !squareAverages.isEmpty { tensors["squareAverages"] = squareAverages }
        if !momentumBuffer.isEmpty { tensors["momentumBuffer"] = momentumBuffer }
        return OptimizerState(
            kind: "rmsprop",
            settings: ["learningRate": learningRate, "alpha": alpha, "epsilon": epsilon, "momentum": momentum,
                       "weightDecay": weightDecay],
            counters: ["step": UInt64(step)], tensors: tensors)
    }

    /// Restores an optimizer from its ``state``.
    public init(state: OptimizerState) throws(OptimizerStateError) {
        var reader = try OptimizerStateReader(state, kind: "rmsprop")
        self.init(learningRate: try reader.setting("learningRate", .nonNegative),
                  alpha: try reader.setting("alpha", .unitInterval), epsilon: try reader.setting("epsilon", .positive),
                  momentum: try reader.setting("momentum", .unitInterval),
                  weightDecay: try reader.setting("weightDecay", .nonNegative))
        step = Int(try reader.counter("step"))
        if momentum > 0 {
            let tensors = try reader.tensors(["squareAverages", "momentumBuffer"], nonNegative: ["squareAverages"])
            (squareAverages, momentumBuffer) = (tensors[0], tensors[1])
        } else {
            squareAverages = try reader.tensors(["squareAverages"], nonNegative: ["squareAverages"])[0]
        }
        try reader.finish()
    }

    /// One RMSProp step over every parameter (see ``Optimizer/update(_:along:)``).
    public mutating func update(_ parameters: MutableVectorView, along gradients: VectorView) -> Bool {
        let (parameters, gradients) = (parameters.buffer, gradients.buffer)
        precondition(parameters.count == gradients.count, "Parameters and gradients differ in length.")
        guard ElementwiseKernels.allFinite(gradients.baseAddress!, count: gradients.count) else { return false }
        if squareAverages.count != parameters.count { squareAverages = [Float](repeating: 0, count: parameters.count) }
        if momentum > 0, momentumBuffer.count != parameters.count {
            momentumBuffer = [Float](repeating: 0, count: parameters.count)
        }
        step += 1
        let (a, weight, eps, mu, decay) = (alpha, Float(1 - Double(alpha)), epsilon, momentum, weightDecay)
        let negativeRate = -learningRate
        // Plain loops: RMSProp is not on the tutorial's hot path.
        for i in 0..<parameters.count {
            var g = gradients[i]
            if decay != 0 { g += decay * parameters[i] }
            let v = squareAverages[i] * a + weight * g * g
            squareAverages[i] = v
            let denominator = v.squareRoot() + eps
            if mu > 0 {
                let buffer = momentumBuffer[i] * mu + g / denominator
                momentumBuffer[i] = buffer
                parameters[i] += negativeRate * buffer
            } else {
                parameters[i] += negativeRate * g / denominator
            }
        }
        return true
    }
}
