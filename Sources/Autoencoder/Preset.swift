/// The tutorial's two experiments, each a model and its training settings.
public enum Preset: String, Sendable, CaseIterable, Codable {
    /// 784→256→128→256→784, sigmoid on every layer, weights and biases from N(0, 1).
    case autoencoder
    /// 784→128→64→10→2 with a linear code, mirrored decoder, sigmoid elsewhere,
    /// truncated-normal weights and N(0, 1) biases.
    case encoder2d

    /// The preset's architecture.
    public var model: ModelConfiguration {
        switch self {
        case .autoencoder:
            ModelConfiguration(encoderWidths: [784, 256, 128], activation: .sigmoid, codeActivation: .sigmoid,
                               weightInitializer: .normal, biasInitializer: .normal)
        case .encoder2d:
            ModelConfiguration(encoderWidths: [784, 128, 64, 10, 2], activation: .sigmoid, codeActivation: .linear,
                               weightInitializer: .truncatedNormal, biasInitializer: .normal)
        }
    }

    /// The preset's training settings: the tutorial's, for both.
    public var training: TrainingConfiguration { TrainingConfiguration() }
}
