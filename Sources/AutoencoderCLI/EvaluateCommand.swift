import ArgumentParser
import Autoencoder
import Foundation

/// `autoencoder evaluate`: test MSE, per label, PSNR, baselines and kNN accuracy of a saved model.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure a saved model on the test set against PCA and the mean image.",
        discussion: """
            Prints a table and writes it as JSON: the test MSE over all pixels, its PSNR \
            (10 log10(1/MSE), pixels in [0, 1]), the MSE of each label (digit), the k-nearest-neighbour \
            accuracy of the test codes against the training codes, and the same for PCA with as \
            many components as the code is wide (fitted on the training images) and the mean \
            training image.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var formatOptions: DataFormatOptions
    @OptionGroup var threadOptions: ThreadOptions

    @Option(parsing: .unconditional, help: "Neighbours of the kNN accuracy.")
    var k: Int = 5

    @Flag(help: "Skip the PCA and mean-image baselines.")
    var noBaselines = false

    @Option(help: ArgumentHelp("The JSON file to write (default: evaluation.json beside the model).", valueName: "file"))
    var output: String?

    func validate() throws {
        // The vote keeps the k nearest in a sorted list, so a huge k is quadratic; 1000 is plenty.
        guard (1...1000).contains(k) else { throw ValidationError("--k must be between 1 and 1000, not \(k).") }
    }

    func run() throws {
        let path = output ?? URL(fileURLWithPath: modelOptions.model).deletingLastPathComponent()
            .appendingPathComponent("evaluation.json").path
        let file = try modelOptions.load()
        try checkOutputFile(path, option: output == nil ? nil : "--output",
                            inputs: [("--model", modelOptions.model)] + dataOptions.files(for: file))
        let data = try dataOptions.modelData(for: file, format: formatOptions, needsTraining: true)
        // A model that overflows on the images is refused (NonFiniteOutputError), not measured.
        var report = try file.evaluate(training: data.training!, test: data.test, k: k, baselines: !noBaselines)
        report.dataFolder = data.origin
        // The table is several lines; a line break in the file's text must not add one.
        var shown = report
        shown.preset = report.preset.map { escapingControlCharacters(in: $0) }
        shown.modelFile = escapingControlCharacters(in: report.modelFile)
        shown.dataFolder = report.dataFolder.map { escapingControlCharacters(in: $0) }
        if report.k < k {
            printLine("Note: only \(report.trainingImages) training image\(report.trainingImages == 1 ? "" : "s"), so k = \(report.k) instead of \(k).")
        }
        printLine(shown.table())
        try AtomicFileWriter.write(Array(try report.json().utf8), toPath: path)
        printLine("Wrote \(path)")
    }
}
