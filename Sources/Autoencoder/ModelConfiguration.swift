import AutoencoderErrors
/// The architecture of a symmetric dense autoencoder: the encoder's widths, mirrored by
/// the decoder, and the activations (one for the hidden layers, one for the code layer and
/// one, optionally different, for the output layer: ReLU hidden layers with a sigmoid
/// output suit pixels in [0, 1]).
///
/// `encoderWidths` `[784, 256, 128]` means layers 784→256→128 (the code is 128 wide)
/// followed by the decoder 128→256→784.
public struct ModelConfiguration: Sendable, Equatable, Codable {
    /// The encoder's widths, input first and code last.
    public var encoderWidths: [Int]
    /// The activation of every layer except the code layer (and the output layer when
    /// ``outputActivation`` is set).
    public var activation: Activation
    /// The activation of the code layer (the encoder's last layer).
    public var codeActivation: Activation
    /// The activation of the output layer (the decoder's last), or `nil` for ``activation``.
    /// Left out of the saved architecture when `nil`, so the tutorial's models are stored
    /// as before.
    public var outputActivation: Activation?
    /// How weights are drawn.
    public var weightInitializer: Initializer
    /// How biases are drawn.
    public var biasInitializer: Initializer

    /// The JSON fields of a saved architecture (every stored property), listed so that a
    /// model file with a field this program does not know is refused, not half-read.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case encoderWidths, activation, codeActivation, outputActivation, weightInitializer, biasInitializer
    }

    /// Creates a configuration.
    public init(
        encoderWidths: [Int], activation: Activation = .sigmoid, codeActivation: Activation = .sigmoid,
        outputActivation: Activation? = nil, weightInitializer: Initializer = .normal, biasInitializer: Initializer = .normal
    ) {
        self.encoderWidths = encoderWidths
        self.activation = activation
        self.codeActivation = codeActivation
        self.outputActivation = outputActivation
        self.weightInitializer = weightInitializer
        self.biasInitializer = biasInitializer
    }

    /// The width of each input sample.
    public var inputWidth: Int { encoderWidths.first ?? 0 }
    /// The width of the code.
    public var codeWidth: Int { encoderWidths.last ?? 0 }
    /// The number of encoder layers (the decoder has as many).
    public var encoderDepth: Int { encoderWidths.count - 1 }

    /// All widths from input through code back to output, e.g. `[784, 256, 128, 256, 784]`.
    public var allWidths: [Int] { encoderWidths + encoderWidths.reversed().dropFirst() }

    /// The activation of layer `index` (0 is the encoder's first, `2 × encoderDepth − 1` the output layer).
    public func activation(ofLayer index: Int) -> Activation {
        if index == encoderDepth - 1 { return codeActivation }
        if index == 2 * encoderDepth - 1, let outputActivation { return outputActivation }
        return activation
    }

    /// The network's layers: the encoder, then its mirror image.
    public func layers() -> [any Layer] {
        let widths = allWidths
        return (0..<(widths.count - 1)).map { index in
            Dense(widths[index], widths[index + 1], activation: activation(ofLayer: index),
                  weightInitializer: weightInitializer, biasInitializer: biasInitializer)
        }
    }

    /// The most parameters a model may have: 2^28 floats, 1 GiB (training needs about four
    /// times that for gradients and Adam's moments). A cap so that an absurd width (a typo
    /// such as `--layers 784,99999999999`, or a corrupt model file) is refused with a
    /// sentence instead of overflowing or failing to allocate.
    public static let maximumParameterCount = 1 << 28

    /// The number of parameters (weights and biases of every layer, decoder included), or
    /// `nil` when it overflows `Int`.
    public var parameterCount: Int? {
        let widths = allWidths
        var total = 0
        for index in 0..<max(widths.count - 1, 0) {
            let (weights, overflow) = widths[index].multipliedReportingOverflow(by: widths[index + 1])
            let (withBiases, overflow2) = weights.addingReportingOverflow(widths[index + 1])
            let (sum, overflow3) = total.addingReportingOverflow(withBiases)
            guard !overflow, !overflow2, !overflow3 else { return nil }
            total = sum
        }
        return total
    }

    /// Checks the widths; throws a ``ConfigurationError`` naming the problem.
    public func validate(inputWidth expected: Int? = nil) throws {
        guard encoderWidths.count >= 2 else { throw ConfigurationError.tooFewWidths(encoderWidths) }
        if let bad = encoderWidths.first(where: { $0 <= 0 }) { throw ConfigurationError.nonPositiveWidth(bad) }
        if let count = parameterCount, count <= Self.maximumParameterCount {} else {
            throw ConfigurationError.tooManyParameters(encoderWidths, count: parameterCount)
        }
        if let expected, encoderWidths[0] != expected {
            throw ConfigurationError.inputWidth(found: encoderWidths[0], expected: expected)
        }
    }
}

