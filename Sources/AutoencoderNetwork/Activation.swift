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

    /// The values the activation can take: `0...1` for sigmoid, `-1...1` for tanh, `0...` for
    /// ReLU, every number for linear (infinite bounds).
    public var range: ClosedRange<Float> {
        switch self {
        case .sigmoid: 0...1
        case .linear: -Float.infinity...Float.infinity
        case .relu: 0...Float.infinity
        case .tanh: -1...1
        }
    }

    /// The kernel-level nonlinearity that computes this activation.
    public var nonlinearity: ElementwiseKernels.Nonlinearity {
        switch self {
        case .sigmoid: .sigmoid
        case .linear: .identity
        case .relu: .relu
        case .tanh: .tanh
        }
    }
}
