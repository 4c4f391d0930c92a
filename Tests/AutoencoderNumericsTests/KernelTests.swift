import AutoencoderKernels
import AutoencoderNumerics
import Foundation
import Testing

@Suite struct FastMathTests {
    static let inputs: [Float] = stride(from: Float(-87), through: 88, by: 0.0137).map { $0 }

    @Test func expMatchesFoundation() {
        let fast = FastMath.exp(Self.inputs)
        var worst: Double = 0
        for (x, y) in zip(Self.inputs, fast) {
            let exact = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(y) - exact) / exact)
        }
        #expect(worst < 1e-6, "worst relative error \(worst)")
    }

    @Test func sigmoidMatchesFoundation() {
        let xs = stride(from: Float(-30), through: 30, by: 0.001).map { $0 } + [-1000, 1000, .nan]
        let fast = FastMath.sigmoid(xs)
        var worstAbsolute: Double = 0, worstRelative: Double = 0
        for (x, y) in zip(xs, fast) where x.magnitude <= 30 {
            let exact = 1 / (1 + Foundation.exp(-Double(x)))
            worstAbsolute = max(worstAbsolute, abs(Double(y) - exact))
            worstRelative = max(worstRelative, abs(Double(y) - exact) / exact)
        }
        #expect(worstAbsolute < 1e-6)
        #expect(worstRelative < 1e-6)
        let n = fast.count
        #expect(fast[n - 3] >= 0 && fast[n - 3] < 1e-37)
        // 1 on AVX-512 (rcp14 and a Newton step); AVX2's coarser estimate and one Newton
        // step end one unit in the last place below it.
        #expect(fast[n - 2] == 1 || fast[n - 2] == 1 - Float.ulpOfOne / 2)
        #expect(fast[n - 1].isNaN)
    }

    @Test func tanhMatchesFoundation() {
        let xs = stride(from: Float(-20), through: 20, by: 0.001).map { $0 }
        var worst: Double = 0
        for (x, y) in zip(xs, FastMath.tanh(xs)) { worst = max(worst, abs(Double(y) - Foundation.tanh(Double(x)))) }
        #expect(worst < 1e-6)
    }

    @Test func oddLengthsUseTheSameArithmetic() {
        // The tail path (fewer than 16 values) must agree with the full-vector path.
        let xs: [Float] = (0..<37).map { Float($0) * 0.37 - 6 }
        let all = FastMath.sigmoid(xs)
        for length in [1, 5, 15, 16, 17, 33] {
            #expect(FastMath.sigmoid(Array(xs.prefix(length))) == Array(all.prefix(length)))
        }
    }
}

@Suite struct ElementwiseKernelTests {
    static func reference(_ f: ElementwiseKernels.Nonlinearity, _ x: Float) -> Float {
        switch f {
        case .identity: x
        case .sigmoid: Float(1 / (1 + Foundation.exp(-Double(x))))
        case .relu: max(0, x)
        case .tanh: Float(Foundation.tanh(Double(x)))
        case .leakyReLU: x < 0 ? 0.2 * x : x
        case .elu: x > 0 ? x : Float(Foundation.expm1(Double(x)))
        case .softplus: Float(Foundation.log1p(Foundation.exp(Double(x))))
        }
    }

    /// Against double precision, and bit for bit against the activation alone applied to
    /// `x + b`: narrow rows (fewer than 64 values, not a multiple of 16) go as one flat run
    /// with the bias repeated along it, wider ones row by row, and neither may change a value.
    @Test(arguments: [ElementwiseKernels.Nonlinearity.identity, .sigmoid, .relu, .tanh, .leakyReLU, .elu, .softplus],
          [1, 2, 7, 10, 16, 33, 40, 63, 257])
    func biasAndActivation(f: ElementwiseKernels.Nonlinearity, columns: Int) {
        let rows = 300  // large enough to be split over threads for wide rows
        var values = Matrix(rows: rows, columns: columns, storage: (0..<(rows * columns)).map { Float($0 % 23) * 0.3 - 3 })
        let original = values
        let bias = (0..<columns).map { Float($0 % 5) * 0.5 - 1 }
        bias.withUnsafeBufferPointer { b in
            values.withMutableView { ElementwiseKernels.addBiasAndActivate($0, bias: b.baseAddress!, f) }
        }
        let shifted = (0..<(rows * columns)).map { original.storage[$0] + bias[$0 % columns] }
        var activated = [Float](repeating: .nan, count: shifted.count)
        activated.withUnsafeMutableBufferPointer { ElementwiseKernels.activate(shifted, into: $0.baseAddress!, count: shifted.count, f) }
        #expect(values.storage.map(\.bitPattern) == activated.map(\.bitPattern))
        for r in 0..<rows {
            for c in 0..<columns {
                let expected = Self.reference(f, original[r, c] + bias[c])
                #expect(abs(values[r, c] - expected) < 1e-6 * max(1, abs(expected)))
            }
        }
    }

    /// NaN goes through every activation, as in PyTorch (ReLU included), so a NaN input
    /// cannot turn into a plausible zero.
    @Test(arguments: [ElementwiseKernels.Nonlinearity.identity, .sigmoid, .relu, .tanh, .leakyReLU, .elu, .softplus])
    func nanPropagates(f: ElementwiseKernels.Nonlinearity) {
        var values = Matrix(rows: 1, columns: 17, storage: [Float.nan] + (1..<17).map { Float($0) - 8 })
        let bias = [Float](repeating: 0, count: 17)
        bias.withUnsafeBufferPointer { b in values.withMutableView { ElementwiseKernels.addBiasAndActivate($0, bias: b.baseAddress!, f) } }
        #expect(values[0, 0].isNaN)
        #expect((1..<17).allSatisfy { values[0, $0].isFinite })
    }