/// Training hyperparameters.
public struct TrainingConfiguration: Sendable, Equatable, Codable {
    /// The number of passes over the training set.
    public var epochs: Int
    /// The number of samples per step.
    public var batchSize: Int
    /// Adam's learning rate.
    public var learningRate: Float
    /// The seed of every random choice of the run.
    public var seed: UInt64
    /// The share of each training image's pixels set to 0 before it goes in, the target
    /// staying the clean image: a denoising autoencoder (Vincent et al., 2008, "masking
    /// noise"). 0, the tutorial's, trains a plain one.
    public var inputNoise: Float
    /// The factor of Gaussian noise added to each training value before it goes in, clipped to
    /// [0, 1], the target staying the clean sample (the Keras blog's denoising autoencoder);
    /// 0, the tutorial's, adds none.
    public var gaussianNoise: Float
    /// The optimizer, or `nil` for the tutorial's: Adam in TensorFlow 1's form with
    /// ``learningRate``. Its own learning rate, when it gives one, wins over ``learningRate``.
    public var optimizer: OptimizerSpecification?
    /// How the learning rate changes from epoch to epoch, or `nil` to keep it.
    public var schedule: LearningRateSchedule?
    /// The share of the training images held out to measure the validation loss after each
    /// epoch (in (0, 1); ``ValidationSplit`` says which images), or `nil` to train on all of
    /// them, as the tutorial does. Written only when set, so the tutorial's files are unchanged.
    public var validationFraction: Double?
    /// With a ``validationFraction``: stop when this many epochs in a row (at least 1) have
    /// not lowered the validation loss, and keep the weights of the epoch with the lowest
    /// one; `nil` to train every epoch. Written only when set.
    public var earlyStoppingPatience: Int?

    /// Creates a configuration; the defaults are the tutorial's.
    public init(epochs: Int = 10, batchSize: Int = 256, learningRate: Float = 0.01, seed: UInt64 = 0,
                inputNoise: Float = 0, gaussianNoise: Float = 0, optimizer: OptimizerSpecification? = nil,
                schedule: LearningRateSchedule? = nil, validationFraction: Double? = nil,
                earlyStoppingPatience: Int? = nil) {
        self.gaussianNoise = gaussianNoise
        self.validationFraction = validationFraction
        self.earlyStoppingPatience = earlyStoppingPatience
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.seed = seed
        self.inputNoise = inputNoise
        self.optimizer = optimizer
        self.schedule = schedule
    }

    private enum CodingKeys: String, CodingKey {
        case epochs, batchSize, learningRate, seed, inputNoise, gaussianNoise, optimizer, schedule
        case validationFraction, earlyStoppingPatience
    }

    /// Whether the settings use more than format version 2 could record (Gaussian noise, an
    /// optimizer or schedule, a validation split, early stopping): a model file or checkpoint
    /// trained with them is written in version 3, which earlier builds refuse instead of
    /// resuming without them.
    var needsDescriptionFormat: Bool {
        gaussianNoise != 0 || optimizer != nil || schedule != nil || validationFraction != nil || earlyStoppingPatience != nil
    }

    /// The optimizer the settings describe, fresh.
    public func makeOptimizer() -> any Optimizer {
        optimizer?.makeOptimizer(defaultLearningRate: learningRate) ?? Adam(learningRate: learningRate)
    }

    /// The learning rate of epoch `epoch` (counting from 0): the optimizer's or
    /// ``learningRate``, changed by the ``schedule``.
    public func learningRate(epoch: Int) -> Float {
        let base = optimizer?.learningRate ?? learningRate
        return schedule?.learningRate(base: base, epoch: epoch, epochs: epochs) ?? base
    }

    /// The input noises other than 0 that do what they say: the masks are drawn in steps of
    /// 1/65536 (see `RandomGenerator.dropValues`), so a smaller share would drop nothing and
    /// a larger one every pixel.
    public static let inputNoiseRange: ClosedRange<Float> = 0.00001...0.99999

