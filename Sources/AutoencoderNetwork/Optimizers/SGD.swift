import AutoencoderKernels
import AutoencoderNumerics

/// Stochastic gradient descent in PyTorch's form (`torch.optim.SGD` without dampening):
/// with weight decay `g ← g + λθ`; with momentum `buf ← μ·buf + g` (`buf ← g` on the first
/// update) and `g ← buf`, or with Nesterov momentum `g ← g + μ·buf`; then `θ −= lr·g`.
///
/// Without momentum and weight decay this is plain `θ −= lr·g`, computed exactly as before
/// those options existed.
public struct SGD: Optimizer, Equatable {
    /// The learning rate.
    public var learningRate: Float
    /// The momentum `μ` in [0, 1); 0 is plain gradient descent.
    public var momentum: Float
    /// Whether the step uses Nesterov's look-ahead `g + μ·buf` instead of `buf`; needs a
    /// momentum above 0.
    public var nesterov: Bool
    /// The coupled (L2) weight decay `λ`, added to the gradient as `λθ`; 0 for none.
    public var weightDecay: Float

    /// The number of updates made so far.
    public var step: Int = 0
    /// The momentum buffer, one value per parameter (empty before the first update and
    /// without momentum).
    public var momentumBuffer: [Float] = []

    /// Creates the optimizer; by default plain gradient descent.
    public init(learningRate: Float, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
        precondition(!nesterov || momentum > 0, "Nesterov momentum needs a momentum above 0.")
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    /// Kind `"sgd"`; settings `learningRate`, `momentum`, `nesterov` (0 or 1), `weightDecay`;
    /// counter `step`; tensor `momentumBuffer` once updated with momentum.
    public var state: OptimizerState {
        OptimizerState(
            kind: "sgd",
            settings: ["learningRate": learningRate, "momentum": momentum, "nesterov": nesterov ? 1 : 0,
                       "weightDecay": weightDecay],
            counters: ["step": UInt64(step)],
            tensors: momentumBuffer.isEmpty ? [:] : ["momentumBuffer": momentumBuffer])
    }

    /// Restores an optimizer from its ``state``.
    public init(state: OptimizerState) throws(OptimizerStateError) {
        var reader = try OptimizerStateReader(state, kind: "sgd")
        let momentum = try reader.setting("momentum", .unitInterval)
        let nesterov = try reader.setting("nesterov", .flag) == 1
        if nesterov, momentum == 0 {
            throw .outOfRange(name: "momentum", value: "0", requirement: "above 0 for Nesterov momentum")
        }
        self.init(learningRate: try reader.setting("learningRate", .nonNegative), momentum: momentum,
                  nesterov: nesterov, weightDecay: try reader.setting("weightDecay", .nonNegative))
        step = Int(try reader.counter("step"))
        if momentum != 0 { momentumBuffer = try reader.tensors(["momentumBuffer"])[0] }
        try reader.finish()
    }

    /// One gradient step over every parameter (see ``Optimizer/update(_:along:)``).
    public mutating func update(_ parameters: MutableVectorView, along gradients: VectorView) -> Bool {
        let (parameters, gradients) = (parameters.buffer, gradients.buffer)
        precondition(parameters.count == gradients.count, "Parameters and gradients differ in length.")
        guard ElementwiseKernels.allFinite(gradients.baseAddress!, count: gradients.count) else { return false }
        step += 1
        if momentum == 0, weightDecay == 0 {
            OptimizerKernels.gradientDescent(parameters: parameters.baseAddress!, gradients: gradients.baseAddress!,
                                             count: parameters.count, learningRate: learningRate)
            return true
        }
        // Plain loops: momentum and weight decay are not on the tutorial's hot path.
        let (mu, decay, rate) = (momentum, weightDecay, learningRate)
        let firstUpdate = momentumBuffer.count != parameters.count
        if mu != 0, firstUpdate { momentumBuffer = [Float](repeating: 0, count: parameters.count) }
        for i in 0..<parameters.count {
            var g = gradients[i]
            if decay != 0 { g += decay * parameters[i] }
            if mu != 0 {
                let buffer = firstUpdate ? g : momentumBuffer[i] * mu + g
                momentumBuffer[i] = buffer
                g = nesterov ? g + mu * buffer : buffer
            }
            parameters[i] -= g * rate
        }
        return true
    }
}
