import ArgumentParser
import Autoencoder
import Foundation

/// `autoencoder reconstruct`: originals above their reconstructions, as the tutorial draws them.
struct ReconstructCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconstruct",
        abstract: "Draw samples above a saved model's reconstructions of them, or write the reconstructions as numbers.",
        discussion: """
            A .png output is the tutorial's figure: the chosen images on top, their reconstructions \
            below (samples that are not images: line plots, the gap shaded). A .npy or .csv output \
            holds the reconstructions of the chosen samples (default: all) in the data's own units, \
            the model's scaling undone; a CSV gets its input's header.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var inputOptions: InputOptions
    @OptionGroup var threadOptions: ThreadOptions

    @Option(parsing: .upToNextOption, help: ArgumentHelp(
        "Which images: indices such as 0 1 2 or 0,1,2 (default: the first 10).", valueName: "indices"))
    var indices: [String] = []

    @Option(help: ArgumentHelp("The file to write: .png (a picture), .npy or .csv (the numbers).", valueName: "file"))
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
        let kind = URL(fileURLWithPath: output).pathExtension.lowercased()
        if kind == "npy" || kind == "csv" {
            try writeNumbers(of: file, input: input, as: kind)
            return
        }
        if input.shape == nil, file.imageShape == nil,
           file.scaling != .pixels || input.featureNames != nil || file.inferredImageShape == nil {
            try drawSignals(of: file, input: input)
            return
        }
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
            imageWidth: shape.columns, imageHeight: shape.rows, scale: 3, colorMap: colorMap(named: colormap),
            channels: shape.channels).render()
        try image.write(to: URL(fileURLWithPath: output))
        printLine("Wrote \(chosen.count) originals and reconstructions to \(output)")
    }

    /// The chosen samples (default: all), reconstructed and written as numbers in the data's
    /// units: `.npy` float32 `[n, width]`, or a CSV with the input's header.
    func writeNumbers(of file: ModelFile, input: LoadedInput, as kind: String) throws {
        let chosen = try parsedIndices() ?? Array(0..<input.images.rows)
        if let bad = chosen.first(where: { $0 >= input.images.rows }) {
            throw CommandError("--indices \(bad) is out of range: \(input.name) has \(input.images.rows) samples (indices 0 to \(input.images.rows - 1)).")
        }
        let width = input.images.columns
        var outputs: [Float] = []
        outputs.reserveCapacity(chosen.count * width)
        for start in stride(from: 0, to: chosen.count, by: 1000) {
            let part = chosen[start..<min(start + 1000, chosen.count)]
            let batch = Matrix(rows: part.count, columns: width, storage: part.flatMap { input.images.row($0) })
            let reconstructed = file.model.reconstruct(batch)
            try requireFinite(reconstructed, "The model '\(modelOptions.model)' gives NaN or infinite values reconstructing \(input.name); "
                              + "its weights are too large for these samples.")
            outputs += reconstructed.storage
        }
        let values = input.scaling.inverted(outputs, width: width)
        if kind == "npy" {
            try NPY.write(values, shape: [chosen.count, width], to: URL(fileURLWithPath: output))
        } else {
            let header = input.featureNames ?? (1...max(width, 1)).map { "value_\($0)" }
            var text = header.map(Self.csvField).joined(separator: ",") + "\n"
            for row in 0..<chosen.count {
                text += values[(row * width)..<((row + 1) * width)].map { "\($0)" }.joined(separator: ",") + "\n"
            }
            try AtomicFileWriter.write(Array(text.utf8), toPath: output)
        }
        printLine("Wrote \(chosen.count) reconstructions to \(output)")
    }

    /// A CSV field, quoted (RFC 4180) when it holds a comma, a quote or a line break.
    static func csvField(_ text: String) -> String {
        text.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    /// Samples that are not images drawn as line plots above their reconstructions.
    func drawSignals(of file: ModelFile, input: LoadedInput) throws {
        let chosen = try parsedIndices() ?? Array(0..<min(5, input.images.rows))
        if let bad = chosen.first(where: { $0 >= input.images.rows }) {
            throw CommandError("--indices \(bad) is out of range: \(input.name) has \(input.images.rows) samples (indices 0 to \(input.images.rows - 1)).")
        }
        let width = input.images.columns
        let originals = Matrix(rows: chosen.count, columns: width, storage: chosen.flatMap { input.images.row($0) })
        let outputs = file.model.reconstruct(originals)
        try requireFinite(outputs, "The model '\(modelOptions.model)' gives NaN or infinite values reconstructing \(input.name); "
                          + "its weights are too large for these samples.")
        let shownOriginals = input.scaling.inverted(originals.storage, width: width)
        let shownOutputs = input.scaling.inverted(outputs.storage, width: width)
        let panels = chosen.enumerated().map { position, index in
            let range = (position * width)..<((position + 1) * width)
            let error = zip(originals.storage[range], outputs.storage[range]).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +)
            return SignalComparison.Panel(original: Array(shownOriginals[range]), reconstruction: Array(shownOutputs[range]),
                                          title: "sample \(index), MSE " + String(format: "%.4g", error / Double(max(width, 1))))
        }
        try SignalComparison(panels: panels).render().write(to: URL(fileURLWithPath: output))
        printLine("Wrote \(chosen.count) originals and reconstructions to \(output)")
    }
}
