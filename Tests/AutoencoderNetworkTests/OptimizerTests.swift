import AutoencoderNetwork
import Testing

@Suite struct OptimizerTests {
    /// Three Adam steps against values computed with numpy in float32 with TensorFlow 1's
    /// update (`lr_t = lr·√(1−β2^t)/(1−β1^t)`, `m += (g−m)(1−β1)`, `v += (g²−v)(1−β2)`).
    @Test func adamMatchesTensorFlowReference() {
        var adam = Adam(learningRate: 0.01)
        var theta: [Float] = [0.5, -1.0, 2.0, 0.0]
        let gradients: [[Float]] = [[0.1, -0.2, 0.3, 0.0], [-0.5, 0.25, 1e-3, 2.0], [0.05, 0.05, -0.7, -1.0]]
        for g in gradients {
            let ok = theta.withUnsafeMutableBufferPointer { p in g.withUnsafeBufferPointer { adam.update(p, along: $0) } }
            #expect(ok)
        }
        let expected: [Float] = [0.4999629855155945, -0.9938565492630005, 1.9871010780334473, -0.00972773041576147]
        for (a, b) in zip(theta, expected) { #expect(abs(a - b) <= 1e-6 * max(1, abs(b)), "\(theta)") }
        let expectedM: [Float] = [-0.03190000355243683, 0.01130000315606594, -0.04561001434922218, 0.08000001311302185]
        for (a, b) in zip(adam.firstMoments, expectedM) { #expect(abs(a - b) <= 1e-7) }
        #expect(adam.step == 3)
    }

    @Test func adamRefusesNonFiniteGradients() {
        var adam = Adam(learningRate: 0.01)
        var theta: [Float] = [1, 2, 3]
        let g: [Float] = [0, .nan, 0]
        let ok = theta.withUnsafeMutableBufferPointer { p in g.withUnsafeBufferPointer { adam.update(p, along: $0) } }
        #expect(!ok)
        #expect(theta == [1, 2, 3])
        #expect(adam.step == 0)
    }

    @Test func adamUpdatesLongVectorsLikeShortOnes() {
        // Long enough to be split across threads and to exercise the SIMD tail.
        let count = 100_003
        var long = (0..<count).map { Float($0 % 17) * 0.1 }
        let g = (0..<count).map { Float(($0 * 7) % 13) * 0.01 - 0.05 }
        var adamLong = Adam(learningRate: 0.01)
        _ = long.withUnsafeMutableBufferPointer { p in g.withUnsafeBufferPointer { adamLong.update(p, along: $0) } }
        for i in [0, 1, 8, 4095, 50_000, count - 1] {
            var one = [Float(i % 17) * 0.1]
            var adamOne = Adam(learningRate: 0.01)
            let gi = [g[i]]
            _ = one.withUnsafeMutableBufferPointer { p in gi.withUnsafeBufferPointer { adamOne.update(p, along: $0) } }
            #expect(long[i] == one[0])
        }
    }

    @Test func sgdStepsAgainstTheGradient() {
        var sgd = SGD(learningRate: 0.5)
        var theta: [Float] = [1, 2]
        let g: [Float] = [2, -4]
        _ = theta.withUnsafeMutableBufferPointer { p in g.withUnsafeBufferPointer { sgd.update(p, along: $0) } }
        #expect(theta == [0, 4])
    }
}
