import AutoencoderNetwork
import AutoencoderNumerics
import Foundation
import Testing

/// Every activation of a convolution is applied: its output is the linear convolution's
/// with the activation's formula applied (leaky ReLU, ELU and softplus were once left out,
/// so that such a Conv2D or Conv2DTranspose computed a linear layer).
@Suite struct ConvolutionActivationTests {
    static func reference(_ activation: Activation, _ x: Float) -> Float {
        let x = Double(x)
        let y: Double = switch activation {
        case .linear: x
        case .sigmoid: 1 / (1 + exp(-x))
        case .relu: max(x, 0)
        case .tanh: tanh(x)
        case .leakyReLU: x < 0 ? 0.2 * x : x
        case .elu: x > 0 ? x : expm1(x)
        case .softplus: log1p(exp(x))
        }
        return Float(y)
    }

    static func layers(_ activation: Activation) -> [any Layer] {
        [Conv2D(input: [2, 5, 6], filters: 3, kernelSize: PairOfSizes(3), strides: PairOfSizes(2), padding: .same,
                activation: activation),
         Conv2DTranspose(input: [2, 5, 6], filters: 3, kernelSize: PairOfSizes(3), strides: PairOfSizes(2),
                         padding: .same, activation: activation),
         // One filter at stride 1: the direct (not unfolded) path.
         Conv2D(input: [2, 5, 6], filters: 1, kernelSize: PairOfSizes(3), padding: .same, activation: activation)]
    }

    @Test(arguments: Activation.allCases) func appliesTheActivation(_ activation: Activation) {
        for (layer, linear) in zip(Self.layers(activation), Self.layers(.linear)) {
            let parameters = ConvolutionTests.values(layer.parameterCount, 7, 23, 11, 10)
            let input = ConvolutionTests.values(2 * layer.inputWidth, 5, 17, 8, 8)
            let gradient = [Float](repeating: 0, count: 2 * layer.outputWidth)
            let output = ConvolutionTests.run(layer, parameters: parameters, input: input, rows: 2, outputGradient: gradient).output
            let before = ConvolutionTests.run(linear, parameters: parameters, input: input, rows: 2, outputGradient: gradient).output
            #expect(before.contains { $0 < -1 } && before.contains { $0 > 1 })
            ConvolutionTests.expectClose(output, before.map { Self.reference(activation, $0) }, "\(layer.summary)")
        }
    }
}
