import AutoencoderKernels
import AutoencoderNetwork
import AutoencoderNumerics
import Testing

/// Finite-difference checks of every backward pass: each analytic gradient is compared
/// with central differences of the loss computed in the same `Float` arithmetic.
@Suite struct GradientCheckTests {
    /// How the checked passes run: inference or training, and the seed of the generator
    /// every evaluation starts from (so a sampling layer draws the same noise in each).
    struct Mode {
        var isTraining = false
        var noiseSeed: UInt64 = 7

        func context() -> LayerContext {
            LayerContext(multiplier: BuiltInMatrixMultiplier(), generator: RandomGenerator(seed: noiseSeed),
                         isTraining: isTraining)
        }
    }

    /// Runs the layers' forward passes: every layer's input and the last output, and the
    /// terms the layers added to the loss.
    static func forward(_ network: Network, _ input: Matrix, scratch: LayerScratch,
                        context: inout LayerContext) -> [Matrix] {
        var activations = [input]
        for (index, layer) in network.layers.enumerated() {
            context.scratch = scratch.buffers[index]
            var output = Matrix(rows: input.rows, columns: layer.outputWidth)
            activations[index].withView { x in
                output.withMutableView { y in
                    network.parameters.withUnsafeBufferPointer { p in
                        layer.forward(x, parameters: p.baseAddress! + network.parameterOffsets[index],
                                      into: y, context: &context)
                    }
                }
            }
            activations.append(output)
        }
        return activations
    }

    /// The loss of `network` on `input` against `target`, with the network's current
    /// parameters, plus the terms its layers add (``LayerContext/addedLoss``).
    static func loss(_ network: Network, _ input: Matrix, _ target: Matrix, _ loss: any Loss,
                     mode: Mode = Mode()) -> Double {
        var context = mode.context()
        let scratch = LayerScratch(layers: network.layers, batchSize: input.rows)
        let output = forward(network, input, scratch: scratch, context: &context).last!
        return output.withView { y in target.withView { t in Double(loss(y, t, gradient: nil)) } } + context.addedLoss
    }

    /// Analytic gradients with respect to the parameters and the input, by running the layers' backward passes.
    static func analyticGradients(_ network: Network, _ input: Matrix, _ target: Matrix, _ loss: any Loss,
                                  mode: Mode = Mode()) -> (parameters: [Float], input: [Float]) {
        var context = mode.context()
        let scratch = LayerScratch(layers: network.layers, batchSize: input.rows)
        let activations = forward(network, input, scratch: scratch, context: &context)
        var gradient = Matrix(rows: input.rows, columns: network.outputWidth)
        activations.last!.withView { y in
            target.withView { t in gradient.withMutableView { g in _ = loss(y, t, gradient: g) } }
        }
        var parameterGradients = [Float](repeating: 0, count: network.parameterCount)
        for index in network.layers.indices.reversed() {
            let layer = network.layers[index]
            context.scratch = scratch.buffers[index]
            var inputGradient = Matrix(rows: input.rows, columns: layer.inputWidth)
            activations[index].withView { x in
                activations[index + 1].withView { y in
                    gradient.withMutableView { g in
                        inputGradient.withMutableView { gx in
                            network.parameters.withUnsafeBufferPointer { p in
                                parameterGradients.withUnsafeMutableBufferPointer { pg in
                                    layer.backward(
                                        input: x, output: y, outputGradient: g,
                                        parameters: p.baseAddress! + network.parameterOffsets[index],
                                        parameterGradients: pg.baseAddress! + network.parameterOffsets[index],
                                        inputGradient: gx, context: &context)
                                }
                            }
                        }
                    }
                }
            }
            gradient = inputGradient
        }
        return (parameterGradients, gradient.storage)
    }

