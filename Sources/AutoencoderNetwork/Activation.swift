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
