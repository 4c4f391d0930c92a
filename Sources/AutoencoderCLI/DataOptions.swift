import ArgumentParser
import Autoencoder
import Foundation

/// `--data DIR`: where the four MNIST-format files are.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Folder holding the four MNIST-format IDX files (.gz or raw).",
        discussion: "Without it: $AUTOENCODER_DATA, then ./data/mnist.", valueName: "dir"))
    var data: String?

    /// Finds the folder and loads the data.
    func load() throws -> MNIST {
        let folder = try DataDirectoryLocator().locate(option: data)
        return try MNIST.load(from: folder)
    }
}
