import AutoencoderNetwork
import AutoencoderNumerics
import Testing

/// Finite-difference checks of every backward pass: each analytic gradient is compared
/// with central differences of the loss computed in the same `Float` arithmetic.
@Suite struct GradientCheckTests {
    /// The loss of `network` on `input` against `target`, with the network's current parameters.
    static func loss(_ network: Network, _ input: Matrix, _ target: Matrix, _ loss: any Loss) -> Double {
        let output = network.apply(input, multiplier: BuiltInMatrixMultiplier())
        return output.withView { y in target.withView { t in Double(loss(y, t, gradient: nil)) } }
    }

    /// Analytic gradients with respect to the parameters and the input, by running the layers' backward passes.
    static func analyticGradients(_ network: Network, _ input: Matrix, _ target: Matrix, _ loss: any Loss)
        -> (parameters: [Float], input: [Float])
    {
        var context = LayerContext(multiplier: BuiltInMatrixMultiplier())
        let scratch = LayerScratch(layers: network.layers, batchSize: input.rows)
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

    static func check(layers: [any Layer], loss: any Loss = MeanSquaredError(reduction: .sum), seed: UInt64 = 1) throws {
        var generator = RandomGenerator(seed: seed)
        var network = try Network(layers: layers, generator: &generator)
        // Keep pre-activations moderate so the sigmoid and tanh are not saturated.
        network.parameters = network.parameters.map { $0 * 0.5 }
        let rows = 3
        let input = Matrix(rows: rows, columns: network.inputWidth,
                           storage: (0..<(rows * network.inputWidth)).map { _ in Float(generator.nextUnitDouble()) })
        let target = Matrix(rows: rows, columns: network.outputWidth,
                            storage: (0..<(rows * network.outputWidth)).map { _ in Float(generator.nextUnitDouble()) })
        let (analytic, inputAnalytic) = analyticGradients(network, input, target, loss)
        let h: Float = 1e-2
        for i in network.parameters.indices {
            var plus = network, minus = network
            plus.parameters[i] += h
            minus.parameters[i] -= h
            let numeric = (Self.loss(plus, input, target, loss) - Self.loss(minus, input, target, loss)) / Double(2 * h)
            #expect(abs(numeric - Double(analytic[i])) <= 2e-2 * max(1, abs(numeric)),
                    "parameter \(i): numeric \(numeric), analytic \(analytic[i])")
        }
        for i in input.storage.indices {
            var plus = input, minus = input
            plus.storage[i] += h
            minus.storage[i] -= h
            let numeric = (Self.loss(network, plus, target, loss) - Self.loss(network, minus, target, loss)) / Double(2 * h)
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
}
