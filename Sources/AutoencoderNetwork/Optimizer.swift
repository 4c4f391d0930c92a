import AutoencoderNumerics

/// A rule that moves parameters along their gradients.
///
/// Parameters and gradients are the network's flat arrays (see ``Network``), so an
/// optimizer updates every tensor of the model in one pass.
public protocol Optimizer: Sendable {
    /// Updates `parameters` in place along `gradients`, which has the same length.
    /// Returns `false`, leaving the parameters unchanged in meaning, when a gradient was
    /// NaN or infinite so the caller can stop the run.
    mutating func update(_ parameters: UnsafeMutableBufferPointer<Float>, along gradients: UnsafeBufferPointer<Float>) -> Bool
}

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

    /// One Adam step over every parameter (see ``Optimizer/update(_:along:)``).
    public mutating func update(
        _ parameters: UnsafeMutableBufferPointer<Float>, along gradients: UnsafeBufferPointer<Float>
    ) -> Bool {
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

/// Plain stochastic gradient descent: `θ −= lr·g`.
public struct SGD: Optimizer, Equatable {
    /// The learning rate.
    public var learningRate: Float

    /// Creates the optimizer.
    public init(learningRate: Float) {
        self.learningRate = learningRate
    }

    /// One plain gradient step over every parameter (see ``Optimizer/update(_:along:)``).
    public mutating func update(
        _ parameters: UnsafeMutableBufferPointer<Float>, along gradients: UnsafeBufferPointer<Float>
    ) -> Bool {
        precondition(parameters.count == gradients.count, "Parameters and gradients differ in length.")
        guard ElementwiseKernels.allFinite(gradients.baseAddress!, count: gradients.count) else { return false }
        OptimizerKernels.gradientDescent(parameters: parameters.baseAddress!, gradients: gradients.baseAddress!,
                                         count: parameters.count, learningRate: learningRate)
        return true
    }
}
