import ArgumentParser
import Autoencoder
import Foundation

/// `--data DIR`: where the four MNIST-format files are.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Folder holding the four MNIST-format IDX files (.gz or raw).",
        discussion: "Without it: $AUTOENCODER_DATA, then ./data/mnist.", valueName: "dir"))
    var data: String?

    /// The data files a command would read (each of the four under either accepted name),
    /// as `(--data, path)` pairs for ``checkOutputFile(_:option:inputs:)``; none when the
    /// folder cannot be found (loading will then say why).
    var files: [(option: String, path: String)] {
        guard let folder = try? DataDirectoryLocator().locate(option: data) else { return [] }
        return MNISTFile.allCases.flatMap(\.acceptedNames).map { ("--data", folder + "/" + $0) }
    }

    /// Finds the folder and loads the data.
    func load() throws -> MNIST {
        let folder = try DataDirectoryLocator().locate(option: data)
        return try MNIST.load(from: folder)
    }
}