    @Test func derivativeUsesTheOutput() {
        let y: [Float] = [0.1, 0.5, 0.9, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8]
        var g = [Float](repeating: 2, count: y.count)
        g.withUnsafeMutableBufferPointer { gp in
            y.withUnsafeBufferPointer { ElementwiseKernels.multiplyByDerivative(gp.baseAddress!, output: $0.baseAddress!, count: y.count, .sigmoid) }
        }
        for i in y.indices { #expect(abs(g[i] - 2 * y[i] * (1 - y[i])) < 1e-7) }
    }

    /// Rows narrower than 64 values take a flat pass and then the sums (reading a row's last
    /// vector whole where 16 values remain), wider ones one pass by blocks of columns; both
    /// give the two passes' bits.
    @Test(arguments: [ElementwiseKernels.Nonlinearity.identity, .sigmoid, .relu, .tanh, .leakyReLU, .elu, .softplus],
          [1, 2, 7, 10, 16, 32, 33, 48, 63, 100, 257, 784])
    func derivativeAndRowSumsInOnePassMatchTwoPasses(f: ElementwiseKernels.Nonlinearity, columns: Int) {
        // 300 rows: wide enough shapes are split over the threads by columns.
        let rows = 300
        let output = Matrix(rows: rows, columns: columns, storage: (0..<(rows * columns)).map { Float(($0 * 37) % 101) / 101 - 0.2 })
        let gradient = Matrix(rows: rows, columns: columns, storage: (0..<(rows * columns)).map { Float(($0 * 53) % 97) * 0.01 - 0.45 })
        var twoPasses = gradient, onePass = gradient
        var sumsTwo = [Float](repeating: .nan, count: columns), sumsOne = [Float](repeating: .nan, count: columns)
        output.withView { y in
            twoPasses.withMutableView { g in
                ElementwiseKernels.multiplyByDerivative(g.base, output: y.base, count: g.count, f)
                sumsTwo.withUnsafeMutableBufferPointer { ElementwiseKernels.sumRows(g.view, into: $0.baseAddress!) }
            }
            onePass.withMutableView { g in
                sumsOne.withUnsafeMutableBufferPointer {
                    ElementwiseKernels.multiplyByDerivativeAndSumRows(g, output: y, f, into: $0.baseAddress!)
                }
            }
        }
        #expect(onePass == twoPasses)
        #expect(sumsOne == sumsTwo)
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

    // The three passes below split over the cores for large inputs; their results must not
    // depend on that split.

    @Test(arguments: [257, 784])
    func rowSumsOfABatchLargeEnoughToSplit(columns: Int) {
        let rows = 256
        let m = Matrix(rows: rows, columns: columns,
                       storage: (0..<(rows * columns)).map { Float(($0 * 7919) % 1000) / 1000 - 0.5 })
        var sums = [Float](repeating: .nan, count: columns)
        sums.withUnsafeMutableBufferPointer { s in m.withView { ElementwiseKernels.sumRows($0, into: s.baseAddress!) } }
        for c in 0..<columns {
            var expected: Float = 0   // the kernel adds each column's rows in order, in Float
            for r in 0..<rows { expected += m[r, c] }
            #expect(sums[c] == expected)
        }
    }

    @Test func squaredErrorOfALargeBatchEqualsItsBlocksAddedInOrder() {
        let count = 256 * 784 + 5   // 49 blocks of 4096 and a partial one
        let p = (0..<count).map { Float(($0 * 7919) % 1000) / 1000 }
        let t = (0..<count).map { Float(($0 * 104_729) % 1000) / 1000 }
        var g = [Float](repeating: .nan, count: count)
        let whole = g.withUnsafeMutableBufferPointer { gp in
            ElementwiseKernels.squaredErrorAndGradient(prediction: p, target: t, count: count, scale: 0.5,
                                                       gradient: gp.baseAddress!)
        }
        // Each 4096-element block alone runs on one thread; adding their sums in order is
        // what the serial kernel does, so the split result must equal it bit for bit.
        var blocks = 0.0
        p.withUnsafeBufferPointer { pp in
            t.withUnsafeBufferPointer { tp in
                for start in stride(from: 0, to: count, by: 4096) {
                    blocks += ElementwiseKernels.squaredErrorAndGradient(
                        prediction: pp.baseAddress! + start, target: tp.baseAddress! + start,
                        count: min(4096, count - start), scale: 0.5, gradient: nil)
                }
            }
        }
        #expect(whole == blocks)
        #expect(g.indices.allSatisfy { g[$0] == 0.5 * (p[$0] - t[$0]) })
    }

    @Test(arguments: [0, 100_000, 200_703])
    func oneNonFiniteValueAnywhereInALargeArrayIsFound(position: Int) {
        var values = [Float](repeating: 0.25, count: 200_704)
        #expect(ElementwiseKernels.allFinite(values, count: values.count))
        values[position] = .nan
        #expect(!ElementwiseKernels.allFinite(values, count: values.count))
        values[position] = -.infinity
        #expect(!ElementwiseKernels.allFinite(values, count: values.count))
    }
}
