import Autoencoder

/// A library error about a setting, told with the option that sets it: the library says
/// "The batch size must be at least 1, not 0.", the command "--batch-size must be at least
/// 1, not 0.". Errors that name no setting (an empty training set) keep their sentence.
struct OptionNamedError: Error, CustomStringConvertible {
    /// The sentence, naming the option.
    var description: String

    /// `nil` when `error` is not about a setting the command's options give.
    init?(_ error: any Error) {
        switch error {
        case let error as ConfigurationError:
            guard let sentence = Self.sentence(for: error) else { return nil }
            description = sentence
        case let error as CheckpointIntervalError:
            description = "--checkpoint-every must be at least 1, not \(error.value)."
        default:
            return nil
        }
    }

    private static func sentence(for error: ConfigurationError) -> String? {
        func widths(_ widths: [Int]) -> String { widths.map(String.init).joined(separator: ",") }
        return switch error {
        case let .gaussianNoise(factor):
            "--gaussian-noise must be a finite number of at least 0, not \(factor)."
        case let .tooFewWidths(list):
            "--layers needs at least two widths (input and code), not \(widths(list))."
        case let .nonPositiveWidth(width):
            "--layers widths must be positive, not \(width)."
        case let .tooManyParameters(list, count):
            "--layers \(widths(list)) needs \(count.map { "\($0) parameters, more than" } ?? "more parameters than") "
                + "the \(ModelConfiguration.maximumParameterCount) allowed."
        case let .inputWidth(found, expected):
            "--layers must start at \(expected), the data's pixels per image, not \(found)."
        case let .epochs(epochs):
            "--epochs must be at least 1, not \(epochs)."
        case let .batchSize(size, count?):
            "--batch-size must be between 1 and \(count) (the number of training images), not \(size)."
        case let .batchSize(size, nil):
            "--batch-size must be at least 1, not \(size)."
        case let .learningRate(rate):
            "--learning-rate must be a positive number, not \(rate)."
        case let .inputNoise(share):
            "--input-noise must be 0 or from 0.00001 to 0.99999 (the share of pixels set to 0), not \(share)."
        case let .neighborCount(k):
            "--k must be between 1 and 1000, not \(k)."
        case let .validationFraction(fraction):
            "--validation-fraction must be more than 0 and less than 1, not \(fraction)."
        case let .validationSplit(fraction, count, held, batchSize):
            held < 1
                ? "--validation-fraction \(fraction) holds out none of the \(count) training images; there must be at least one to measure the validation loss on."
                : "--validation-fraction \(fraction) holds out \(held) of the \(count) training images, leaving \(count - held) to train on, fewer than --batch-size \(batchSize)."
        case let .earlyStoppingPatience(patience):
            "--early-stopping must be at least 1 epoch, not \(patience)."
        case .earlyStoppingWithoutValidation:
            "--early-stopping needs --validation-fraction: it stops when the validation loss stops improving."
        case .noTrainingSamples, .noTestSamples, .testImageSize, .emptyImages:
            nil
        }
    }
}