    /// Reads the settings; a missing one is the tutorial's (`inputNoise`: 0, as in files
    /// written before it existed); an unknown one is refused.
    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: LayerFields.AnyKey.self)
        let known = ["epochs", "batchSize", "learningRate", "seed", "inputNoise", "gaussianNoise", "optimizer", "schedule",
                     "validationFraction", "earlyStoppingPatience"]
        if let unknown = fields.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            throw LayerFieldError(field: LayerFields.snakeCase(unknown), reason: "is not a training setting")
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = TrainingConfiguration()
        epochs = try container.decodeIfPresent(Int.self, forKey: .epochs) ?? defaults.epochs
        batchSize = try container.decodeIfPresent(Int.self, forKey: .batchSize) ?? defaults.batchSize
        learningRate = try container.decodeIfPresent(Float.self, forKey: .learningRate) ?? defaults.learningRate
        seed = try container.decodeIfPresent(UInt64.self, forKey: .seed) ?? defaults.seed
        inputNoise = try container.decodeIfPresent(Float.self, forKey: .inputNoise) ?? 0
        gaussianNoise = try container.decodeIfPresent(Float.self, forKey: .gaussianNoise) ?? 0
        optimizer = try container.decodeIfPresent(OptimizerSpecification.self, forKey: .optimizer)
        schedule = try container.decodeIfPresent(LearningRateSchedule.self, forKey: .schedule)
        validationFraction = try container.decodeIfPresent(Double.self, forKey: .validationFraction)
        earlyStoppingPatience = try container.decodeIfPresent(Int.self, forKey: .earlyStoppingPatience)
    }

    /// Writes the settings; `inputNoise` and `gaussianNoise` only when they are not 0, and the
    /// optional ones only when set, so that a plain run's files stay as they were.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(epochs, forKey: .epochs)
        try container.encode(batchSize, forKey: .batchSize)
        try container.encode(learningRate, forKey: .learningRate)
        try container.encode(seed, forKey: .seed)
        if inputNoise != 0 { try container.encode(inputNoise, forKey: .inputNoise) }
        if gaussianNoise != 0 { try container.encode(gaussianNoise, forKey: .gaussianNoise) }
        try container.encodeIfPresent(optimizer, forKey: .optimizer)
        try container.encodeIfPresent(schedule, forKey: .schedule)
        try container.encodeIfPresent(validationFraction, forKey: .validationFraction)
        try container.encodeIfPresent(earlyStoppingPatience, forKey: .earlyStoppingPatience)
    }

    /// Checks the values against a training set of `sampleCount` samples.
    public func validate(sampleCount: Int? = nil) throws {
        guard epochs > 0 else { throw ConfigurationError.epochs(epochs) }
        guard sampleCount != 0 else { throw ConfigurationError.noTrainingSamples }
        guard batchSize > 0 else { throw ConfigurationError.batchSize(batchSize, sampleCount: sampleCount) }
        if let sampleCount, batchSize > sampleCount {
            throw ConfigurationError.batchSize(batchSize, sampleCount: sampleCount)
        }
        guard learningRate.isFinite, learningRate > 0 else { throw ConfigurationError.learningRate(learningRate) }
        guard inputNoise == 0 || (inputNoise >= Self.inputNoiseRange.lowerBound && inputNoise <= Self.inputNoiseRange.upperBound) else {
            throw ConfigurationError.inputNoise(inputNoise)
        }
        guard gaussianNoise >= 0, gaussianNoise.isFinite else { throw ConfigurationError.gaussianNoise(gaussianNoise) }
        if let validationFraction {
            guard validationFraction > 0, validationFraction < 1 else {
                throw ConfigurationError.validationFraction(validationFraction)
            }
            if let sampleCount {
                let held = ValidationSplit.validationCount(sampleCount: sampleCount, fraction: validationFraction)
                guard held >= 1, sampleCount - held >= batchSize else {
                    throw ConfigurationError.validationSplit(validationFraction, sampleCount: sampleCount,
                                                             validationCount: held, batchSize: batchSize)
                }
            }
        }
        if let earlyStoppingPatience {
            guard earlyStoppingPatience >= 1 else { throw ConfigurationError.earlyStoppingPatience(earlyStoppingPatience) }
            guard validationFraction != nil else { throw ConfigurationError.earlyStoppingWithoutValidation }
        }
    }

    /// The run's split of `sampleCount` training images into those it trains on and those
    /// it measures the validation loss on, or `nil` without a ``validationFraction``.
    public func validationSplit(sampleCount: Int) -> ValidationSplit? {
        validationFraction.map { ValidationSplit(sampleCount: sampleCount, fraction: $0, seed: seed) }
    }
}

