import AutoencoderKernels
import AutoencoderNumerics

/// The nonlinearity a layer applies to its output.
public enum Activation: String, Sendable, CaseIterable, Codable {
    /// `1 / (1 + e^-x)`: the tutorial's activation for every layer.
    case sigmoid
    /// `x`: no nonlinearity, as for the 2-D code layer of the tutorial's second model.
    case linear
    /// `max(0, x)`.
    case relu
    /// `tanh x`.
    case tanh
    /// `x < 0 ? 0.2·x : x`: Keras 3's `leaky_relu`, with its default negative slope 0.2.
    /// (PyTorch's `nn.LeakyReLU` defaults to 0.01; descriptions use Keras's names, so they
    /// get Keras's slope. An exported PyTorch model must say `negative_slope=0.2`.)
    case leakyReLU = "leaky_relu"
    /// `x > 0 ? x : eˣ − 1`: the exponential linear unit with α = 1, smooth below zero.
    case elu
    /// `log(1 + eˣ)`: a smooth ReLU whose derivative is the sigmoid.
    case softplus

    /// The values the activation can take: `0...1` for sigmoid, `-1...1` for tanh, `0...` for
    /// ReLU and softplus, `-1...` for ELU, every number for linear and leaky ReLU (infinite bounds).
    public var range: ClosedRange<Float> {
        switch self {
        case .sigmoid: 0...1
        case .linear: -Float.infinity...Float.infinity
        case .relu: 0...Float.infinity
        case .tanh: -1...1
        case .leakyReLU: -Float.infinity...Float.infinity
        case .elu: -1...Float.infinity
        case .softplus: 0...Float.infinity
        }
    }

    /// The kernel-level nonlinearity that computes this activation.
    public var nonlinearity: ElementwiseKernels.Nonlinearity {
        switch self {
        case .sigmoid: .sigmoid
        case .linear: .identity
        case .relu: .relu
        case .tanh: .tanh
        case .leakyReLU: .leakyReLU
        case .elu: .elu
        case .softplus: .softplus
        }
    }
}
