import AutoencoderKernels
import AutoencoderNetwork
import AutoencoderNumerics
import Foundation
import Testing

/// A JSON decoder as model descriptions are read: snake-case keys.
func descriptionDecoder() -> JSONDecoder {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return decoder
}

/// The new activations' names and ranges, and the standalone activation layer.
@Suite struct ActivationLayerTests {
    @Test func activationNamesAreKeras() {
        #expect(Activation.allCases.map(\.rawValue) == ["sigmoid", "linear", "relu", "tanh", "leaky_relu", "elu", "softplus"])
        #expect(Activation(rawValue: "leaky_relu") == .leakyReLU)
    }

    @Test func ranges() {
        #expect(Activation.leakyReLU.range == -Float.infinity...Float.infinity)
        #expect(Activation.elu.range == -1...Float.infinity)
        #expect(Activation.softplus.range == 0...Float.infinity)
    }

    /// Values of the new activations at a few points, against their definitions in Double.
    @Test func newActivationValues() {
        let xs: [Float] = [-30, -3, -0.5, 0, 0.25, 2, 30]
        let layerOf = { (activation: Activation) -> [Float] in
            var output = Matrix(rows: 1, columns: xs.count)
            var context = LayerContext()
            Matrix([xs]).withView { x in
                output.withMutableView { y in
                    ActivationLayer(width: xs.count, activation: activation)
                        .forward(x, parameters: UnsafePointer(bitPattern: 8)!, into: y, context: &context)
                }
            }
            return output.storage
        }
        let cases: [(Activation, (Double) -> Double)] = [
            (.leakyReLU, { $0 < 0 ? 0.2 * $0 : $0 }),
            (.elu, { $0 > 0 ? $0 : Foundation.expm1($0) }),
            (.softplus, { Foundation.log1p(Foundation.exp($0)) }),
        ]
        for (activation, reference) in cases {
            for (x, y) in zip(xs, layerOf(activation)) {
                let expected = reference(Double(x))
                #expect(abs(Double(y) - expected) <= 1e-6 * max(1, abs(expected)), "\(activation)(\(x)) = \(y), not \(expected)")
            }
        }
    }

    /// The layer computes exactly what a dense layer's own activation computes.
    @Test(arguments: Activation.allCases)
    func sameAsADenseLayersActivation(activation: Activation) throws {
        var generator = RandomGenerator(seed: 3)
        let dense = try Network(layers: [Dense(4, 9, activation: activation, weightInitializer: .normal, biasInitializer: .normal)],
                                generator: &generator)
        let split = try Network(layers: [Dense(4, 9, activation: .linear), ActivationLayer(width: 9, activation: activation)],
                                parameters: dense.parameters)
        let input = Matrix(rows: 5, columns: 4, storage: (0..<20).map { Float($0 % 7) - 3 })
        let multiplier = BuiltInMatrixMultiplier()
        #expect(dense.apply(input, multiplier: multiplier) == split.apply(input, multiplier: multiplier))
        #expect(split.layers[1].elementwiseActivation == activation)
        #expect(split.layers[1].parameterCount == 0)
    }

    @Test func specification() throws {
        let spec = try descriptionDecoder().decode(ActivationLayer.Specification.self, from: Data(#"{"kind": "Activation", "activation": "elu"}"#.utf8))
        #expect(spec.activation == .elu)
        #expect(spec.moduleCount == 1)
        #expect(try spec.outputShape(for: .image(channels: 2, height: 3, width: 4)) == .image(channels: 2, height: 3, width: 4))
        let layer = try #require(spec.makeLayer(for: .image(channels: 2, height: 3, width: 4)) as? ActivationLayer)
        #expect(layer == ActivationLayer(width: 24, activation: .elu))
        #expect(ActivationLayer.Specification.kind == "Activation")
    }

    @Test func specificationRefusesUnknownFieldsAndNames() {
        #expect(throws: LayerFieldError(field: "alpha", reason: "is not a field of Activation")) {
            try descriptionDecoder().decode(ActivationLayer.Specification.self, from: Data(#"{"activation": "elu", "alpha": 2}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try descriptionDecoder().decode(ActivationLayer.Specification.self, from: Data(#"{"activation": "swish"}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try descriptionDecoder().decode(ActivationLayer.Specification.self, from: Data(#"{}"#.utf8))
        }
    }
}
