import AutoencoderKernels
import AutoencoderNetwork
import AutoencoderNumerics
import Testing

/// `[2, 5, 7]` for `SampleShape([2, 5, 7])`, in these tests.
extension SampleShape: ExpressibleByArrayLiteral {
    public init(arrayLiteral dimensions: Int...) {
        self.init(dimensions)
    }
}

/// The convolutional layers' passes: finite-difference gradient checks on odd shapes
/// (stride 2, valid and same padding, non-square maps, batch 1) and values computed with
/// numpy.
@Suite struct ConvolutionTests {
    /// `((k · multiplier) mod modulus − offset) / divisor` for k = 0 ..< count: the
    /// deterministic values the numpy references use (`vals` in their code).
    static func values(_ count: Int, _ multiplier: Int, _ modulus: Int, _ offset: Int, _ divisor: Float) -> [Float] {
        (0..<count).map { Float(($0 * multiplier) % modulus - offset) / divisor }
    }

    /// Runs one layer's forward pass on `input` (`rows` samples), then its backward pass
    /// with `outputGradient`, with the layer's scratch memory as the trainer gives it.
    static func run(_ layer: any Layer, parameters: [Float], input: [Float], rows: Int, outputGradient: [Float],
                    multiplier: any MatrixMultiplier = BuiltInMatrixMultiplier())
        -> (output: [Float], parameterGradients: [Float], inputGradient: [Float])
    {
        precondition(parameters.count == layer.parameterCount && input.count == rows * layer.inputWidth
                     && outputGradient.count == rows * layer.outputWidth)
        var context = LayerContext(multiplier: multiplier)
        let scratch = LayerScratch(layers: [layer], batchSize: rows)
        context.scratch = scratch.buffers[0]
        let x = Matrix(rows: rows, columns: layer.inputWidth, storage: input)
        var y = Matrix(rows: rows, columns: layer.outputWidth)
        var g = Matrix(rows: rows, columns: layer.outputWidth, storage: outputGradient)
        var gx = Matrix(rows: rows, columns: layer.inputWidth, repeating: .nan)
        var gp = [Float](repeating: .nan, count: max(parameters.count, 1))
        (parameters + [0]).withUnsafeBufferPointer { p in   // never empty, so never without an address
            let p = p.baseAddress!
            x.withView { x in
                y.withMutableView { layer.forward(x, parameters: p, into: $0, context: &context) }
                y.withView { y in
                    g.withMutableView { g in
                        gx.withMutableView { gx in
                            gp.withUnsafeMutableBufferPointer { gp in
                                layer.backward(input: x, output: y, outputGradient: g, parameters: p,
                                               parameterGradients: gp.baseAddress!, inputGradient: gx,
                                               context: &context)
                            }
                        }
                    }
                }
            }
        }
        return (y.storage, Array(gp.prefix(parameters.count)), gx.storage)
    }

    /// ``run(_:parameters:input:rows:outputGradient:multiplier:)`` on the tests' usual
    /// deterministic parameters (divided by `parameterDivisor`), input and output gradient.
    static func runOnTestValues(_ layer: any Layer, rows: Int, parameterDivisor: Float, _ multiplier: any MatrixMultiplier)
        -> (output: [Float], parameterGradients: [Float], inputGradient: [Float])
    {
        run(layer, parameters: values(layer.parameterCount, 37, 23, 11, parameterDivisor),
            input: values(rows * layer.inputWidth, 13, 17, 8, 9), rows: rows,
            outputGradient: values(rows * layer.outputWidth, 7, 11, 5, 5), multiplier: multiplier)
    }