/// Which training images a run with a validation fraction trains on and which it holds out
/// to measure the validation loss on.
///
/// The indices `0..<N` are shuffled by a generator of their own, seeded with the run's seed
/// XOR ``seedMask`` (so the run's own generator, which draws the weights, the shuffles and
/// the noise, draws exactly what it would without a split); the last ⌈fraction · N⌉ of the
/// permutation are held out, the rest trained on. Each part lists its indices in increasing
/// order. Nothing is copied: the trainer reads the training part through a
/// `BatchSubset` of the images.
public struct ValidationSplit: Sendable, Equatable {
    /// The indices trained on, increasing.
    public let training: [Int]
    /// The indices held out, increasing.
    public let validation: [Int]

    /// What the run's seed is XORed with to seed the split's generator: "VALIDATE" in ASCII.
    public static let seedMask: UInt64 = 0x5641_4C49_4441_5445

    /// The split of `sampleCount` samples holding out ``validationCount(sampleCount:fraction:)``
    /// of them, drawn from `seed` (the run's seed).
    public init(sampleCount: Int, fraction: Double, seed: UInt64) {
        var generator = RandomGenerator(seed: seed ^ Self.seedMask)
        var order = Array(0..<max(sampleCount, 0))
        generator.shuffle(&order)
        let held = min(Self.validationCount(sampleCount: sampleCount, fraction: fraction), order.count)
        training = order[..<(order.count - held)].sorted()
        validation = order[(order.count - held)...].sorted()
    }

    /// How many of `sampleCount` samples `fraction` holds out: ⌈fraction · sampleCount⌉, where
    /// a product within a billionth of a whole number counts as that number (0.3 · 10 is
    /// 3.0000000000000004 in `Double`, and holds out 3, not 4).
    public static func validationCount(sampleCount: Int, fraction: Double) -> Int {
        let exact = fraction * Double(sampleCount)
        guard exact.isFinite, exact > 0 else { return 0 }
        let nearest = exact.rounded()
        let count = abs(exact - nearest) <= 1e-9 * max(1, exact) ? nearest : exact.rounded(.up)
        return Int(min(count, Double(sampleCount)))
    }
}

/// A configuration value that cannot work.
public enum ConfigurationError: Error, AutoencoderError, CustomStringConvertible, Equatable {
    /// Fewer than two encoder widths.
    case tooFewWidths([Int])
    /// A width of zero or less.
    case nonPositiveWidth(Int)
    /// More parameters than ``ModelConfiguration/maximumParameterCount`` (`count` is `nil`
    /// when the number overflows).
    case tooManyParameters([Int], count: Int?)
    /// The first width differs from the data's sample width.
    case inputWidth(found: Int, expected: Int)
    /// Zero or negative epochs.
    case epochs(Int)
    /// A batch size of zero or less, or more than the samples.
    case batchSize(Int, sampleCount: Int?)
    /// A learning rate that is not a positive finite number.
    case learningRate(Float)
    /// A training set without a single sample.
    case noTrainingSamples
    /// A test set without a single sample: the run could not be measured.
    case noTestSamples
    /// Test images of another size than the training images (`[rows, columns]` each).
    case testImageSize(test: [Int], training: [Int])
    /// A number of nearest neighbours (an evaluation's `k`) below 1.
    case neighborCount(Int)
    /// Images of no pixels (`[rows, columns]`, one of them 0).
    case emptyImages([Int])
    /// An input noise that is neither 0 nor in ``TrainingConfiguration/inputNoiseRange``.
    case inputNoise(Float)
    /// A Gaussian noise factor that is negative or not finite.
    case gaussianNoise(Float)
    /// A validation fraction that is not more than 0 and less than 1.
    case validationFraction(Double)
    /// A validation fraction that would leave fewer training images than one batch (or hold
    /// out none) of the `sampleCount` training images.
    case validationSplit(Double, sampleCount: Int, validationCount: Int, batchSize: Int)
    /// An early-stopping patience below 1 epoch.
    case earlyStoppingPatience(Int)
    /// Early stopping without a validation fraction, whose loss it watches.
    case earlyStoppingWithoutValidation