    static func check(layers: [any Layer], loss: any Loss = MeanSquaredError(reduction: .sum), seed: UInt64 = 1,
                      mode: Mode = Mode()) throws {
        var generator = RandomGenerator(seed: seed)
        var network = try Network(layers: layers, generator: &generator)
        // Keep pre-activations moderate so the sigmoid and tanh are not saturated.
        network.parameters = network.parameters.map { $0 * 0.5 }
        let rows = 3
        let input = Matrix(rows: rows, columns: network.inputWidth,
                           storage: (0..<(rows * network.inputWidth)).map { _ in Float(generator.nextUnitDouble()) })
        let target = Matrix(rows: rows, columns: network.outputWidth,
                            storage: (0..<(rows * network.outputWidth)).map { _ in Float(generator.nextUnitDouble()) })
        let (analytic, inputAnalytic) = analyticGradients(network, input, target, loss, mode: mode)
        let h: Float = 1e-2
        for i in network.parameters.indices {
            var plus = network, minus = network
            plus.parameters[i] += h
            minus.parameters[i] -= h
            let numeric = (Self.loss(plus, input, target, loss, mode: mode) - Self.loss(minus, input, target, loss, mode: mode)) / Double(2 * h)
            #expect(abs(numeric - Double(analytic[i])) <= 2e-2 * max(1, abs(numeric)),
                    "parameter \(i): numeric \(numeric), analytic \(analytic[i])")
        }
        for i in input.storage.indices {
            var plus = input, minus = input
            plus.storage[i] += h
            minus.storage[i] -= h
            let numeric = (Self.loss(network, plus, target, loss, mode: mode) - Self.loss(network, minus, target, loss, mode: mode)) / Double(2 * h)
            #expect(abs(numeric - Double(inputAnalytic[i])) <= 2e-2 * max(1, abs(numeric)),
                    "input \(i): numeric \(numeric), analytic \(inputAnalytic[i])")
        }
    }

    @Test(arguments: Activation.allCases)
    func denseLayer(activation: Activation) throws {
        try Self.check(layers: [Dense(5, 11, activation: activation, weightInitializer: .normal, biasInitializer: .normal)])
    }

    @Test func stackedLayersWithLinearCode() throws {
        try Self.check(layers: [
            Dense(9, 4, activation: .sigmoid, weightInitializer: .normal, biasInitializer: .normal),
            Dense(4, 2, activation: .linear, weightInitializer: .truncatedNormal, biasInitializer: .normal),
            Dense(2, 4, activation: .tanh, weightInitializer: .normal, biasInitializer: .normal),
            Dense(4, 9, activation: .sigmoid, weightInitializer: .glorotUniform, biasInitializer: .normal),
        ])
    }

    @Test func meanReductionScalesTheGradient() throws {
        try Self.check(layers: [Dense(6, 17, activation: .sigmoid, weightInitializer: .normal, biasInitializer: .normal)],
                       loss: MeanSquaredError(reduction: .mean))
    }

    /// Every reduction of the squared error scales its gradient as it scales its value.
    @Test(arguments: Reduction.allCases)
    func squaredErrorReductions(reduction: Reduction) throws {
        try Self.check(layers: [Dense(6, 5, activation: .sigmoid, weightInitializer: .normal, biasInitializer: .normal)],
                       loss: MeanSquaredError(reduction: reduction))
    }

    /// Binary cross-entropy on probabilities (after a sigmoid), with every reduction.
    @Test(arguments: Reduction.allCases)
    func binaryCrossEntropyFromProbabilities(reduction: Reduction) throws {
        try Self.check(layers: [Dense(6, 5, activation: .sigmoid, weightInitializer: .normal, biasInitializer: .normal)],
                       loss: BinaryCrossEntropy(fromLogits: false, reduction: reduction))
    }

    /// Binary cross-entropy on logits (a linear output), with every reduction.
    @Test(arguments: Reduction.allCases)
    func binaryCrossEntropyFromLogits(reduction: Reduction) throws {
        try Self.check(layers: [Dense(6, 5, activation: .linear, weightInitializer: .normal, biasInitializer: .normal)],
                       loss: BinaryCrossEntropy(fromLogits: true, reduction: reduction))
    }

    /// A standalone activation layer after a linear dense layer, for every activation.
    @Test(arguments: Activation.allCases)
    func activationLayer(activation: Activation) throws {
        try Self.check(layers: [Dense(5, 7, activation: .linear, weightInitializer: .normal, biasInitializer: .normal),
                                ActivationLayer(width: 7, activation: activation)])
    }

    /// The activity penalty's gradient, with the penalty in the checked loss (the inputs
    /// of the penalty keep away from 0, where |y| has its kink).
    @Test(arguments: [(Float(0.3), Float(0)), (0, 0.7), (0.25, 0.5)])
    func activityRegularization(l1: Float, l2: Float) throws {
        try Self.check(layers: [Dense(4, 6, activation: .sigmoid, weightInitializer: .normal, biasInitializer: .normal),
                                ActivityRegularization(width: 6, l1: l1, l2: l2),
                                Dense(6, 3, activation: .linear, weightInitializer: .normal, biasInitializer: .normal)])
    }

    /// The sampling layer in training, with the same noise in every evaluation: the
    /// reparameterisation gradient and the KL term's, for β = 1 and β = 0.5, with a
    /// sum-per-sample reconstruction loss as a variational autoencoder's.
    @Test(arguments: [Float(1), 0.5])
    func samplingInTraining(klWeight: Float) throws {
        try Self.check(layers: [Dense(5, 6, activation: .linear, weightInitializer: .normal, biasInitializer: .normal),
                                Sampling(codeWidth: 3, klWeight: klWeight),
                                Dense(3, 5, activation: .sigmoid, weightInitializer: .normal, biasInitializer: .normal)],
                       loss: BinaryCrossEntropy(reduction: .sumPerSample), mode: Mode(isTraining: true))
    }

    /// The sampling layer at inference: the code is the mean, the log-variances get no gradient.
    @Test func samplingAtInference() throws {
        try Self.check(layers: [Dense(5, 6, activation: .linear, weightInitializer: .normal, biasInitializer: .normal),
                                Sampling(codeWidth: 3),
                                Dense(3, 5, activation: .sigmoid, weightInitializer: .normal, biasInitializer: .normal)])
    }
}
