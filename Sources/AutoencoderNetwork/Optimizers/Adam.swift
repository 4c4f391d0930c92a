import AutoencoderKernels
import AutoencoderNumerics

/// Adam (Kingma and Ba, 2015) in TensorFlow 1's form, with all arithmetic in `Float`:
/// `lr_t = lr·√(1−β2^t)/(1−β1^t)`, `θ −= lr_t·m/(√v + ε)`, where `β^t` are kept as
/// running `Float` products the way `tf.train.AdamOptimizer` keeps its `beta_power` variables.
public struct Adam: Optimizer, Equatable {
    /// The learning rate `lr`.
    public var learningRate: Float
    /// The decay of the first-moment estimate.
    public var beta1: Float
    /// The decay of the second-moment estimate.
    public var beta2: Float
    /// The term added to `√v` for numerical stability.
    public var epsilon: Float

    /// The number of updates made so far.
    public var step: Int = 0
    /// `β1^step`, as a running product.
    public var beta1Power: Float = 1
    /// `β2^step`, as a running product.
    public var beta2Power: Float = 1
    /// The first-moment estimates, one per parameter (empty before the first update).
    public var firstMoments: [Float] = []
    /// The second-moment estimates, one per parameter (empty before the first update).
    public var secondMoments: [Float] = []

    /// Creates an optimizer with TensorFlow's defaults for everything but the learning rate.
    public init(learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    /// Kind `"adam"`; settings `learningRate`, `beta1`, `beta2`, `epsilon`; counters `step`,
    /// `beta1PowerBits`, `beta2PowerBits` (the `β^t` products' bit patterns); tensors
    /// `firstMoments`, `secondMoments` once updated.
    public var state: OptimizerState {
        OptimizerState(
            kind: "adam",
            settings: ["learningRate": learningRate, "beta1": beta1, "beta2": beta2, "epsilon": epsilon],
            counters: ["step": UInt64(step), "beta1PowerBits": UInt64(beta1Power.bitPattern),
                       "beta2PowerBits": UInt64(beta2Power.bitPattern)],
            tensors: firstMoments.isEmpty && secondMoments.isEmpty
                ? [:] : ["firstMoments": firstMoments, "secondMoments": secondMoments])
    }

    /// Restores an optimizer from its ``state``; the `β^t` products must be 1 before the
    /// first update and in [0, 1) after it.
    public init(state: OptimizerState) throws(OptimizerStateError) {
        var reader = try OptimizerStateReader(state, kind: "adam")
        self.init(learningRate: try reader.setting("learningRate", .nonNegative),
                  beta1: try reader.setting("beta1", .unitInterval), beta2: try reader.setting("beta2", .unitInterval),
                  epsilon: try reader.setting("epsilon", .positive))
        step = Int(try reader.counter("step"))
        beta1Power = try reader.floatCounter("beta1PowerBits")
        beta2Power = try reader.floatCounter("beta2PowerBits")
        for (name, power) in [("beta1PowerBits", beta1Power), ("beta2PowerBits", beta2Power)] {
            if step == 0, power != 1 {
                throw .outOfRange(name: name, value: "\(power)", requirement: "1 (the bits 1065353216) before the first update")
            }
            if step > 0, !(power >= 0 && power < 1) {
                throw .outOfRange(name: name, value: "\(power)", requirement: "at least 0 and below 1 after an update")
            }
        }
        let moments = try reader.tensors(["firstMoments", "secondMoments"], nonNegative: ["secondMoments"])
        firstMoments = moments[0]
        secondMoments = moments[1]
        try reader.finish()
    }

    /// One Adam step over every parameter (see ``Optimizer/update(_:along:)``).
    public mutating func update(_ parameters: MutableVectorView, along gradients: VectorView) -> Bool {
        let (parameters, gradients) = (parameters.buffer, gradients.buffer)
        precondition(parameters.count == gradients.count, "Parameters and gradients differ in length.")
        guard ElementwiseKernels.allFinite(gradients.baseAddress!, count: gradients.count) else { return false }
        if firstMoments.count != parameters.count {
            firstMoments = [Float](repeating: 0, count: parameters.count)
            secondMoments = [Float](repeating: 0, count: parameters.count)
        }
        step += 1
        beta1Power *= beta1
        beta2Power *= beta2
        let stepSize = learningRate * (1 - beta2Power).squareRoot() / (1 - beta1Power)
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        firstMoments.withUnsafeMutableBufferPointer { m in
            secondMoments.withUnsafeMutableBufferPointer { v in
                OptimizerKernels.adam(
                    parameters: parameters.baseAddress!, gradients: gradients.baseAddress!,
                    firstMoments: m.baseAddress!, secondMoments: v.baseAddress!, count: parameters.count,
                    stepSize: stepSize, beta1: b1, beta2: b2, epsilon: eps)
            }
        }
        return true
    }
}
