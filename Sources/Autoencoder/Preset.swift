/// The models the package ships, each named after the experiment it reproduces: the
/// TensorFlow tutorial's two, the Keras blog's ("Building Autoencoders in Keras"),
/// pytorch/examples' variational autoencoder, and two tuned recipes.
public enum Preset: String, Sendable, CaseIterable, Codable {
    /// The tutorial's 784→256→128→256→784, sigmoid on every layer, weights and biases from N(0, 1).
    case autoencoder
    /// The tutorial's 784→128→64→10→2 with a linear code, mirrored decoder, sigmoid
    /// elsewhere, truncated-normal weights and N(0, 1) biases.
    case encoder2d
    /// The Keras blog's convolutional autoencoder: 3x3 convolutions of 16, 8 and 8 filters
    /// (ReLU, same padding) each followed by 2x2 max-pooling down to a 4x4x8 code, mirrored
    /// with up-sampling, a last 3x3 sigmoid convolution; binary cross-entropy, Adam 1e-3,
    /// batch 128, 50 epochs.
    case conv
    /// ``conv`` trained on inputs with Gaussian noise of factor 0.5 clipped to [0, 1], the
    /// loss against the clean image: the blog's denoising recipe on ``conv``'s layers (the
    /// blog's own denoising model is wider, 32 filters to a 7x7x32 code, and trains 100 epochs).
    case convDenoising = "conv-denoising"
    /// pytorch/examples' variational autoencoder: 784→400 (ReLU)→20 (means and
    /// log-variances, sampled), 20→400 (ReLU)→784 (sigmoid); summed binary cross-entropy
    /// plus the KL divergence per example; Adam 1e-3, batch 128, 10 epochs.
    case vae
    /// ``vae`` with a 2-D code, for the manifold picture and the scatter of test means.
    case vae2d
    /// After the Keras blog's sparse autoencoder: one 32-wide ReLU code with an L1 activity
    /// penalty of 1e-5, a sigmoid output; binary cross-entropy, Adam, batch 256, 50 epochs
    /// (the blog's penalty is `10e-5`, that is 1e-4, over 100 epochs).
    case sparse
    /// The Keras blog's deep autoencoder: 784→128→64→32→64→128→784, ReLU, sigmoid output;
    /// binary cross-entropy, Adam, batch 256, 100 epochs.
    case deep
    /// The tutorial's widths, 784→256→128→256→784, trained well: ReLU hidden layers with He
    /// initialisation, a linear code, a sigmoid output, binary cross-entropy, Adam 1e-3 with a
    /// cosine schedule, batch 128, 20 epochs; it reconstructs the test set better than PCA
    /// with 128 components.
    case tuned
    /// A 2-D code that separates the digits: 784→512→256→128→2 (ReLU, He initialisation,
    /// a linear code) and back to a sigmoid output, binary cross-entropy, trained as a
    /// denoising model (masking noise 0.3) with Adam 1e-3 on a cosine schedule, batch 128,
    /// 50 epochs; its test codes classify by their five nearest training codes far better
    /// than PCA's or the tutorial's 2-D codes.
    case tuned2d

    /// The tutorial's two presets, which `demo` runs.
    public static let tutorial: [Preset] = [.autoencoder, .encoder2d]

    /// The tutorial's kind of architecture (a mirrored stack of dense layers) for the
    /// tutorial's presets; `nil` for the others, which ``architecture`` describes.
    public var model: ModelConfiguration? {
        switch self {
        case .autoencoder:
            ModelConfiguration(encoderWidths: [784, 256, 128], activation: .sigmoid, codeActivation: .sigmoid,
                               weightInitializer: .normal, biasInitializer: .normal)
        case .encoder2d:
            ModelConfiguration(encoderWidths: [784, 128, 64, 10, 2], activation: .sigmoid, codeActivation: .linear,
                               weightInitializer: .truncatedNormal, biasInitializer: .normal)
        default: nil
        }
    }

