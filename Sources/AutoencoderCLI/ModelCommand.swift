import ArgumentParser
import Autoencoder

/// `autoencoder model`: model descriptions.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Show model descriptions (the JSON that `train --model` takes).",
        subcommands: [ShowCommand.self])

    /// `autoencoder model show --preset NAME`: a preset as a description.
    struct ShowCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print a preset's model description as JSON, which `train --model FILE` accepts back unchanged.")

        @Option(help: "The preset to show.")
        var preset: Preset

        func run() throws {
            print(preset.describedWithTraining.json(), terminator: "")
        }
    }
}
