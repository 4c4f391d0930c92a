import ArgumentParser
import Autoencoder
import Foundation

/// `autoencoder report DIR`: rebuilds a run folder's `report.html` from its files.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Rebuild a run folder's report.html from its metrics, model and test data.",
        discussion: """
            Reads the folder's metrics.json and model.safetensors, and the test data as the \
            other commands on a saved model find it (--data in any format, else the data the \
            model was trained on, by its recorded recipe), and writes report.html \
            into the folder: one self-contained page with the settings and metrics, the \
            layers, the loss curves, the reconstructions, a scatter of every test sample's \
            code and, for a 2-D code with a dense decoder, a latent explorer. `train` writes \
            it at the end of every run; see docs/report.md.
            """)

    @Argument(help: ArgumentHelp("The run's output folder (holding metrics.json and model.safetensors).", valueName: "run-folder"))
    var folder: String

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var formatOptions: DataFormatOptions
    @OptionGroup var threadOptions: ThreadOptions

    func run() throws {
        let url = URL(fileURLWithPath: folder)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw CommandError("'\(folder)' is not a folder; give the output folder of a `train` run.")
        }
        let metricsURL = url.appendingPathComponent("metrics.json")
        guard FileManager.default.fileExists(atPath: metricsURL.path) else {
            throw CommandError("The folder '\(folder)' holds no metrics.json, so it is not the output folder of a `train` run.")
        }
        let metrics: RunMetrics
        do {
            metrics = try JSONDecoder().decode(RunMetrics.self, from: Data(contentsOf: metricsURL))
        } catch {
            throw CommandError("The file '\(metricsURL.path)' cannot be read as a run's metrics.json.")
        }
        // The name metrics.json gives, when it is a plain file name (it may have been edited).
        let name = metrics.modelFile.flatMap { $0.isEmpty || $0.contains("/") || $0 == "." || $0 == ".." ? nil : $0 }
            ?? ModelFile.defaultName
        let modelURL = url.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: modelURL.path) else {
            throw CommandError("The folder '\(folder)' holds no \(name), the run's model, so its report cannot be built.")
        }
        let model = try ModelFile.read(from: modelURL)
        // The test data as `evaluate` and `reconstruct` find it: --data in any format, else
        // the model's recorded data (its recipe), scaled as the model takes it.
        let test = try dataOptions.modelData(for: model, format: formatOptions, needsTraining: false).test
        guard test.count > 0 else { throw CommandError("The test set holds no samples, so the report has none to show.") }
        guard test.width == model.model.inputWidth else {
            throw CommandError("The test samples have \(test.width) values but the model '\(modelURL.path)' takes \(model.model.inputWidth).")
        }
        _ = try OutputFolder(url)
        try RunReport(folder: url, metrics: metrics, model: model, samples: ReportSamples(test)).write()
        printLine("Wrote \(url.appendingPathComponent(RunReport.fileName).path)")
    }
}
