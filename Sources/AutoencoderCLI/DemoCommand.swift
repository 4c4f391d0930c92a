import ArgumentParser
import Autoencoder
import Foundation

/// `autoencoder demo`: both tutorial experiments, one after the other, into one folder.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run both tutorial experiments (autoencoder, encoder2d) and write their pictures.",
        discussion: "Writes <output>/autoencoder/ and <output>/encoder2d/, each as `train` does.")

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var threadOptions: ThreadOptions

    @Option(help: ArgumentHelp("Folder for the outputs.", valueName: "dir"))
    var output: String = "runs"

    @Option(parsing: .unconditional, help: "Seed of both runs.")
    var seed: UInt64 = 0

    @Option(parsing: .unconditional, help: "Passes over the training set for each run.")
    var epochs: Int = 10

    @Flag(help: "Show no live progress line while an epoch trains (it only ever shows on a terminal).")
    var quiet = false

    func validate() throws {
        guard epochs > 0 else { throw ValidationError("--epochs must be at least 1, not \(epochs).") }
        guard output != "-" else { throw ValidationError("--output - would be a folder named '-', not standard output; give a folder name.") }
    }

    func run() throws {
        let folder = try DataDirectoryLocator().locate(option: dataOptions.data)
        let data = try MNIST.load(from: folder)
        // The presets are the tutorial's, for 28x28 images in batches of 256; demo has no
        // options to change that, so other data is sent to `train`.
        // Both presets share the first width and batch size, so one check speaks for both.
        let given = PresetFit.shellWord(dataOptions.data ?? folder)
        try PresetFit.check(model: Preset.autoencoder.model!, training: Preset.autoencoder.training,
                            presetName: "demo's presets'", pronoun: "their",
                            data: data, folder: folder, checkWidth: true, checkBatchSize: true) { change in
            let commands = Preset.tutorial.map { preset in
                var fitted = change
                if fitted.widths != nil { fitted.widths = [data.training.pixelsPerImage] + preset.model!.encoderWidths.dropFirst() }
                return "`autoencoder train --preset \(preset.rawValue) --data \(given) \(PresetFit.options(fitted))`"
            }
            return "train them with " + commands.joined(separator: " and ") + " instead"
        }
        let root = URL(fileURLWithPath: output)
        // Both folders are checked before the first run: a folder the second cannot write
        // should not be found after the first has trained. Folders made by a check that then
        // fails are removed again (only while empty: rmdir), the output folder too if the
        // check made it.
        let folders = [root] + Preset.tutorial.map { root.appendingPathComponent($0.rawValue) }
        let missing = folders.filter { !FileManager.default.fileExists(atPath: $0.path) }
        do {
            for (folder, preset) in zip(folders.dropFirst(), Preset.tutorial) {
                try Experiment(preset: preset).checkNothingStandsInTheWay(in: OutputFolder(folder))
            }
        } catch {
            for folder in missing.reversed() { rmdir(folder.path) }
            throw error
        }
        for preset in Preset.tutorial {
            var experiment = Experiment(preset: preset)
            experiment.training.seed = seed
            experiment.training.epochs = epochs
            experiment.dataFolder = URL(fileURLWithPath: folder).standardizedFileURL.path
            printLine("== \(preset.rawValue): \(preset.model!.allWidths.map(String.init).joined(separator: "-")) ==")
            let display = TerminalProgress.forTraining(quiet: quiet)
            try experiment.showingProgress(on: display).run(on: data, writingTo: root.appendingPathComponent(preset.rawValue),
                                                            log: display?.log ?? printLine)
        }
        let shown = output.hasSuffix("/") ? String(output.dropLast()) : output
        printLine("Wrote \(shown)/autoencoder and \(shown)/encoder2d")
    }
}
