import ArgumentParser
import Foundation
import AutoencoderNumerics

/// The `autoencoder` command: trains, evaluates and draws autoencoders on the CPU.
public struct AutoencoderCommand: ParsableCommand {
    /// The command's name, help text and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "autoencoder",
        abstract: "Train, evaluate and visualise autoencoders on the CPU.",
        discussion: """
            The presets reproduce the TensorFlow tutorial's two experiments on MNIST: \
            `autoencoder` (784-256-128-256-784, sigmoid) and `encoder2d` (784-128-64-10-2 \
            with a linear 2-D code). `autoencoder demo` runs both.
            """,
        subcommands: [TrainCommand.self, DemoCommand.self, EncodeCommand.self, DecodeCommand.self,
                      ReconstructCommand.self, EvaluateCommand.self, ScoreCommand.self, InspectCommand.self, ModelCommand.self,
                      SampleCommand.self, ReportCommand.self, DatasetsCommand.self])

    /// Creates the command; ArgumentParser fills in its options.
    public init() {}

    /// Parses the process's arguments and runs the command they name, after checking the
    /// environment the kernels read: a bad `AUTOENCODER_ISA` or an `AUTOENCODER_BLAS` library
    /// that does not load is an error, not silently replaced. (`--help` and parse errors
    /// come first, whatever the environment.)
    public static func main() {
        // Past a file-size limit (`ulimit -f`) a write should fail with EFBIG, which the
        // writers report in one sentence and clean up after, rather than kill the process
        // with SIGXFSZ and leave a temporary file.
        signal(SIGXFSZ, SIG_IGN)
        do {
            let arguments = Array(CommandLine.arguments.dropFirst())
            var command = try parseAsRoot(joiningNegativeListValues(arguments))
            if let option = optionGivenAnEmptyValue(in: arguments) {
                throw ValidationError("\(option) must not be empty.")
            }
            // Only our subcommands run kernels; `--help` parses to ArgumentParser's own command.
            let isSubcommand = configuration.subcommands.contains { ObjectIdentifier($0) == ObjectIdentifier(type(of: command)) }
            if isSubcommand,
               let problem = InstructionSet.environmentProblem() ?? MatrixMultiplication.environmentProblem() {
                throw EnvironmentError(description: problem)
            }
            (command as? any ThreadedCommand)?.threadOptions.apply()
            try command.run()
        } catch {
            exit(withError: OptionNamedError(error) ?? OneLineError(error) ?? error)
        }
    }
}

/// One of our errors whose sentence quotes text from a file holding line breaks or other
/// control characters (a metadata value, a tensor name), with those characters escaped
/// (`\n`, `\u{1B}`): the message stays one line, and a hostile file cannot send escape
/// sequences to the terminal. ArgumentParser's own errors and help pass through unchanged.
struct OneLineError: Error, CustomStringConvertible {
    /// The error's sentence with its control characters escaped.
    var description: String

    /// `nil` when `error` is ArgumentParser's or its sentence has no control characters.
    init?(_ error: any Error) {
        guard !String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") else { return nil }
        let sentence = String(describing: error)
        let escaped = escapingControlCharacters(in: sentence)
        guard escaped != sentence else { return nil }
        description = escaped
    }
}

/// The options whose values are lists read up to the next option (`--indices 0 1 2`).
private let listOptions: Set<String> = ["--indices"]

/// `arguments` with each list option's values joined into one `--option=a,b,c` argument
/// when one of them is a negative number: ArgumentParser reads `-1` after `--indices` as
/// an option of its own and reports a missing value, where the command's own check
/// names the negative index. Everything else, and everything after `--`, is unchanged.
func joiningNegativeListValues(_ arguments: [String]) -> [String] {
    func isNegativeNumber(_ argument: String) -> Bool {
        argument.count > 1 && argument.first == "-" && argument.dropFirst().first!.isASCII
            && argument.dropFirst().first!.isNumber
    }
    var result: [String] = []
    var index = arguments.startIndex
    while index < arguments.endIndex {
        let argument = arguments[index]
        index += 1
        if argument == "--" {
            result += arguments[(index - 1)...]
            break
        }
        guard listOptions.contains(argument) else {
            result.append(argument)
            continue
        }
        var values: [String] = []
        while index < arguments.endIndex, !arguments[index].hasPrefix("-") || isNegativeNumber(arguments[index]) {
            values.append(arguments[index])
            index += 1
        }
        if values.contains(where: isNegativeNumber) {
            result.append("\(argument)=\(values.joined(separator: ","))")
        } else {
            result.append(argument)
            result += values
        }
    }
    return result
}

/// The first option given an empty value (`--output ""`), or `nil`. No option of the tools
/// takes an empty value, and an empty path would otherwise mean the current folder to some
/// commands and "not given" to others. (ArgumentParser itself refuses `--output=`.)
func optionGivenAnEmptyValue(in arguments: [String]) -> String? {
    for (index, argument) in arguments.enumerated() {
        if argument == "--" { return nil }
        if argument.hasPrefix("--"), !argument.contains("="), index + 1 < arguments.count, arguments[index + 1].isEmpty {
            return argument
        }
    }
    return nil
}

/// An environment variable with a value the tools cannot use.
struct EnvironmentError: Error, CustomStringConvertible {
    /// What is wrong, in one sentence.
    var description: String
}
