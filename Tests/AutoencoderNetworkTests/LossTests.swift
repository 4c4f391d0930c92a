import AutoencoderNetwork
import AutoencoderNumerics
import Testing

/// Binary cross-entropy and the absolute error against values computed with numpy
/// (float64 arithmetic on the float32 inputs, probabilities clipped to
/// [float32(1e-7), 1 − float32(1e-7)] as Keras does), for every reduction.
@Suite struct LossTests {
    static let prediction = Matrix([[0.1, 0.9, 0.5], [0.999, 0.0, 0.3]])
    static let target = Matrix([[0.0, 1.0, 0.25], [1.0, 0.5, 0.8]])
    static let logits = Matrix([[-3.0, 0.5, 2.0], [100.0, -100.0, 0.0]])

    // numpy: the sum of the element losses, and the element gradients of that sum.
    static let bceSum = 9.998429811070352
    static let bceGradient: [Double] = [1.1111111129507607, -1.1111111405455043, 1.0,
                                        -1.0010009881006101, 0.0, -2.380952326889214]
    static let logitsSum = 52.84273952735677
    static let logitsGradient: [Double] = [0.04742587317756678, -0.3775406687981454, 0.6307970779778823,
                                           0.0, -0.5, -0.30000001192092896]
    static let maeSum = 1.4510000124573708
    static let maeGradient: [Double] = [1, -1, 1, -1, -1, -1]

    /// The factor numpy's sums are divided by for `reduction` on 2 × 3 values.
    static func divisor(_ reduction: Reduction) -> Double {
        switch reduction {
        case .mean: 6
        case .sum: 1
        case .sumPerSample: 2
        }
    }

    static func evaluate(_ loss: any Loss, _ prediction: Matrix, _ target: Matrix) -> (Float, [Float]) {
        var gradient = Matrix(rows: prediction.rows, columns: prediction.columns, repeating: .nan)
        let value = prediction.withView { p in
            target.withView { t in gradient.withMutableView { loss(p, t, gradient: $0) } }
        }
        return (value, gradient.storage)
    }

    static func expectClose(_ loss: any Loss, _ prediction: Matrix, sum: Double, gradient: [Double], reduction: Reduction) {
        let (value, g) = evaluate(loss, prediction, target)
        let expected = sum / divisor(reduction)
        #expect(abs(Double(value) - expected) <= 1e-6 * max(1, abs(expected)), "\(reduction): \(value) vs \(expected)")
        for (i, (actual, reference)) in zip(g, gradient).enumerated() {
            let expected = reference / divisor(reduction)
            #expect(abs(Double(actual) - expected) <= 1e-6 * max(1, abs(expected)), "\(reduction) gradient \(i): \(actual) vs \(expected)")
        }
    }

    @Test(arguments: Reduction.allCases)
    func binaryCrossEntropyFromProbabilitiesMatchesNumpy(reduction: Reduction) {
        Self.expectClose(BinaryCrossEntropy(fromLogits: false, reduction: reduction), Self.prediction,
                         sum: Self.bceSum, gradient: Self.bceGradient, reduction: reduction)
    }

    @Test(arguments: Reduction.allCases)
    func binaryCrossEntropyFromLogitsMatchesNumpy(reduction: Reduction) {
        Self.expectClose(BinaryCrossEntropy(fromLogits: true, reduction: reduction), Self.logits,
                         sum: Self.logitsSum, gradient: Self.logitsGradient, reduction: reduction)
    }

    @Test(arguments: Reduction.allCases)
    func meanAbsoluteErrorMatchesNumpy(reduction: Reduction) {
        Self.expectClose(MeanAbsoluteError(reduction: reduction), Self.prediction,
                         sum: Self.maeSum, gradient: Self.maeGradient, reduction: reduction)
    }

    /// Every reduction of the squared error: the sum over the elements divided by the
    /// element count, 1, or the row count, and its gradient `2(p − t)` likewise.
    @Test(arguments: Reduction.allCases)
    func squaredErrorReductions(reduction: Reduction) {
        let differences: [Double] = [0.1, -0.1, 0.25, -0.001, -0.5, -0.5]
        let sum = differences.reduce(0) { $0 + $1 * $1 }
        Self.expectClose(MeanSquaredError(reduction: reduction), Self.prediction, sum: sum,
                         gradient: differences.map { 2 * $0 }, reduction: reduction)
    }

    /// The absolute error's gradient is 0 where prediction and target are equal.
    @Test func meanAbsoluteErrorHasNoGradientAtZero() {
        let (value, gradient) = Self.evaluate(MeanAbsoluteError(reduction: .sum), Matrix([[0.5, 2, -1]]), Matrix([[0.5, 1, 1]]))
        #expect(value == 3)
        #expect(gradient == [0, 1, -1])
    }

    /// From logits of ±100 the loss and its gradient stay finite and right (σ(z) − t),
    /// where the probability form, fed the saturated sigmoid (exactly 0 or 1 in Float),
    /// hits its clamp: a large loss and no gradient.
    @Test func logitsOfAHundredStayFinite() {
        let z = Matrix([[100, -100, 100, -100]]), t = Matrix([[1, 0, 0, 1]])
        let (value, gradient) = Self.evaluate(BinaryCrossEntropy(fromLogits: true, reduction: .sum), z, t)
        #expect(value.isFinite && abs(value - 200) < 1e-4)
        // σ(−100) − 0 is 3.7e-44; σ(100) is 1 or, through AVX2's refined reciprocal
        // estimate, the Float just below it.
        #expect(zip(gradient, [0, 0, 1, -1] as [Float]).allSatisfy { abs($0 - $1) <= 6e-8 })
        let saturated = Matrix([[1, 0, 1, 0]])   // the sigmoid of z in Float
        let (clamped, none) = Self.evaluate(BinaryCrossEntropy(fromLogits: false, reduction: .sum), saturated, t)
        #expect(clamped.isFinite && clamped > 30 && clamped < 33)   // 2 · −log(1.19e-7), not 200
        #expect(none == [0, 0, 0, 0])
    }

    /// Clamped probabilities still give a finite loss for predictions exactly 0 and 1.
    @Test func probabilitiesZeroAndOneAreClamped() {
        let (value, _) = Self.evaluate(BinaryCrossEntropy(), Matrix([[0, 1]]), Matrix([[1, 0]]))
        #expect(value.isFinite && value > 15 && value < 16.5)   // −log(1e-7) ≈ 16.1, −log(1.19e-7) ≈ 15.9
    }

    @Test func emptyBatchesHaveNoLoss() {
        let empty = Matrix(rows: 0, columns: 3)
        for loss in [BinaryCrossEntropy(fromLogits: true) as any Loss, BinaryCrossEntropy(), MeanAbsoluteError()] {
            #expect(Self.evaluate(loss, empty, empty).0 == 0)
        }
    }

    @Test func logitsActivation() {
        #expect(BinaryCrossEntropy(fromLogits: true).logitsActivation == .sigmoid)
        #expect(BinaryCrossEntropy(fromLogits: false).logitsActivation == nil)
        #expect(MeanSquaredError().logitsActivation == nil)
        #expect(MeanAbsoluteError().logitsActivation == nil)
    }

    @Test func reductionNamesAndScales() {
        #expect(Reduction.allCases.map(\.rawValue) == ["mean", "sum", "sum_per_sample"])
        #expect(Reduction.mean.scale(rows: 4, columns: 5) == 1 / Float(20))
        #expect(Reduction.sum.scale(rows: 4, columns: 5) == 1)
        #expect(Reduction.sumPerSample.scale(rows: 4, columns: 5) == 1 / Float(4))
    }
}
