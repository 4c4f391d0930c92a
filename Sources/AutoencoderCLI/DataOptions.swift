import ArgumentParser
import Autoencoder
import Foundation

/// `--data DIR`: where the four MNIST-format files are.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Folder holding the four MNIST-format IDX files (.gz or raw).",
        discussion: "Without it: for a saved model, the folder it was trained on (while it is there); then $AUTOENCODER_DATA, then ./data/mnist.",
        valueName: "dir"))
    var data: String?

    /// The data files a command on `model` would read (each of the four under either
    /// accepted name, in the folder ``folder(for:requiring:note:)`` finds), as `(--data, path)`
    /// pairs for ``checkOutputFile(_:option:inputs:)``; none when the folder cannot be found
    /// (loading will then say why).
    func files(for model: ModelFile?) -> [(option: String, path: String)] {
        guard let folder = try? folder(for: model, note: { _ in }) else { return [] }
        return MNISTFile.allCases.flatMap(\.acceptedNames).map { ("--data", folder + "/" + $0) }
    }

    /// The data for a command on `model`: `--data` when given; else the folder the model was
    /// trained on (its `data_folder`), while it still holds the data; else
    /// `$AUTOENCODER_DATA`, else `./data/mnist`. (A model trained on Fashion-MNIST was
    /// measured on MNIST's digits when `--data` was left out.)
    func load(for model: ModelFile) throws -> MNIST {
        try MNIST.load(from: folder(for: model))
    }

    /// The test set only, found as ``load(for:)`` finds the data: the training files need
    /// not be there.
    func loadTestSet(for model: ModelFile) throws -> LabeledImages {
        let folder = try folder(for: model, requiring: [.testImages, .testLabels])
        return try MNIST.loadSet(images: .testImages, labels: .testLabels, in: folder)
    }

    /// The folder ``load(for:)`` reads, holding `files`. When the model's own folder is no
    /// longer there, `note` is told which folder is used instead.
    func folder(for model: ModelFile?, requiring files: [MNISTFile] = MNISTFile.allCases,
                note: (String) -> Void = printLine) throws -> String {
        let locator = DataDirectoryLocator(requiredFiles: files)
        guard data == nil, let recorded = model?.dataFolder else { return try locator.locate(option: data) }
        if let folder = try? locator.locate(option: recorded) { return folder }
        let folder = try locator.locate(option: nil)
        note("Note: the model was trained on the data in \(escapingControlCharacters(in: recorded)), which is not there now; using \(folder).")
        return folder
    }
}
