import CAutoencoderKernels
import Foundation
import Testing

/// Every instruction-set variant of the elementwise kernels this CPU can run (baseline,
/// AVX2+FMA, AVX-512F), not only the one the dispatch picks: the AVX2 and AVX-512 ones
/// take reciprocals from the hardware's estimate refined by a Newton step, the baseline
/// divides, and all must meet the same accuracy.
@Suite struct InstructionSetVariantTests {
    static let variants: [Int32] = [0, 1, 2]

    /// `function` (0 exp, 1 sigmoid, 2 tanh, 3 leaky ReLU, 4 ELU, 5 softplus) of `xs` with `variant`, or nil when the CPU lacks it.
    static func map(_ variant: Int32, _ function: Int32, _ xs: [Float]) -> [Float]? {
        var out = [Float](repeating: .nan, count: xs.count)
        let ran = out.withUnsafeMutableBufferPointer { o in
            xs.withUnsafeBufferPointer { ae_map_variant(variant, function, $0.baseAddress!, o.baseAddress!, xs.count) }
        }
        return ran == 1 ? out : nil
    }

    @Test(arguments: variants) func sigmoidIsAccurate(variant: Int32) throws {
        let xs = stride(from: Float(-30), through: 30, by: 0.001).map { $0 } + [-1000, 1000, .nan]
        guard let ys = Self.map(variant, 1, xs) else { return }
        var worstRelative: Double = 0
        for (x, y) in zip(xs, ys) where x.magnitude <= 30 {
            let exact = 1 / (1 + Foundation.exp(-Double(x)))
            worstRelative = max(worstRelative, abs(Double(y) - exact) / exact)
        }
        #expect(worstRelative < 1e-6, "variant \(variant): worst relative error \(worstRelative)")
        let n = ys.count
        #expect(ys[n - 3] >= 0 && ys[n - 3] < 1e-37)
        // 1 or the float just below it (AVX2's 12-bit estimate of 1/1, refined, lands there).
        #expect(ys[n - 2] <= 1 && ys[n - 2] >= 1 - 6e-8)
        #expect(ys[n - 1].isNaN)
    }

    @Test(arguments: variants) func tanhAndExpAreAccurate(variant: Int32) throws {
        let xs = stride(from: Float(-20), through: 20, by: 0.001).map { $0 }
        guard let t = Self.map(variant, 2, xs), let e = Self.map(variant, 0, xs) else { return }
        var worstTanh: Double = 0, worstExp: Double = 0
        for i in xs.indices {
            worstTanh = max(worstTanh, abs(Double(t[i]) - Foundation.tanh(Double(xs[i]))))
            let exact = Foundation.exp(Double(xs[i]))
            worstExp = max(worstExp, abs(Double(e[i]) - exact) / exact)
        }
        #expect(worstTanh < 1e-6, "variant \(variant)")
        #expect(worstExp < 1e-6, "variant \(variant)")
    }

    /// Leaky ReLU (3), ELU (4) and softplus (5): within 1e-6 relative (absolute below 1),
    /// softplus keeps the tiny values of very negative inputs, and NaN goes through.
    @Test(arguments: variants) func leakyReLUEluAndSoftplusAreAccurate(variant: Int32) throws {
        let xs = stride(from: Float(-40), through: 40, by: 0.001).map { $0 } + [-1000, 1000, .nan]
        guard let leaky = Self.map(variant, 3, xs), let elu = Self.map(variant, 4, xs),
              let softplus = Self.map(variant, 5, xs) else { return }
        var worst: [Double] = [0, 0, 0]
        for (i, x) in xs.enumerated() where x.isFinite && x.magnitude <= 40 {
            let d = Double(x)
            let exact = [x < 0 ? 0.2 * d : d, x > 0 ? d : Foundation.expm1(d), Foundation.log1p(Foundation.exp(d))]
            for (k, y) in [leaky[i], elu[i], softplus[i]].enumerated() {
                worst[k] = max(worst[k], abs(Double(y) - exact[k]) / max(1, abs(exact[k])))
            }
            // Softplus's tiny values keep their relative precision.
            #expect(abs(Double(softplus[i]) - exact[2]) <= 1e-6 * exact[2], "variant \(variant), softplus(\(x))")
        }
        #expect(worst.allSatisfy { $0 < 1e-6 }, "variant \(variant): worst errors \(worst)")
        let n = xs.count
        #expect(leaky[n - 3] == -200 && leaky[n - 2] == 1000)
        #expect(elu[n - 3] == -1 && elu[n - 2] == 1000)
        #expect(softplus[n - 3] >= 0 && softplus[n - 3] < 1e-37 && softplus[n - 2] == 1000)
        #expect(leaky[n - 1].isNaN && elu[n - 1].isNaN && softplus[n - 1].isNaN)
    }

