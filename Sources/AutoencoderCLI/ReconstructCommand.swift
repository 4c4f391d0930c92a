import ArgumentParser
import Autoencoder
import Foundation

/// `autoencoder reconstruct`: originals above their reconstructions, as the tutorial draws them.
struct ReconstructCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconstruct",
        abstract: "Draw images above a saved model's reconstructions of them.",
        discussion: "The tutorial's figure: the chosen images on top, their reconstructions below.")

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var inputOptions: InputOptions

    @Option(parsing: .upToNextOption, help: ArgumentHelp(
        "Which images: indices such as 0 1 2 or 0,1,2 (default: the first 10).", valueName: "indices"))
    var indices: [String] = []

    @Option(help: ArgumentHelp("The PNG to write.", valueName: "file"))
    var output: String = "reconstructions.png"

    @Option(help: "Colour map: viridis or gray.")
    var colormap: String = "viridis"

    func parsedIndices() throws -> [Int]? {
        let parts = indices.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard !parts.isEmpty else { return nil }
        return try parts.map { part in
            guard let index = Int(part) else {
                if !part.isEmpty, part.allSatisfy({ $0.isASCII && $0.isNumber }) {
                    throw ValidationError("--indices \(part) is too large to be an image's index.")
                }
                throw ValidationError("--indices must be whole numbers such as 0,1,2, not '\(part)'.")
            }
            guard index >= 0 else { throw ValidationError("--indices must not be negative, not \(index).") }
            return index
        }
    }

    func validate() throws {
        if let indices = try parsedIndices(), indices.count > 100 {
            throw ValidationError("--indices takes at most 100 images, not \(indices.count).")
        }
        _ = try colorMap(named: colormap)
    }

    func run() throws {
        let file = try modelOptions.load()
        try checkOutputFile(output, inputs: [("--model", modelOptions.model)] + inputOptions.files(for: file))
        let input = try inputOptions.load(for: file)
        try file.checkInputWidth(input.images.columns, data: input.name,
                                 shape: input.shape?.text)
        // Images of the model's size are drawn at that size; the same pixels in another
        // shape (a [n, 16, 49] array of 28 x 28 images) would draw as nonsense.
        if let given = input.shape, let recorded = file.imageShape, given != recorded {
            throw CommandError("\(input.name.prefix(1).uppercased() + input.name.dropFirst()) holds images of \(given.text) but the model '\(modelOptions.model)' was trained on \(recorded.text) images.")
        }
        let shape = try input.shape ?? file.drawingShape()
        let chosen = try parsedIndices() ?? Array(0..<min(10, input.images.rows))
        if let bad = chosen.first(where: { $0 >= input.images.rows }) {
            throw CommandError("--indices \(bad) is out of range: \(input.name) has \(input.images.rows) images (indices 0 to \(input.images.rows - 1)).")
        }
        let originals = Matrix(rows: chosen.count, columns: input.images.columns,
                               storage: chosen.flatMap { input.images.row($0) })
        let outputs = file.model.reconstruct(originals)
        try requireFinite(outputs, "The model '\(modelOptions.model)' gives NaN or infinite pixels reconstructing \(input.name); "
                          + "its weights are too large for these images.")
        let image = try ImageGrid(
            rows: [(0..<originals.rows).map { Array(originals.row($0)) }, (0..<outputs.rows).map { Array(outputs.row($0)) }],
            imageWidth: shape.columns, imageHeight: shape.rows, scale: 3, colorMap: colorMap(named: colormap)).render()
        try image.write(to: URL(fileURLWithPath: output))
        printLine("Wrote \(chosen.count) originals and reconstructions to \(output)")
    }
}
