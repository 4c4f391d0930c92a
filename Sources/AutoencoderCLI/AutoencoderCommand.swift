import ArgumentParser

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
}