    /// The cross-entropy from logits and from probabilities, element by element (a batch of
    /// one element, so the sum is the element's loss) and over a batch whose tail is not a
    /// whole vector, against the formulas in Double; saturated logits stay finite.
    @Test(arguments: variants) func crossEntropyMatchesDoublePrecision(variant: Int32) throws {
        func run(_ p: [Float], _ t: [Float], logits: Bool) -> (sum: Double, gradient: [Float])? {
            var gradient = [Float](repeating: .nan, count: p.count), sum: Double = .nan
            let ran = gradient.withUnsafeMutableBufferPointer { g in
                ae_binary_cross_entropy_variant(variant, p, t, p.count, logits ? 1 : 0, 0.5, g.baseAddress!, &sum)
            }
            return ran == 1 ? (sum, gradient) : nil
        }
        let logits = stride(from: Float(-30), through: 30, by: 0.01).map { $0 } + [-200, 200]
        let probabilities = stride(from: Float(0), through: 1, by: 0.0005).map { $0 } + [1e-9, 1e-6, 0.999_999]
        for (xs, fromLogits) in [(logits, true), (probabilities, false)] {
            for target: Float in [0, 0.3, 1] {
                var worstLoss: Double = 0, worstGradient: Double = 0
                for x in xs {
                    guard let (sum, gradient) = run([x], [target], logits: fromLogits) else { return }
                    let z = Double(x), y = Double(target)
                    let exactLoss: Double, exactGradient: Double
                    if fromLogits {
                        exactLoss = max(z, 0) - z * y + Foundation.log1p(Foundation.exp(-abs(z)))
                        exactGradient = 1 / (1 + Foundation.exp(-z)) - y
                    } else {
                        let q = Double(min(max(x, 1e-7), 1 - 1e-7))
                        exactLoss = -(y * Foundation.log(q) + (1 - y) * Foundation.log(1 - q))
                        exactGradient = x >= 1e-7 && x <= 1 - 1e-7 ? (q - y) / (q * (1 - q)) : 0
                    }
                    worstLoss = max(worstLoss, abs(sum - exactLoss) / max(1, abs(exactLoss)))
                    worstGradient = max(worstGradient, abs(Double(gradient[0]) - 0.5 * exactGradient) / max(1, abs(exactGradient)))
                }
                #expect(worstLoss < 2e-6, "variant \(variant), logits \(fromLogits), target \(target): loss error \(worstLoss)")
                #expect(worstGradient < 2e-6, "variant \(variant), logits \(fromLogits), target \(target): gradient error \(worstGradient)")
            }
            // NaN goes through the sum, from either form.
            if let (sum, _) = run([0.5, .nan, 0.25], [1, 0, 0], logits: fromLogits) {
                #expect(sum.isNaN, "variant \(variant), logits \(fromLogits): \(sum)")
            }
            // A batch of 37 (two whole vectors and a tail): the sum is the elements' sum.
            let batch = (0..<37).map { xs[($0 * 97) % xs.count] }, targets = (0..<37).map { Float($0 % 5) / 4 }
            guard let whole = run(batch, targets, logits: fromLogits) else { return }
            var elements: Double = 0
            for i in batch.indices { elements += run([batch[i]], [targets[i]], logits: fromLogits)!.sum }
            #expect(abs(whole.sum - elements) <= 1e-5 * max(1, abs(elements)), "variant \(variant)")
        }
    }

    @Test(arguments: variants) func adamMatchesADoublePrecisionStep(variant: Int32) throws {
        // 37 parameters: two whole vectors and a tail; gradients over six orders of magnitude.
        let count = 37
        var parameters = (0..<count).map { Float($0) * 0.05 - 1 }
        let gradients: [Float] = (0..<count).map { (i: Int) -> Float in
            let magnitude: Double = pow(10, Double(i % 6) - 4)
            return Float(i % 7 - 3) * Float(magnitude)
        }
        var m = (0..<count).map { Float($0 % 5) * 0.01 }
        var v = (0..<count).map { Float($0 % 3) * 1e-4 }
        let (p0, m0, v0) = (parameters, m, v)
        let (stepSize, beta1, beta2, epsilon): (Float, Float, Float, Float) = (0.01, 0.9, 0.999, 1e-8)
        let ran = parameters.withUnsafeMutableBufferPointer { p in
            m.withUnsafeMutableBufferPointer { mp in
                v.withUnsafeMutableBufferPointer { vp in
                    ae_adam_variant(variant, p.baseAddress!, gradients, mp.baseAddress!, vp.baseAddress!, count,
                                    stepSize, beta1, beta2, epsilon)
                }
            }
        }
        guard ran == 1 else { return }
        for i in 0..<count {
            let g = Double(gradients[i])
            let m1: Double = Double(m0[i]) + (g - Double(m0[i])) * (1 - Double(beta1))
            let v1: Double = Double(v0[i]) + (g * g - Double(v0[i])) * (1 - Double(beta2))
            let step: Double = Double(stepSize) * m1 / (v1.squareRoot() + Double(epsilon))
            let expected: Double = Double(p0[i]) - step
            // The new parameter must be right to float precision (its rounding and the step's).
            let error: Double = abs(Double(parameters[i]) - expected)
            let tolerance: Double = 1e-6 * abs(step) + 1.2e-7 * abs(expected)
            #expect(error <= tolerance, "variant \(variant), parameter \(i): \(parameters[i]) vs \(expected)")
            let momentError: Double = abs(Double(m[i]) - m1)
            #expect(momentError <= 1e-6 * abs(m1) + 1e-12)
        }
    }

    @Test(arguments: variants) func adamTakesNoStepWhenTheSquaredGradientOverflows(variant: Int32) throws {
        // g² overflows to infinity: dividing by infinity takes no step; neither may the estimate.
        var parameters: [Float] = [Float](repeating: 0.5, count: 17)
        let gradients = [Float](repeating: 1e30, count: 17)
        var m = [Float](repeating: 0, count: 17), v = [Float](repeating: 0, count: 17)
        let ran = parameters.withUnsafeMutableBufferPointer { p in
            m.withUnsafeMutableBufferPointer { mp in
                v.withUnsafeMutableBufferPointer { vp in
                    ae_adam_variant(variant, p.baseAddress!, gradients, mp.baseAddress!, vp.baseAddress!, 17, 0.01, 0.9, 0.999, 1e-8)
                }
            }
        }
        guard ran == 1 else { return }
        #expect(v.allSatisfy { $0 == .infinity })
        #expect(parameters.allSatisfy { $0.isFinite && abs($0 - 0.5) < 1e-6 }, "variant \(variant): \(parameters)")
    }
}