    /// The preset's model as a description.
    public var architecture: ModelDescription {
        if let model { return model.architecture }
        let image = SampleShape.image(channels: 1, height: 28, width: 28)
        let binaryCrossEntropy = LossSpecification(.binaryCrossEntropy)
        switch self {
        case .conv, .convDenoising:
            func convolution(_ filters: Int, _ activation: Activation = .relu, padding: Padding = .same) -> any LayerSpecification {
                Conv2D.Specification(filters: filters, kernelSize: PairOfSizes(3), padding: padding, activation: activation)
            }
            let pool = MaxPooling2D.Specification(poolSize: PairOfSizes(2), padding: .same)
            let upsample = UpSampling2D.Specification(size: PairOfSizes(2))
            return ModelDescription(
                inputShape: image,
                encoder: [convolution(16), pool, convolution(8), pool, convolution(8), pool],
                decoder: [convolution(8), upsample, convolution(8), upsample, convolution(16, padding: .valid), upsample,
                          convolution(1, .sigmoid)],
                loss: binaryCrossEntropy)
        case .vae, .vae2d:
            let code = self == .vae ? 20 : 2
            return ModelDescription(
                inputShape: .vector(784),
                encoder: [Dense.Specification(units: 400, activation: .relu), Dense.Specification(units: 2 * code),
                          Sampling.Specification()],
                decoder: [Dense.Specification(units: 400, activation: .relu),
                          Dense.Specification(units: 784, activation: .sigmoid)],
                loss: LossSpecification(.binaryCrossEntropy, reduction: .sumPerSample))
        case .sparse:
            return ModelDescription(
                inputShape: .vector(784),
                encoder: [Dense.Specification(units: 32, activation: .relu), ActivityRegularization.Specification(l1: 1e-5)],
                decoder: [Dense.Specification(units: 784, activation: .sigmoid)],
                loss: binaryCrossEntropy)
        case .deep:
            return ModelDescription(
                inputShape: .vector(784),
                encoder: [128, 64, 32].map { Dense.Specification(units: $0, activation: .relu) },
                decoder: [64, 128].map { Dense.Specification(units: $0, activation: .relu) }
                    + [Dense.Specification(units: 784, activation: .sigmoid)],
                loss: binaryCrossEntropy)
        case .tuned, .tuned2d:
            func dense(_ units: Int, _ activation: Activation) -> any LayerSpecification {
                Dense.Specification(units: units, activation: activation,
                                    kernelInitializer: activation == .relu ? .heUniform : .glorotUniform)
            }
            let hidden = self == .tuned ? [256] : [512, 256, 128]
            let code = self == .tuned ? 128 : 2
            return ModelDescription(inputShape: .vector(784),
                                    encoder: hidden.map { dense($0, .relu) } + [dense(code, .linear)],
                                    decoder: hidden.reversed().map { dense($0, .relu) } + [dense(784, .sigmoid)],
                                    loss: binaryCrossEntropy)
        case .autoencoder, .encoder2d:
            preconditionFailure("The tutorial's presets are described by their configuration.")
        }
    }

    /// The preset's training settings: the tutorial's for its two; the anchors' for the others
    /// (Keras's Adam is TensorFlow's form with ε = 1e-7; PyTorch's ε is 1e-8).
    public var training: TrainingConfiguration {
        let kerasAdam = try? OptimizerSpecification(kind: .adam, epsilon: 1e-7)
        switch self {
        case .autoencoder, .encoder2d:
            return TrainingConfiguration()
        case .conv:
            return TrainingConfiguration(epochs: 50, batchSize: 128, learningRate: 0.001, optimizer: kerasAdam)
        case .convDenoising:
            return TrainingConfiguration(epochs: 50, batchSize: 128, learningRate: 0.001, gaussianNoise: 0.5, optimizer: kerasAdam)
        case .vae, .vae2d:
            return TrainingConfiguration(epochs: 10, batchSize: 128, learningRate: 0.001)
        case .sparse:
            return TrainingConfiguration(epochs: 50, batchSize: 256, learningRate: 0.001, optimizer: kerasAdam)
        case .deep:
            return TrainingConfiguration(epochs: 100, batchSize: 256, learningRate: 0.001, optimizer: kerasAdam)
        case .tuned:
            return TrainingConfiguration(epochs: 20, batchSize: 128, learningRate: 0.001,
                                         schedule: try? LearningRateSchedule(.cosine(totalEpochs: nil, minimum: 0)))
        case .tuned2d:
            return TrainingConfiguration(epochs: 50, batchSize: 128, learningRate: 0.001, inputNoise: 0.3,
                                         schedule: try? LearningRateSchedule(.cosine(totalEpochs: nil, minimum: 0)))
        }
    }

    /// The preset's description with its training settings, as `model show` prints it.
    public var describedWithTraining: ModelDescription {
        var description = architecture
        description.training = training
        return description
    }
}
