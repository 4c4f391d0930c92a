import ArgumentParser
import Autoencoder
import Foundation

/// `--data DIR`: where the MNIST-format files are.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Folder holding the MNIST-format IDX files (.gz or raw): all four, or for encode and reconstruct the two test files.",
        discussion: "Without it: $AUTOENCODER_DATA, then ./data/mnist; commands on a saved model first look in the folder it was trained on.",
        valueName: "dir"))
    var data: String?

    /// The data files a command on `model` would read (each of `files` under either accepted
    /// name, in the folder ``folder(for:requiring:note:)`` finds), as `(--data, path)` pairs
    /// for ``checkOutputFile(_:option:inputs:)``; none when the folder cannot be found
    /// (loading will then say why).
    func files(for model: ModelFile?, requiring files: [MNISTFile] = MNISTFile.allCases) -> [(option: String, path: String)] {
        guard let folder = try? folder(for: model, requiring: files, note: { _ in }) else { return [] }
        return files.flatMap(\.acceptedNames).map { ("--data", folder + "/" + $0) }
    }

    /// The data for a command on `model`: `--data` when given; else the folder the model was
    /// trained on (its `data_folder`), while it exists; else `$AUTOENCODER_DATA`, else
    /// `./data/mnist`. (A model trained on Fashion-MNIST was measured on MNIST's digits
    /// when `--data` was left out.) Returns the folder too, for the report.
    func load(for model: ModelFile) throws -> (data: MNIST, folder: String) {
        let folder = try folder(for: model)
        return (try MNIST.load(from: folder), folder)
    }

    /// The test set only, found as ``load(for:)`` finds the data: the training files need
    /// not be there.
    func loadTestSet(for model: ModelFile) throws -> LabeledImages {
        let folder = try folder(for: model, requiring: Self.testFiles)
        return try MNIST.loadSet(images: .testImages, labels: .testLabels, in: folder)
    }

    /// The two files of the test set.
    static let testFiles: [MNISTFile] = [.testImages, .testLabels]

    /// The folder ``load(for:)`` reads, holding `files`. The model's own folder is used
    /// while it exists (a file missing in it is an error, not a reason to read other data);
    /// when it is gone, `note` is told which folder is used instead.
    func folder(for model: ModelFile?, requiring files: [MNISTFile] = MNISTFile.allCases,
                note: (String) -> Void = printLine) throws -> String {
        try folder(recorded: model?.dataFolder, by: "model", requiring: files, note: note)
    }

    /// The folder to read: `--data`, else `recorded` (the data folder of a model or a
    /// checkpoint, `owner`) while it exists, else `$AUTOENCODER_DATA`, else `./data/mnist`.
    func folder(recorded: String?, by owner: String, requiring files: [MNISTFile] = MNISTFile.allCases,
                note: (String) -> Void = printLine) throws -> String {
        let locator = DataDirectoryLocator(requiredFiles: files)
        guard data == nil, let recorded else { return try locator.locate(option: data) }
        let shown = escapingControlCharacters(in: recorded)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: recorded, isDirectory: &isFolder), isFolder.boolValue {
            do {
                return try locator.locate(option: recorded)
            } catch let error as DataDirectoryError {
                let names = error.missingFiles.map { "\($0.baseName)(.gz)" }.joined(separator: " and ")
                throw CommandError("The \(owner)'s data folder \(shown) lacks \(names); give the data with --data DIR.")
            }
        }
        let folder: String
        do {
            folder = try locator.locate(option: nil)
        } catch let error as DataDirectoryError {
            throw CommandError("The \(owner)'s data folder \(shown) no longer exists, and \(error.candidate.label) "
                               + "holds no MNIST-format data either; give the data with --data DIR.")
        }
        note("Note: the \(owner) was \(owner == "model" ? "trained" : "made") on the data in \(shown), which is not there now; using \(folder).")
        return folder
    }
}
