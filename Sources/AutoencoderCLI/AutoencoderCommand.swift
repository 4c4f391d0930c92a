import ArgumentParser
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
                      ReconstructCommand.self, EvaluateCommand.self, InspectCommand.self])

    /// Creates the command; ArgumentParser fills in its options.
    public init() {}

    /// Runs the command named by the process's arguments, after checking the environment
    /// the kernels read: a bad `AUTOENCODER_ISA` or an `AUTOENCODER_BLAS` library that does
    /// not load is an error, not silently replaced.
    public static func main() {
        if let problem = InstructionSet.environmentProblem() ?? MatrixMultiplication.environmentProblem() {
            exit(withError: EnvironmentError(description: problem))
        }
        main(nil)
    }
}

/// An environment variable with a value the tools cannot use.
struct EnvironmentError: Error, CustomStringConvertible {
    /// What is wrong, in one sentence.
    var description: String
}
