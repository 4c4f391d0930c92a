import ArgumentParser
import Autoencoder
import Foundation

/// `autoencoder sample`: new samples from a variational autoencoder's prior.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Draw new samples from a variational autoencoder: codes from its standard normal prior, decoded.",
        discussion: """
            Writes a picture of the samples (.png, --columns per row) or their values as a \
            float32 .npy array of shape [count, features].
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var threadOptions: ThreadOptions

    @Option(help: "How many samples to draw.")
    var count: Int = 100

    @Option(help: ArgumentHelp("Where to write the samples: a .png picture or a .npy array.", valueName: "file"))
    var output: String

    @Option(help: "Seed of the codes drawn; the same seed gives the same samples.")
    var seed: UInt64 = 0

    @Option(help: "Samples per row of the picture.")
    var columns: Int = 10

    @Option(help: "Colour map of the picture: viridis or gray.")
    var colormap: String = "viridis"

    func validate() throws {
        let ext = URL(fileURLWithPath: output).pathExtension.lowercased()
        guard ext == "png" || ext == "npy" else {
            throw ValidationError("--output must end in .png or .npy, not '\(output)'.")
        }
        guard count >= 1 else { throw ValidationError("--count must be at least 1, not \(count).") }
        guard columns >= 1 else { throw ValidationError("--columns must be at least 1, not \(columns).") }
    }

    func run() throws {
        try checkOutputFile(output, inputs: [("--model", modelOptions.model)])
        let file = try modelOptions.load()
        guard file.model.architecture.isVariational else {
            throw CommandError("The model '\(modelOptions.model)' is not a variational autoencoder (its encoder does not end in a Sampling layer), so its codes have no prior to draw from; use `autoencoder decode --codes` for codes of your own.")
        }
        let isPicture = URL(fileURLWithPath: output).pathExtension.lowercased() == "png"
        let map = try colorMap(named: colormap)
        let shape = isPicture ? try file.drawingShape() : nil
        if let shape { try Figures.checkImageGrid(count: count, shape: shape, columns: columns) }
        guard count <= ModelDescription.maximumSampleWidth / max(file.model.inputWidth, 1) else {
            throw CommandError("--count \(count) would make \(count) samples of \(file.model.inputWidth) values, more than the \(ModelDescription.maximumSampleWidth) values one command writes; draw fewer.")
        }
        var generator = RandomGenerator(seed: seed)
        let samples = file.model.sample(count: count, generator: &generator)
        try requireFinite(samples, "The decoder of '\(modelOptions.model)' gives NaN or infinite values for codes drawn from its prior.")
        if let shape {
            try Figures.imageGrid(samples, shape: shape, columns: columns, colorMap: map).write(to: URL(fileURLWithPath: output))
        } else {
            try CodeFile.write(samples, to: output)
        }
        printLine("Wrote \(count) samples to \(output)")
    }
}