    /// One sentence naming the setting (as ``ModelConfiguration`` and
    /// ``TrainingConfiguration`` call it) and the problem. The `autoencoder` command says
    /// the same with its option names instead (`--batch-size` for the batch size).
    public var description: String {
        switch self {
        case let .tooFewWidths(widths):
            "The encoder widths need at least two values (input and code), not \(Self.list(widths))."
        case let .nonPositiveWidth(width):
            "The encoder widths must be positive, not \(width)."
        case let .tooManyParameters(widths, count):
            "The encoder widths \(Self.list(widths)) need \(Self.parameters(count))."
        case let .inputWidth(found, expected):
            "The encoder widths must start at \(expected), the data's pixels per image, not \(found)."
        case let .epochs(epochs):
            "The number of epochs must be at least 1, not \(epochs)."
        case let .batchSize(size, count?):
            "The batch size must be between 1 and \(count) (the number of training images), not \(size)."
        case let .batchSize(size, nil):
            "The batch size must be at least 1, not \(size)."
        case let .learningRate(rate):
            "The learning rate must be a positive number, not \(rate)."
        case .noTrainingSamples:
            "The training set holds no images, so there is nothing to train on."
        case .noTestSamples:
            "The test set holds no images, so the trained model could not be measured."
        case let .inputNoise(share):
            "The input noise must be 0 or from 0.00001 to 0.99999 (the share of pixels set to 0), not \(share)."
        case let .gaussianNoise(factor):
            "The Gaussian noise factor must be a finite number of at least 0, not \(factor)."
        case let .emptyImages(shape):
            "The images are \(shape.map(String.init).joined(separator: "x")): they have no pixels to learn from."
        case let .testImageSize(test, training):
            "The test images are \(test.map(String.init).joined(separator: "x")) but the training images "
                + "\(training.map(String.init).joined(separator: "x")); both sets must have one image size."
        case let .neighborCount(k):
            "The number of nearest neighbours that vote must be at least 1, not \(k)."
        case let .validationFraction(fraction):
            "The validation fraction must be more than 0 and less than 1, not \(fraction)."
        case let .validationSplit(fraction, count, held, batchSize):
            "The validation fraction \(fraction) " + Self.split(count: count, held: held, batchSize: batchSize, batchName: "the batch size")
        case let .earlyStoppingPatience(patience):
            "The early-stopping patience must be at least 1 epoch, not \(patience)."
        case .earlyStoppingWithoutValidation:
            "Early stopping needs a validation fraction: it stops when the validation loss stops improving."
        }
    }

    /// The end of the sentence about a validation fraction that leaves too little: "holds out
    /// 500 of the 512 training images, leaving 12 to train on, fewer than the batch size 256."
    static func split(count: Int, held: Int, batchSize: Int, batchName: String) -> String {
        held < 1 ? "holds out none of the \(count) training images; there must be at least one to measure the validation loss on."
            : "holds out \(held) of the \(count) training images, leaving \(count - held) to train on, fewer than \(batchName) \(batchSize)."
    }

    /// Widths as the command line takes them: `784,256,128`.
    static func list(_ widths: [Int]) -> String { widths.map(String.init).joined(separator: ",") }

    /// "N parameters, more than the M allowed", or "more parameters than the M allowed" when
    /// N overflows: the end of a sentence about too wide a model (the model file's reader
    /// ends its sentence the same way).
    static func parameters(_ count: Int?) -> String {
        "\(count.map { "\($0) parameters, more than" } ?? "more parameters than") the \(ModelConfiguration.maximumParameterCount) allowed"
    }
}

extension ModelConfiguration {
    /// The same architecture as a model description: dense layers with this configuration's
    /// widths, activations and initialisers, mean squared error.
    public var architecture: ModelDescription {
        let widths = allWidths
        let layers: [any LayerSpecification] = (0..<max(widths.count - 1, 0)).map { index in
            Dense.Specification(units: widths[index + 1], activation: activation(ofLayer: index),
                                kernelInitializer: weightInitializer, biasInitializer: biasInitializer)
        }
        return ModelDescription(inputShape: .vector(max(inputWidth, 1)), encoder: Array(layers.prefix(encoderDepth)),
                                decoder: Array(layers.dropFirst(encoderDepth)), loss: LossSpecification())
    }
}
