import AutoencoderNumerics
import Foundation
import Testing

@Suite struct FastMathTests {
    @Test func expMatchesFoundation() {
        var worst: Double = 0
        var x: Float = -87
        while x <= 88 {
            let fast = Double(FastMath.exp(x)), exact = Foundation.exp(Double(x))
            worst = max(worst, abs(fast - exact) / exact)
            x += 0.0137
        }
        #expect(worst < 1e-6, "worst relative error \(worst)")
    }

    @Test func sigmoidMatchesFoundation() {
        var worstAbsolute: Double = 0, worstRelative: Double = 0
        var x: Float = -30
        while x <= 30 {
            let fast = Double(FastMath.sigmoid(x)), exact = 1 / (1 + Foundation.exp(-Double(x)))
            worstAbsolute = max(worstAbsolute, abs(fast - exact))
            worstRelative = max(worstRelative, abs(fast - exact) / exact)
            x += 0.001
        }
        #expect(worstAbsolute < 1e-6)
        #expect(worstRelative < 1e-6)
        #expect(FastMath.sigmoid(-1000) >= 0 && FastMath.sigmoid(-1000) < 1e-37)
        #expect(FastMath.sigmoid(1000) == 1)
    }

    @Test func tanhMatchesFoundation() {
        var worst: Double = 0
        var x: Float = -20
        while x <= 20 {
            worst = max(worst, abs(Double(FastMath.tanh(x)) - Foundation.tanh(Double(x))))
            x += 0.001
        }
        #expect(worst < 1e-6)
    }
}

@Suite struct ElementwiseKernelTests {
    static func reference(_ f: ElementwiseKernels.Nonlinearity, _ x: Float) -> Float {
        switch f {
        case .identity: x
        case .sigmoid: Float(1 / (1 + Foundation.exp(-Double(x))))
        case .relu: max(0, x)
        case .tanh: Float(Foundation.tanh(Double(x)))
        }
    }

    @Test(arguments: [ElementwiseKernels.Nonlinearity.identity, .sigmoid, .relu, .tanh], [1, 7, 33, 257])
    func biasAndActivation(f: ElementwiseKernels.Nonlinearity, columns: Int) {
        let rows = 300  // large enough to be split over threads for wide rows
        var values = Matrix(rows: rows, columns: columns, storage: (0..<(rows * columns)).map { Float($0 % 23) * 0.3 - 3 })
        let original = values
        let bias = (0..<columns).map { Float($0 % 5) * 0.5 - 1 }
        bias.withUnsafeBufferPointer { b in
            values.withMutableView { ElementwiseKernels.addBiasAndActivate($0, bias: b.baseAddress!, f) }
        }
        for r in 0..<rows {
            for c in 0..<columns {
                #expect(abs(values[r, c] - Self.reference(f, original[r, c] + bias[c])) < 1e-6)
            }
        }
    }

    @Test func derivativeUsesTheOutput() {
        let y: [Float] = [0.1, 0.5, 0.9, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8]
        var g = [Float](repeating: 2, count: y.count)
        g.withUnsafeMutableBufferPointer { gp in
            y.withUnsafeBufferPointer { ElementwiseKernels.multiplyByDerivative(gp.baseAddress!, output: $0.baseAddress!, count: y.count, .sigmoid) }
        }
        for i in y.indices { #expect(abs(g[i] - 2 * y[i] * (1 - y[i])) < 1e-7) }
    }

    @Test func rowSums() {
        let m = Matrix([[1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 20, 30, 40, 50, 60, 70, 80, 90]])
        var sums = [Float](repeating: -1, count: 9)
        sums.withUnsafeMutableBufferPointer { s in m.withView { ElementwiseKernels.sumRows($0, into: s.baseAddress!) } }
        #expect(sums == [11, 22, 33, 44, 55, 66, 77, 88, 99])
    }

    @Test func squaredErrorAndFiniteness() {
        let p: [Float] = (0..<10_001).map { Float($0 % 3) }
        let t = [Float](repeating: 1, count: p.count)
        var g = [Float](repeating: 0, count: p.count)
        let sum = g.withUnsafeMutableBufferPointer { gp in
            ElementwiseKernels.squaredErrorAndGradient(prediction: p, target: t, count: p.count, scale: 2, gradient: gp.baseAddress!)
        }
        #expect(sum == Double(p.filter { $0 != 1 }.count))
        #expect(g[0] == -2 && g[1] == 0 && g[2] == 2)
        #expect(ElementwiseKernels.allFinite(p, count: p.count))
        var bad = p
        bad[10_000] = .infinity
        #expect(!ElementwiseKernels.allFinite(bad, count: bad.count))
        bad[10_000] = 0
        bad[5] = .nan
        #expect(!ElementwiseKernels.allFinite(bad, count: bad.count))
    }
}
