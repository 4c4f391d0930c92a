import AutoencoderNetwork
import AutoencoderNumerics
import Testing

/// Layers and networks are callable on a ``Matrix`` (or, for a network, one sample's
/// `[Float]`), with the same results as their passes run by hand.
@Suite struct CallableLayerTests {
    /// `y = x·Wᵀ + b`, by plain loops in `Double`: what a linear dense layer computes.
    static func affine(_ x: Matrix, weight: [Float], bias: [Float]) -> Matrix {
        var y = Matrix(rows: x.rows, columns: bias.count)
        for r in 0..<x.rows {
            for o in 0..<bias.count {
                var sum = Double(bias[o])
                for i in 0..<x.columns { sum += Double(x[r, i]) * Double(weight[o * x.columns + i]) }
                y[r, o] = Float(sum)
            }
        }
        return y
    }

    @Test func aDenseLayerAppliedToAMatrixIsItsAffineMap() {
        var generator = RandomGenerator(seed: 3)
        let x = Matrix(rows: 5, columns: 4, storage: (0..<20).map { _ in Float(generator.nextUnitDouble()) })
        let parameters = (0..<(4 * 3 + 3)).map { _ in Float(generator.nextUnitDouble() - 0.5) }
        let dense = Dense(4, 3, activation: .linear)
        let y = dense(x, parameters: parameters)
        let expected = Self.affine(x, weight: Array(parameters[0..<12]), bias: Array(parameters[12...]))
        #expect(y.rows == 5 && y.columns == 3)
        #expect(zip(y.storage, expected.storage).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test func aLayerWithoutParametersNeedsNone() {
        let x = Matrix([[-1, 0.5], [2, -3]])
        let relu = ActivationLayer(width: 2, activation: .relu)
        #expect(relu(x) == Matrix(x.storage.map { max($0, 0) }.chunked(2)))
    }

    @Test func aNetworkIsCallableOnAMatrixAndOnOneSample() throws {
        var generator = RandomGenerator(seed: 9)
        let network = try Network(layers: [Dense(4, 3, activation: .sigmoid), Dense(3, 4, activation: .linear)],
                                  generator: &generator)
        let x = Matrix(rows: 3, columns: 4, storage: (0..<12).map { Float($0) / 12 })
        // Layer by layer, each with its slice of the network's parameters.
        var expected = x
        for (index, layer) in network.layers.enumerated() {
            let slice = Array(network.parameters[network.parameterOffsets[index]..<network.parameterOffsets[index + 1]])
            expected = layer(expected, parameters: slice)
        }
        #expect(network(x) == expected)
        #expect(network(Array(x.row(1))) == Array(expected.row(1)))
    }

    /// Handing a layer the wrong number of parameters stops the program rather than reading
    /// past them (an exit test: it runs in a child process).
    @Test func theWrongParameterCountStops() async {
        await #expect(processExitsWith: .failure) {
            _ = Dense(2, 2, activation: .linear)(Matrix(rows: 1, columns: 2), parameters: [1, 2, 3])
        }
    }
}

private extension Array where Element == Float {
    /// Rows of `width` values.
    func chunked(_ width: Int) -> [[Float]] {
        stride(from: 0, to: count, by: width).map { Array(self[$0..<($0 + width)]) }
    }
}
