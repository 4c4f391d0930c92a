import AutoencoderNetwork
import Testing

/// AdamW, SGD with momentum and RMSProp against three steps computed with numpy in float32
/// following PyTorch's single-tensor update code, from θ = [0.5, −1, 2, 0] along the gradients below.
@Suite struct OptimizerVariantTests {
    static let start: [Float] = [0.5, -1.0, 2.0, 0.0]
    static let gradients: [[Float]] = [[0.1, -0.2, 0.3, 0.0], [-0.5, 0.25, 1e-3, 2.0], [0.05, 0.05, -0.7, -1.0]]

    /// Runs `optimizer` over ``gradients`` from ``start``.
    static func run<O: Optimizer>(_ optimizer: inout O) -> [Float] {
        var theta = start
        for g in gradients {
            let ok = theta.withUnsafeMutableBufferPointer { p in g.withUnsafeBufferPointer { optimizer.update(p, along: $0) } }
            #expect(ok)
        }
        return theta
    }

    static func expectClose(_ actual: [Float], _ expected: [Float], tolerance: Float = 1e-6,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.count == expected.count, sourceLocation: sourceLocation)
        for (a, b) in zip(actual, expected) {
            #expect(abs(a - b) <= tolerance * max(1, abs(b)), "\(actual) vs \(expected)", sourceLocation: sourceLocation)
        }
    }

    /// lr 0.01, β 0.9/0.999, ε 1e-8, λ 0.1, t = 1…3, scalars in float64 then float32:
    /// `θ *= 1 − lr·λ`; `m = fma(1−β1, g − m, m)`; `v = v·β2 + (1−β2)·g·g`;
    /// `θ += (−lr/(1−β1^t))·m / (√v/√(1−β2^t) + ε)`.
    @Test func adamWMatchesPyTorchReference() {
        var adamW = AdamW(learningRate: 0.01, weightDecay: 0.1)
        let theta = Self.run(&adamW)
        Self.expectClose(theta, [0.498478502035141, -0.9908779859542847, 1.9811339378356934, -0.009720330126583576])
        Self.expectClose(adamW.firstMoments,
                         [-0.03190000727772713, 0.01130000315606594, -0.045610010623931885, 0.08000001311302185])
        Self.expectClose(adamW.secondMoments,
                         [0.000262226618360728, 0.00010485618986422196, 0.0005798136116936803, 0.004995935596525669])
        #expect(adamW.step == 3)
    }

    /// Without weight decay AdamW differs from the TensorFlow-form Adam only in where ε
    /// goes, so the two stay close; with it the parameters shrink.
    @Test func adamWWithoutDecayIsCloseToAdam() {
        var adamW = AdamW(learningRate: 0.01, weightDecay: 0)
        var adam = Adam(learningRate: 0.01)
        Self.expectClose(Self.run(&adamW), Self.run(&adam), tolerance: 1e-5)
    }

    /// lr 0.1, μ 0.9: `buf = g` on the first step, then `buf = buf·μ + g`; `θ += (−lr)·buf`.
    @Test func sgdMomentumMatchesPyTorchReference() {
        var sgd = SGD(learningRate: 0.1, momentum: 0.9)
        let theta = Self.run(&sgd)
        Self.expectClose(theta, [0.5629000067710876, -0.9983000755310059, 1.988510012626648, -0.2800000011920929])
        Self.expectClose(sgd.momentumBuffer,
                         [-0.3189999759197235, 0.11300000548362732, -0.4560999870300293, 0.7999999523162842])
    }

    /// lr 0.1, μ 0.9, Nesterov, λ 0.01: `g += λ·θ`; buffer as above; `g += μ·buf`; `θ += (−lr)·g`.
    @Test func sgdNesterovWithWeightDecayMatchesPyTorchReference() {
        var sgd = SGD(learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01)
        let theta = Self.run(&sgd)
        Self.expectClose(theta, [0.5875148177146912, -1.0005505084991455, 2.0137979984283447, -0.3512779772281647])
        Self.expectClose(sgd.momentumBuffer,
                         [-0.30497318506240845, 0.08637145161628723, -0.40335312485694885, 0.7961999177932739])
    }

    /// Momentum 0 and no weight decay keep plain `θ −= g·lr`, bit for bit.
    @Test func sgdWithoutMomentumIsPlainGradientDescent() {
        var sgd = SGD(learningRate: 0.3)
        var expected = Self.start
        for g in Self.gradients { for i in expected.indices { expected[i] -= g[i] * 0.3 } }
        #expect(Self.run(&sgd).map(\.bitPattern) == expected.map(\.bitPattern))
        #expect(sgd.momentumBuffer.isEmpty)
        #expect(sgd.step == 3)
    }

    /// lr 0.01, α 0.99, ε 1e-8: `v = v·α + (1−α)·g·g`; `θ += (−lr·g)/(√v + ε)`.
    @Test func rmsPropMatchesPyTorchReference() {
        var rmsProp = RMSProp(learningRate: 0.01)
        let theta = Self.run(&rmsProp)
        Self.expectClose(theta, [0.4882674217224121, -0.993775486946106, 1.9917216300964355, -0.055098697543144226])
        Self.expectClose(rmsProp.squareAverages,
                         [0.0025980074424296618, 0.0010357890278100967, 0.005782094784080982, 0.04959995299577713])
    }

    /// lr 0.01, α 0.9, ε 1e-6, μ 0.5, λ 0.01: `g += λ·θ`; `v` as above;
    /// `buf = buf·μ + g/(√v + ε)` (from zeros); `θ += (−lr)·buf`.
    @Test func rmsPropMomentumWithWeightDecayMatchesPyTorchReference() {
        var rmsProp = RMSProp(learningRate: 0.01, alpha: 0.9, epsilon: 1e-6, momentum: 0.5, weightDecay: 0.01)
        let theta = Self.run(&rmsProp)
        Self.expectClose(theta, [0.48757025599479675, -0.9854350686073303, 1.9705480337142944, -0.0326862633228302])
        Self.expectClose(rmsProp.momentumBuffer,
                         [-0.4001101553440094, 0.8523678183555603, -2.013125419616699, 0.1063539981842041])
    }

    @Test func newOptimizersRefuseNonFiniteGradients() {
        var optimizers: [any Optimizer] = [
            AdamW(learningRate: 0.1), SGD(learningRate: 0.1, momentum: 0.9), RMSProp(learningRate: 0.1),
        ]
        for index in optimizers.indices {
            var theta: [Float] = [1, 2, 3]
            let g: [Float] = [0, .infinity, 0]
            let ok = theta.withUnsafeMutableBufferPointer { p in
                g.withUnsafeBufferPointer { optimizers[index].update(p, along: $0) }
            }
            #expect(!ok)
            #expect(theta == [1, 2, 3])
            #expect(optimizers[index].state.counters["step"] == 0)
        }
    }
}