    static func expectClose(_ actual: [Float], _ expected: [Float], tolerance: Float = 1e-5, _ what: String,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.count == expected.count, "\(what): \(actual.count) values, expected \(expected.count)",
                sourceLocation: sourceLocation)
        for (index, (a, e)) in zip(actual, expected).enumerated() where !(abs(a - e) <= tolerance * max(1, abs(e))) {
            Issue.record("\(what)[\(index)]: \(a), expected \(e)", sourceLocation: sourceLocation)
        }
    }

    /// Central differences of the summed squared error against the layers' backward passes,
    /// for `rows` samples of `input` (random in 0 ..< 1 when `nil`).
    static func check(layers: [any Layer], rows: Int, input: [Float]? = nil, seed: UInt64 = 7) throws {
        var generator = RandomGenerator(seed: seed)
        var network = try Network(layers: layers, generator: &generator)
        network.parameters = network.parameters.map { $0 * 0.5 }
        let loss = MeanSquaredError(reduction: .sum)
        let x = Matrix(rows: rows, columns: network.inputWidth,
                       storage: input ?? (0..<(rows * network.inputWidth)).map { _ in Float(generator.nextUnitDouble()) })
        let target = Matrix(rows: rows, columns: network.outputWidth,
                            storage: (0..<(rows * network.outputWidth)).map { _ in Float(generator.nextUnitDouble()) })
        let (analytic, inputAnalytic) = GradientCheckTests.analyticGradients(network, x, target, loss)
        let h: Float = 1e-2
        for i in network.parameters.indices {
            var plus = network, minus = network
            plus.parameters[i] += h
            minus.parameters[i] -= h
            let numeric = (GradientCheckTests.loss(plus, x, target, loss) - GradientCheckTests.loss(minus, x, target, loss))
                / Double(2 * h)
            #expect(abs(numeric - Double(analytic[i])) <= 2e-2 * max(1, abs(numeric)),
                    "parameter \(i): numeric \(numeric), analytic \(analytic[i])")
        }
        for i in x.storage.indices {
            var plus = x, minus = x
            plus.storage[i] += h
            minus.storage[i] -= h
            let numeric = (GradientCheckTests.loss(network, plus, target, loss)
                - GradientCheckTests.loss(network, minus, target, loss)) / Double(2 * h)
            #expect(abs(numeric - Double(inputAnalytic[i])) <= 2e-2 * max(1, abs(numeric)),
                    "input \(i): numeric \(numeric), analytic \(inputAnalytic[i])")
        }
    }

    // MARK: Finite differences

    @Test func conv2DValidStride2NonSquare() throws {
        try GradientCheckTests.check(layers: [
            Conv2D(input: [2, 5, 7], filters: 3, kernelSize: PairOfSizes(3, 2), strides: PairOfSizes(2),
                   activation: .tanh, weightInitializer: .normal, biasInitializer: .normal),
        ])
    }

    @Test func conv2DSameStride2AsymmetricPadding() throws {
        // Height: 3 outputs, 3 rows of padding, 1 above and 2 below; width: 7 outputs, 1 column right.
        let layer = Conv2D(input: [2, 5, 7], filters: 2, kernelSize: PairOfSizes(4, 2), strides: PairOfSizes(2, 1),
                           padding: .same, activation: .sigmoid, weightInitializer: .normal, biasInitializer: .normal)
        #expect(layer.outputShape == [2, 3, 7])
        try GradientCheckTests.check(layers: [layer])
    }

    @Test(arguments: [Activation.linear, .sigmoid, .tanh])
    func conv2DSameBatchOfOne(activation: Activation) throws {
        try Self.check(layers: [
            Conv2D(input: [1, 4, 6], filters: 3, kernelSize: PairOfSizes(3), padding: .same, activation: activation,
                   weightInitializer: .normal, biasInitializer: .normal),
        ], rows: 1)
    }

    @Test func conv2DOneByOneUsesItsInput() throws {
        let layer = Conv2D(input: [3, 2, 5], filters: 2, kernelSize: PairOfSizes(1), weightInitializer: .normal,
                           biasInitializer: .normal)
        // Its scratch memory holds partial gradients but no unfolded columns.
        let wide = Conv2D(input: [3, 20, 20], filters: 2, kernelSize: PairOfSizes(1))
        #expect(wide.scratchCount(batchSize: 10) < wide.inputWidth)
        try GradientCheckTests.check(layers: [layer])
    }

    @Test func conv2DTransposeSameStride2() throws {
        let layer = Conv2DTranspose(input: [2, 3, 4], filters: 2, kernelSize: PairOfSizes(3), strides: PairOfSizes(2),
                                    padding: .same, activation: .tanh, weightInitializer: .normal,
                                    biasInitializer: .normal)
        #expect(layer.outputShape == [2, 6, 8])
        try GradientCheckTests.check(layers: [layer])
    }

    @Test func conv2DTransposeValidNonSquareKernelShorterThanStride() throws {
        // Height (3 - 1)·2 + 3 = 7; width 4·3 + max(1 - 3, 0) = 12, as Keras.
        let layer = Conv2DTranspose(input: [2, 3, 4], filters: 3, kernelSize: PairOfSizes(3, 1),
                                    strides: PairOfSizes(2, 3), activation: .sigmoid, weightInitializer: .normal,
                                    biasInitializer: .normal)
        #expect(layer.outputShape == [3, 7, 12])
        try GradientCheckTests.check(layers: [layer])
    }

    @Test func conv2DTransposeBatchOfOneAndOneByOne() throws {
        try Self.check(layers: [
            Conv2DTranspose(input: [2, 3, 5], filters: 2, kernelSize: PairOfSizes(2, 3), strides: PairOfSizes(1, 2),
                            padding: .same, activation: .linear, weightInitializer: .normal, biasInitializer: .normal),
        ], rows: 1)
        let oneByOne = Conv2DTranspose(input: [3, 2, 2], filters: 2, kernelSize: PairOfSizes(1),
                                       weightInitializer: .normal, biasInitializer: .normal)
        #expect(oneByOne.scratchCount(batchSize: 4) == 0)
        try GradientCheckTests.check(layers: [oneByOne])
    }

    @Test(arguments: [(PairOfSizes(2), Padding.valid, 1), (PairOfSizes(3), .same, 2), (PairOfSizes(2, 3), .same, 3)])
    func maxPooling(poolSize: PairOfSizes, padding: Padding, rows: Int) throws {
        // Values 0.1 apart in a shuffled order, so a step of 0.01 never changes a window's maximum.
        let layer = MaxPooling2D(input: [2, 5, 7], poolSize: poolSize, strides: PairOfSizes(2), padding: padding)
        var generator = RandomGenerator(seed: 3)
        var input = (0..<(rows * layer.inputWidth)).map { Float($0) * 0.1 }
        for i in input.indices.reversed() { input.swapAt(i, Int(generator.nextUnitDouble() * Double(i + 1))) }
        try Self.check(layers: [layer], rows: rows, input: input)
    }

    @Test func upsamplingFlattenAndReshapeInAChain() throws {
        try GradientCheckTests.check(layers: [
            Reshape(input: [30], target: [2, 3, 5]),
            Conv2D(input: [2, 3, 5], filters: 2, kernelSize: PairOfSizes(2), padding: .same, activation: .tanh,
                   weightInitializer: .normal, biasInitializer: .normal),
            UpSampling2D(input: [2, 3, 5], size: PairOfSizes(2, 3)),
            Conv2D(input: [2, 6, 15], filters: 1, kernelSize: PairOfSizes(3), strides: PairOfSizes(2),
                   activation: .sigmoid, weightInitializer: .normal, biasInitializer: .normal),
            Flatten(input: [1, 2, 7]),
            Dense(14, 3, activation: .linear, weightInitializer: .normal, biasInitializer: .normal),
        ])
    }

    @Test func upsamplingBatchOfOne() throws {
        try Self.check(layers: [UpSampling2D(input: [2, 3, 2], size: PairOfSizes(3, 2))], rows: 1)
    }

    // MARK: numpy references

    /// numpy: `x = vals(2·2·5·6, 7, 17, 8, 8)` as [2, 2, 5, 6], `w = vals(3·2·3·2, 5, 11,
    /// 5, 10)` as [3, 2, 3, 2], `b[f] = 0.1·f − 0.1`; `y[n, f, oh, ow] = b[f] + Σ w[f] ·
    /// x[n, :, 2oh : 2oh+3, 2ow : 2ow+2]`; with `g = vals(y.size, 3, 7, 3, 4)`,
    /// `dw[f] += g[n, f, oh, ow] · window`, `dx[n, :, window] += g[n, f, oh, ow] · w[f]`,
    /// `db = g.sum((0, 2, 3))`.
    @Test func conv2DStride2ValidMatchesNumpy() {
        let layer = Conv2D(input: [2, 5, 6], filters: 3, kernelSize: PairOfSizes(3, 2), strides: PairOfSizes(2))
        #expect(layer.outputShape == [3, 2, 3])
        let parameters = Self.values(36, 5, 11, 5, 10) + [-0.1, 0, 0.1]
        let result = Self.run(layer, parameters: parameters, input: Self.values(120, 7, 17, 8, 8), rows: 2,
                              outputGradient: Self.values(36, 3, 7, 3, 4))
        let output: [Float] = [0.5625, -0.3125, -0.7625, -0.4375, -0.25, -0.4875, 0.05, 0.05, -0.8, 0.05, 0.05, -0.8, 0.0875, 0.9625, -0.2875, 1.0875, 0.9, -0.5625, -1.0375, -0.425, 0.825, -0.7625, 0.7, 0.8875, 0.2625, 0.2625, 0.05, -0.8, 0.05, 0.05, -0.225, -0.8375, -0.175, -0.2875, -0.05, -0.2375]
        let weightGradient: [Float] = [0.53125, 0, 1.0625, -1.0625, -1.0625, -1.0625, -1.0625, -1.0625, -1.0625, 0, -1.0625, -1.0625, 0.0625, -0.6875, -1.78125, 0.65625, 0.625, 0.40625, 0.40625, 0.71875, 0.6875, 0.46875, 0.96875, 0.75, 1.125, 0.15625, 0.625, 0.1875, 0.125, -0.3125, -0.3125, 0.3125, 0.25, -1.25, -2.90625, 0.375]
        let biasGradient: [Float] = [0, -0.25, -0.5]
        let inputGradient: [Float] = [0.125, 0.175, 0.125, -0.4, -0.75, 0.075, -0.6, 0.275, 0.175, -0.35, 0.075, 0.075, -0.375, 0.75, 0.35, -0.5, 0.2, 0.35, -0.2, 0.325, 0.575, -0.3, -0.4, 0.3, -0.25, 0.275, 0.475, -0.4, -0.375, 0.325, -0.4, 0.475, 0.275, -0.25, 0.075, 0.075, -0.3, 0.575, 0.325, -0.2, 0.075, 0.075, -0.5, 0.35, 0.75, -0.375, -0.275, -0.4, -0.35, 0.175, 0.275, -0.6, -0.325, 0.375, -0.4, 0.125, 0.175, 0.125, -0.3, 0.125, 0.125, -0.2, 0.125, 0.275, 0.125, -0.3, 0.575, -0.3, -0.4, 0.3, 0.375, -0.325, 0.6, -0.225, -0.25, -0.075, -0.4, -0.275, -0.6, 0.275, 0.175, -0.35, 0.075, 0.075, -0.5, 0.375, 0.225, -0.3, 0.075, 0.075, 0.375, -0.5, -0.35, 0.35, 0.325, -0.375, 0.275, -0.6, -0.325, 0.375, 0.3, -0.4, -0.225, 0.6, -0.025, -0.125, 0.35, 0.2, -0.3, 0.575, 0.325, -0.2, 0.075, 0.075, -0.2, 0.125, 0.375, 0.125, 0.075, -0.75]
        Self.expectClose(result.output, output, "output")
        Self.expectClose(result.parameterGradients, weightGradient + biasGradient, "parameter gradient")
        Self.expectClose(result.inputGradient, inputGradient, "input gradient")
    }

    /// numpy, TensorFlow's 'same' padding: `x = vals(2·5·5, 7, 17, 8, 8)` as [1, 2, 5, 5],
    /// `w = vals(2·2·4·2, 5, 11, 5, 10)` as [2, 2, 4, 2], `b[f] = 0.1·f − 0.1`; out =
    /// ⌈in / stride⌉, total padding `max((out − 1)·s + k − in, 0)`, half (rounded down) before:
    /// `xp = np.pad(x, ((0, 0), (0, 0), (1, 2), (0, 1)))`, then the valid convolution of
    /// `xp` with strides (2, 1) and its gradients as above, `dx = dxp[:, :, 1:6, 0:5]`.
    @Test func conv2DSameAsymmetricPaddingMatchesNumpy() {
        let layer = Conv2D(input: [2, 5, 5], filters: 2, kernelSize: PairOfSizes(4, 2), strides: PairOfSizes(2, 1),
                           padding: .same)
        #expect(layer.outputShape == [2, 3, 5])
        let parameters = Self.values(32, 5, 11, 5, 10) + [-0.1, 0]
        let result = Self.run(layer, parameters: parameters, input: Self.values(50, 7, 17, 8, 8), rows: 1,
                              outputGradient: Self.values(30, 3, 7, 3, 4))
        let output: [Float] = [-0.8625, -0.8375, 1.3125, -2.275, 0.6625, -0.475, 0.85, -0.5875, -0.325, 0.3, -0.9125, 0.6, -0.65, 0.65, -0.25, 0.1625, 1.2875, -2.05, 1.2, -0.7, -0.075, 1.4875, -0.9875, 1.85, -2.225, 0.1875, 0.2875, -0.0375, 1.125, -1.0375]
        let weightGradient: [Float] = [0.34375, 0.1875, 1.84375, -0.3125, 3.34375, -0.6875, 3.34375, -0.84375, 1.3125, -1.5, 1.375, -2.15625, -0.90625, -0.9375, -0.90625, -1.09375, -1.21875, -0.25, -2, 0.59375, -1.28125, 2.375, -1.21875, 2.53125, -1, 1.1875, -0.9375, 1.0625, 1.15625, -1.09375, 1.21875, -0.9375]
        let biasGradient: [Float] = [-0.75, 0]
        let inputGradient: [Float] = [-0.375, -0.15, 0.6, -0.4, 0.525, -0.1, -0.05, 0.625, -0.625, 0.4, -0.55, 0.3, -0.2, -0.7, 1.075, -0.275, 0.525, -0.375, -0.05, 0.625, -0.55, 1.125, -0.775, 0.3, -0.2, -0.075, 0.675, -0.175, -0.15, -0.125, 0.025, -0.3, -0.475, 1.275, -0.475, 0.125, -0.225, -0.475, 1.2, -0.625, 0.275, -0.65, 0.225, -0.3, -0.475, 0.275, -0.6, 0.375, -0.225, -0.475]
        Self.expectClose(result.output, output, "output")
        Self.expectClose(result.parameterGradients, weightGradient + biasGradient, "parameter gradient")
        Self.expectClose(result.inputGradient, inputGradient, "input gradient")
    }

    /// numpy: `x = vals(2·2·3, 7, 17, 8, 8)` as [1, 2, 2, 3], `w = vals(2·2·3·3, 5, 11, 5,
    /// 10)` as [in 2, out 2, 3, 3] (PyTorch's `ConvTranspose2d` layout), `b[f] = 0.1·f −
    /// 0.1`; `full[n, :, 2h : 2h+3, 2v : 2v+3] += x[n, c, h, v] · w[c]` (full 5×7), `y =
    /// full[:, :, 0:4, 0:6] + b` (TensorFlow crops P = k − s = 1: none on top, one below);
    /// with `g = vals(y.size, 3, 7, 3, 4)` placed back into a zero `gfull`,
    /// `dw[c] += x[n, c, h, v] · gfull[window]`, `dx[n, c, h, v] = Σ gfull[window] · w[c]`.
    @Test func conv2DTransposeStride2SameMatchesNumpy() {
        let layer = Conv2DTranspose(input: [2, 2, 3], filters: 2, kernelSize: PairOfSizes(3), strides: PairOfSizes(2),
                                    padding: .same)
        #expect(layer.outputShape == [2, 4, 6])
        #expect(layer.parameterShapes == [ParameterShape(name: "weight", shape: [2, 2, 3, 3]),
                                          ParameterShape(name: "bias", shape: [2])])
        let parameters = Self.values(36, 5, 11, 5, 10) + [-0.1, 0]
        let result = Self.run(layer, parameters: parameters, input: Self.values(12, 7, 17, 8, 8), rows: 1,
                              outputGradient: Self.values(48, 3, 7, 3, 4))
        let output: [Float] = [0.4, -0.1, -0.8, 0.075, -0.775, -0.175, 0, -0.5, 0.2, -0.5875, -0.1875, 0.3875, -0.3, 0.3, -0.3125, -0.3, 1.15, -0.2625, 0, -0.55, -0.1125, 0.425, -0.075, -0.5125, 0.4, -0.1, 0.375, 0.25, -0.425, -0.0375, 0, -0.5, 0.275, -0.4125, 0.025, 0.525, -0.3, 0.3, -0.6875, -0.1625, 1.25, -0.2, 0.1, -0.45, -0.05, 0.4875, -0.0875, -0.4875]
        let weightGradient: [Float] = [0.34375, -0.25, -0.15625, -0.59375, 0.34375, -0.09375, 1.15625, -0.4375, 0.65625, 0.09375, -0.9375, 0.53125, -0.40625, 0.09375, -0.71875, -0.34375, -0.625, 0.3125, 0.875, 0.0625, -0.5, 0.15625, 0.875, -0.09375, -0.9375, 0.09375, 0.65625, -0.03125, 0.25, -0.40625, -0.53125, -0.03125, 0.21875, -0.03125, 0.34375, -0.4375]
        let biasGradient: [Float] = [0, -0.25]
        let inputGradient: [Float] = [0.05, 0.125, -0.05, -0.3, 0.65, -0.1, 0.275, -0.325, 0.625, 1.025, 0.975, -0.175]
        Self.expectClose(result.output, output, "output")
        Self.expectClose(result.parameterGradients, weightGradient + biasGradient, "parameter gradient")
        Self.expectClose(result.inputGradient, inputGradient, "input gradient")
    }

    /// numpy: `x[k] = (5k) mod 13` as [1, 2, 5, 7] (ties in the 3×3 windows); each window
    /// `x[n, c, max(r0, 0) : r0+k, max(c0, 0) : c0+k]` with `r0 = oh·s − top`, its maximum
    /// and `np.argmax` (the first maximum) receiving `g = vals(y.size, 3, 7, 3, 4)`.
    @Test func maxPoolingMatchesNumpy() {
        let input = (0..<70).map { Float(($0 * 5) % 13) }
        let same = MaxPooling2D(input: [2, 5, 7], poolSize: PairOfSizes(3), strides: PairOfSizes(2), padding: .same)
        #expect(same.outputShape == [2, 3, 4])
        let sameResult = Self.run(same, parameters: [], input: input, rows: 1, outputGradient: Self.values(24, 3, 7, 3, 4))
        Self.expectClose(sameResult.output, [9, 11, 12, 12, 10, 11, 12, 9, 10, 12, 12, 9, 11, 12, 9, 10, 12, 12, 10, 11, 12, 12, 10, 11], "same output")
        Self.expectClose(sameResult.inputGradient, [0, 0, 0, 0, 0, 0.5, 0, -0.75, 0, 0, -0.5, 0, 0, 0, 0, 0.5, 0, 0, 0.25, 0, -0.75, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0, 0.5, 0, 0, -0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, -0.75, 0, 0, 0, 0, 0, 0, 0, 0.5, 0, 0, 0.25, 0, 0, 0, 0, 0.25, 0, 0, 0, 0, 0, 0, 0], "same input gradient")
        let valid = MaxPooling2D(input: [2, 5, 7])
        #expect(valid.outputShape == [2, 2, 3])
        let validResult = Self.run(valid, parameters: [], input: input, rows: 1, outputGradient: Self.values(12, 3, 7, 3, 4))
        Self.expectClose(validResult.output, [9, 11, 12, 10, 11, 12, 11, 12, 9, 12, 9, 10], "valid output")
        Self.expectClose(validResult.inputGradient, [0, 0, 0, 0, 0, 0.75, 0, -0.75, 0, 0, 0, 0, 0, 0, 0, -0.25, 0, 0, -0.5, 0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.25, 0, 0, 0, 0, 0, 0, 0, -0.75, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0, 0, 0.75, 0, -0.25, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "valid input gradient")
    }

    @Test func maxPoolingGivesATieToItsFirstMaximum() {
        let layer = MaxPooling2D(input: [1, 2, 4])
        let result = Self.run(layer, parameters: [], input: [1, 1, 2, 3, 1, 1, 3, 2], rows: 1, outputGradient: [5, 7])
        #expect(result.output == [1, 3])
        #expect(result.inputGradient == [5, 0, 0, 7, 0, 0, 0, 0])
    }

    @Test func maxPoolingGivesANaNWindowToItsFirstNaN() {
        let layer = MaxPooling2D(input: [1, 2, 4])
        let result = Self.run(layer, parameters: [], input: [1, .nan, 2, 3, .nan, 5, 3, 2], rows: 1,
                              outputGradient: [5, 7])
        #expect(result.output[0].isNaN && result.output[1] == 3)
        #expect(result.inputGradient == [0, 5, 0, 7, 0, 0, 0, 0])
    }

    /// Rows of many 2×2 windows (the vectorised loops' whole vectors) give each window's
    /// maximum and its gradient to the first maximum, as a plain loop does: ties everywhere
    /// (values from a small range), a NaN in each corner of a window in some rows (which then
    /// go the slow way: the first NaN wins), planes the windows tile exactly, and planes with
    /// a row and a column left over (dropped, or with same padding in cut windows).
    @Test(arguments: [(8, 70, Padding.valid), (9, 71, .valid), (9, 71, .same)])
    func wideMaxPoolingMatchesAPlainLoop(height: Int, width: Int, padding: Padding) {
        let channels = 3
        let layer = MaxPooling2D(input: [channels, height, width], padding: padding)
        let (outHeight, outWidth) = padding == .same ? ((height + 1) / 2, (width + 1) / 2) : (height / 2, width / 2)
        #expect(layer.outputShape == [channels, outHeight, outWidth])
        var input = Self.values(channels * height * width, 7, 5, 0, 1)
        let nans = [(0, 2, 10), (0, 4, 21), (1, 3, 40), (2, 7, 63)]   // (plane, row, column): a, b, c and d
        for (c, y, x) in nans { input[(c * height + y) * width + x] = .nan }
        let gradient = Self.values(channels * outHeight * outWidth, 3, 7, 3, 4)
        let result = Self.run(layer, parameters: [], input: input, rows: 1, outputGradient: gradient)
        var output = [Float](), inputGradient = [Float](repeating: 0, count: input.count)
        for c in 0..<channels {
            for oh in 0..<outHeight {
                for ow in 0..<outWidth {
                    var at = -1
                    for y in 2 * oh..<min(2 * oh + 2, height) {
                        for x in 2 * ow..<min(2 * ow + 2, width) {
                            let index = (c * height + y) * width + x
                            if at < 0 || (!input[at].isNaN && (input[index].isNaN || input[index] > input[at])) {
                                at = index
                            }
                        }
                    }
                    output.append(input[at])
                    inputGradient[at] += gradient[(c * outHeight + oh) * outWidth + ow]
                }
            }
        }
        #expect(result.output.map(\.bitPattern) == output.map(\.bitPattern))
        #expect(result.inputGradient == inputGradient)
        #expect(output.filter(\.isNaN).count == nans.count)
    }

    @Test func upsamplingCopiesAndSums() {
        let layer = UpSampling2D(input: [1, 1, 2], size: PairOfSizes(2, 3))
        let result = Self.run(layer, parameters: [], input: [1, 2], rows: 1,
                              outputGradient: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
        #expect(result.output == [1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2])
        #expect(result.inputGradient == [30, 48])   // 1 + 2 + 3 + 7 + 8 + 9, 4 + 5 + 6 + 10 + 11 + 12
    }

    /// A batch gives each sample's output and input gradient as that sample alone, and the
    /// sum of its parameter gradients, with one sample's columns as scratch memory.
    @Test(arguments: [false, true])
    func batchMatchesOneSampleAtATime(transposed: Bool) {
        let layer: any Layer = transposed
            ? Conv2DTranspose(input: [5, 24, 24], filters: 16, kernelSize: PairOfSizes(3), padding: .same,
                              activation: .tanh)
            : Conv2D(input: [16, 24, 24], filters: 5, kernelSize: PairOfSizes(3), padding: .same, activation: .tanh)
        // Conv2D keeps a partial weight gradient per chunk of the batch as well.
        #expect(transposed ? layer.scratchCount(batchSize: 7) == 144 * 576 : layer.scratchCount(batchSize: 7) > 144 * 576)
        let rows = 7
        let parameters = Self.values(layer.parameterCount, 37, 23, 11, 60)
        let input = Self.values(rows * layer.inputWidth, 13, 17, 8, 9)
        let outputGradient = Self.values(rows * layer.outputWidth, 7, 11, 5, 5)
        let whole = Self.run(layer, parameters: parameters, input: input, rows: rows, outputGradient: outputGradient)
        var parameterGradients = [Float](repeating: 0, count: parameters.count)
        for sample in 0..<rows {
            let alone = Self.run(
                layer, parameters: parameters,
                input: Array(input[sample * layer.inputWidth..<(sample + 1) * layer.inputWidth]), rows: 1,
                outputGradient: Array(outputGradient[sample * layer.outputWidth..<(sample + 1) * layer.outputWidth]))
            Self.expectClose(Array(whole.output[sample * layer.outputWidth..<(sample + 1) * layer.outputWidth]),
                             alone.output, "output of sample \(sample)")
            Self.expectClose(Array(whole.inputGradient[sample * layer.inputWidth..<(sample + 1) * layer.inputWidth]),
                             alone.inputGradient, "input gradient of sample \(sample)")
            for index in parameterGradients.indices { parameterGradients[index] += alone.parameterGradients[index] }
        }
        Self.expectClose(whole.parameterGradients, parameterGradients, tolerance: 1e-4, "parameter gradients")
    }

    /// The built-in multiplier's C path (the batch split over the cores in chunks) gives
    /// the same bits on one thread as on several, and agrees with one product per sample
    /// through another multiplier.
    @Test(arguments: [(PairOfSizes(1), 1, Padding.valid), (PairOfSizes(3), 1, .same), (PairOfSizes(3), 2, .same)])
    func splitBatchMatchesOneThreadAndPerSampleProducts(kernel: PairOfSizes, stride: Int, padding: Padding) {
        let layer = Conv2D(input: [6, 20, 18], filters: 7, kernelSize: kernel, strides: PairOfSizes(stride),
                           padding: padding, activation: .relu)
        func run(_ multiplier: any MatrixMultiplier) -> (output: [Float], parameterGradients: [Float], inputGradient: [Float]) {
            Self.runOnTestValues(layer, rows: 11, parameterDivisor: 60, multiplier)
        }
        let one = run(BuiltInMatrixMultiplier(maximumThreads: 1))
        let three = run(BuiltInMatrixMultiplier(maximumThreads: 3))
        #expect(one.output == three.output)
        #expect(one.parameterGradients == three.parameterGradients)
        #expect(one.inputGradient == three.inputGradient)
        let perSample = run(PerProductMultiplier())
        Self.expectClose(one.output, perSample.output, "output")
        Self.expectClose(one.inputGradient, perSample.inputGradient, "input gradient")
        Self.expectClose(one.parameterGradients, perSample.parameterGradients, tolerance: 1e-4, "parameter gradients")
    }

    /// A one-filter stride-1 convolution (computed directly, without unfolding) agrees with
    /// the first filter of a two-filter one (unfolded and multiplied): small images (one
    /// partial strip of 32 columns), wide ones (several strips, whole vectors in the middle,
    /// an odd number of rows), a 5-wide window (wider than the vectorised weight gradient
    /// takes) and windows larger than the image.
    @Test(arguments: [
        ([3, 6, 7], PairOfSizes(3, 2), Padding.valid), ([3, 6, 7], PairOfSizes(3, 2), .same),
        ([4, 9, 37], PairOfSizes(3), .same), ([2, 12, 70], PairOfSizes(3), .valid),
        ([2, 11, 40], PairOfSizes(5), .same), ([3, 7, 28], PairOfSizes(1, 3), .same),
        ([2, 3, 3], PairOfSizes(5, 4), .same),
    ])
    func directConvolutionMatchesUnfolded(input shape: [Int], kernel: PairOfSizes, padding: Padding) {
        let rows = 3
        let direct = Conv2D(input: SampleShape(shape), filters: 1, kernelSize: kernel, padding: padding, activation: .sigmoid)
        let unfolded = Conv2D(input: SampleShape(shape), filters: 2, kernelSize: kernel, padding: padding, activation: .sigmoid)
        #expect(direct.scratchCount(batchSize: rows) == 0 && unfolded.scratchCount(batchSize: rows) > 0)
        let taps = shape[0] * kernel.height * kernel.width
        let weights = Self.values(2 * taps, 37, 23, 11, 20), bias: [Float] = [0.25, -0.5]
        let input = Self.values(rows * direct.inputWidth, 13, 17, 8, 9)
        let plane = direct.outputWidth
        let gradient = Self.values(rows * plane, 7, 11, 5, 5)
        var twoFilterGradient = [Float]()
        for sample in 0..<rows {
            twoFilterGradient += gradient[sample * plane..<(sample + 1) * plane] + [Float](repeating: 0, count: plane)
        }
        let one = Self.run(direct, parameters: Array(weights[0..<taps]) + [bias[0]], input: input, rows: rows,
                           outputGradient: gradient)
        let two = Self.run(unfolded, parameters: weights + bias, input: input, rows: rows,
                           outputGradient: twoFilterGradient)
        var firstChannel = [Float]()
        for sample in 0..<rows { firstChannel += two.output[2 * sample * plane..<(2 * sample + 1) * plane] }
        Self.expectClose(one.output, firstChannel, "output")
        Self.expectClose(one.inputGradient, two.inputGradient, tolerance: 1e-4, "input gradient")
        Self.expectClose(one.parameterGradients, Array(two.parameterGradients[0..<taps]) + [two.parameterGradients[2 * taps]],
                         tolerance: 1e-4, "parameter gradients")
    }

    /// With the AVX2 kernel (and the AVX-512 one), a stride-1 convolution reads shifted rows
    /// of its padded planes instead of unfolding them: the forward pass gives the same bits
    /// as multiplying each sample's unfolded columns with that kernel, and the gradients
    /// agree with those products and with the portable kernel's. The shapes cover an odd number of filters (a
    /// half-used tile), taps that do not fill the weight gradient's tiles, planes of several
    /// tiles and of less than one, windows wider than high, as large as the image and larger,
    /// and a one-row image; 37 samples make chunks of 4 and 5, whose weight gradients add
    /// groups of up to 5 samples at once (and a last, smaller group).
    @Test(arguments: [
        ([3, 9, 50], 5, PairOfSizes(3), Padding.same), ([2, 6, 7], 3, PairOfSizes(3, 2), .valid),
        ([4, 5, 5], 2, PairOfSizes(5), .same), ([1, 1, 9], 4, PairOfSizes(1, 3), .same),
        ([2, 3, 3], 2, PairOfSizes(5, 4), .same), ([6, 20, 18], 7, PairOfSizes(3), .valid),
        ([1, 28, 28], 16, PairOfSizes(3), .same),
    ])
    func shiftedPlanesMatchUnfoldedColumns(input shape: [Int], filters: Int, kernel: PairOfSizes, padding: Padding) throws {
        let avx2 = try #require(BuiltInMatrixMultiplier(kernel: .avx2FMA, maximumThreads: 2),
                                "the AVX2 kernel is the one that reads shifted planes")
        let portable = try #require(BuiltInMatrixMultiplier(kernel: .portable, maximumThreads: 2))
        let layer = Conv2D(input: SampleShape(shape), filters: filters, kernelSize: kernel, padding: padding,
                           activation: .tanh)
        func run(_ multiplier: any MatrixMultiplier) -> (output: [Float], parameterGradients: [Float], inputGradient: [Float]) {
            Self.runOnTestValues(layer, rows: 37, parameterDivisor: 40, multiplier)
        }
        let shifted = run(avx2)
        let perSample = run(PerProductMultiplier(builtIn: BuiltInMatrixMultiplier(kernel: .avx2FMA, maximumThreads: 1)!))
        let unfolded = run(portable)
        #expect(shifted.output == perSample.output)
        Self.expectClose(shifted.inputGradient, perSample.inputGradient, tolerance: 1e-4, "input gradient")
        Self.expectClose(shifted.parameterGradients, perSample.parameterGradients, tolerance: 1e-4, "parameter gradients")
        Self.expectClose(shifted.output, unfolded.output, "output (portable)")
        Self.expectClose(shifted.inputGradient, unfolded.inputGradient, tolerance: 1e-4, "input gradient (portable)")
        Self.expectClose(shifted.parameterGradients, unfolded.parameterGradients, tolerance: 1e-4,
                         "parameter gradients (portable)")
    }

    /// Chunks of one row (each reusing the layers' scratch memory) give the whole batch's values.
    @Test func applyInChunksMatchesOneBatch() throws {
        var generator = RandomGenerator(seed: 11)
        let network = try Network(layers: [
            Conv2D(input: [1, 6, 5], filters: 4, kernelSize: PairOfSizes(3), strides: PairOfSizes(2), padding: .same,
                   activation: .relu, biasInitializer: .normal),
            Conv2DTranspose(input: [4, 3, 3], filters: 2, kernelSize: PairOfSizes(3), strides: PairOfSizes(2),
                            activation: .sigmoid),
            MaxPooling2D(input: [2, 7, 7], padding: .same),
        ], generator: &generator)
        let input = Matrix(rows: 5, columns: 30, storage: (0..<150).map { _ in Float(generator.nextUnitDouble()) })
        let whole = network.apply(input, multiplier: BuiltInMatrixMultiplier())
        let chunked = network.apply(input, chunkSize: 1, multiplier: BuiltInMatrixMultiplier())
        #expect(whole.columns == 2 * 4 * 4)
        #expect(whole == chunked)
    }

    @Test func summariesAndParameterShapes() {
        let conv = Conv2D(input: [1, 28, 28], filters: 16, kernelSize: PairOfSizes(3), padding: .same, activation: .relu)
        #expect(conv.summary == "Conv2D(1x28x28 → 16x28x28, 3x3, same, relu)")
        #expect(conv.parameterShapes == [ParameterShape(name: "weight", shape: [16, 1, 3, 3]),
                                         ParameterShape(name: "bias", shape: [16])])
        let strided = Conv2D(input: [16, 28, 28], filters: 8, kernelSize: PairOfSizes(3, 5), strides: PairOfSizes(2))
        #expect(strided.summary == "Conv2D(16x28x28 → 8x13x12, 3x5, stride 2, valid, linear)")
        let transpose = Conv2DTranspose(input: [16, 7, 7], filters: 8, kernelSize: PairOfSizes(3),
                                        strides: PairOfSizes(2), padding: .same, activation: .relu)
        #expect(transpose.summary == "Conv2DTranspose(16x7x7 → 8x14x14, 3x3, stride 2, same, relu)")
        #expect(transpose.parameterShapes == [ParameterShape(name: "weight", shape: [16, 8, 3, 3]),
                                              ParameterShape(name: "bias", shape: [8])])
        #expect(MaxPooling2D(input: [16, 28, 28]).summary == "MaxPooling2D(16x28x28 → 16x14x14, 2x2)")
        #expect(UpSampling2D(input: [16, 7, 7]).summary == "UpSampling2D(16x7x7 → 16x14x14, 2x2)")
        #expect(Flatten(input: [16, 7, 7]).summary == "Flatten(16x7x7 → 784)")
        #expect(Reshape(input: [784], target: [1, 28, 28]).summary == "Reshape(784 → 1x28x28)")
    }
}

/// The built-in multiplier behind another type, so that a layer takes its path for other
/// backends (one product at a time).
private struct PerProductMultiplier: MatrixMultiplier {
    var builtIn = BuiltInMatrixMultiplier(maximumThreads: 1)
    var name: String { "per product" }

    func multiply(_ transposeA: Transpose, _ transposeB: Transpose, alpha: Float, a: MatrixView, b: MatrixView,
                  beta: Float, c: MutableMatrixView) {
        builtIn.multiply(transposeA, transposeB, alpha: alpha, a: a, b: b, beta: beta, c: c)
    }
}
