import ArgumentParser
import Autoencoder
import Foundation

/// `autoencoder inspect`: what a model file holds.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a saved model's architecture, parameters, training settings and metadata.")

    @OptionGroup var modelOptions: ModelOptions

    func run() throws {
        let file = try modelOptions.load()
        printLine(Self.describe(file))
    }

    static func describe(_ file: ModelFile) -> String {
        let configuration = file.model.configuration
        let network = file.model.network
        var lines: [String] = []
        let path = file.path ?? "model"
        // A pipe's size is what it holds at the moment, not the model's: shown for files only
        // (`stat` follows a symbolic link to the file).
        var status = stat()
        let bytes = stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFREG ? Int(status.st_size) : nil
        lines.append("File: \(path)\(bytes.map { " (\($0) bytes)" } ?? "")")
        lines.append("Format: \(ModelFile.formatName) version \(file.rawMetadata["format_version"] ?? ModelFile.formatVersion)\(file.rawMetadata["checkpoint"] != nil ? " (a training checkpoint)" : "")")
        lines.append("Preset: \(file.preset ?? "not recorded")")
        if let configuration {
            lines.append("Architecture: \(configuration.allWidths.map(String.init).joined(separator: "-"))")
            let output = configuration.activation(ofLayer: 2 * configuration.encoderDepth - 1)
            lines.append("Code: \(configuration.codeWidth) wide, \(configuration.codeActivation.rawValue); output layer \(output.rawValue)"
                         + (configuration.encoderDepth > 1 ? "; hidden layers \(configuration.activation.rawValue)" : ""))
            lines.append("Initialisers: weights \(configuration.weightInitializer.rawValue), biases \(configuration.biasInitializer.rawValue)")
            lines.append("Layers:")
            for (index, layer) in network.layers.enumerated() {
                let name = ModelFile.tensorPrefix(layer: index, of: configuration)
                let shapes = layer.parameterShapes.map { "\($0.name) \($0.shape)" }.joined(separator: ", ")
                lines.append("  \(name.padding(toLength: 10, withPad: " ", startingAt: 0)) \(layer.summary): \(shapes), \(layer.parameterCount) parameters")
            }
        } else {
            lines.append("Summary:")
            lines += summaryTable(file.model).map { "  " + $0 }
            lines.append("Description: " + file.model.architecture.compactJSON())
        }
        lines.append("Parameters: \(network.parameterCount) (\(network.parameterCount * 4) bytes as float32)")
        if let training = file.training {
            let done = file.epochsCompleted.map { "\($0) of " } ?? ""
            let noise = training.inputNoise > 0 ? ", input noise \(training.inputNoise) (denoising)" : ""
            let optimizer = training.optimizer.map { Self.describe($0) } ?? "Adam"
            let schedule = training.schedule.map { ", schedule \(ModelDescription.compact($0))" } ?? ""
            let gaussian = training.gaussianNoise > 0 ? ", Gaussian input noise \(training.gaussianNoise) (denoising)" : ""
            lines.append("Training: \(done)\(training.epochs) epochs, batch \(training.batchSize), \(optimizer) learning rate \(training.learningRate)\(schedule), seed \(training.seed)\(noise)\(gaussian)")
        } else {
            lines.append("Training: not recorded")
        }
        lines.append("Data: \(file.dataFolder.map { escapingControlCharacters(in: $0) } ?? "not recorded")")
        let shape = file.imageShape.map { "\($0.text) images" } ?? "\(file.model.inputWidth) values"
        lines.append("Input: \(shape), normalised as \(file.rawMetadata["normalization"] ?? ModelFile.pixelNormalization)")
        if let range = file.codeRange {
            let box = zip(range.low, range.high).map { String(format: "[%g, %g]", $0, $1) }.joined(separator: " x ")
            lines.append("Code range (1st to 99th percentile of the test codes): \(box)")
        }
        lines.append("Metadata:")
        for key in file.rawMetadata.keys.sorted() {
            var value = file.rawMetadata[key]!
            if value.count > 200 { value = String(value.prefix(197)) + "..." }
            lines.append("  \(key): \(value)")
        }
        // Each line is one line: text from the file (a preset, a metadata value) has its
        // line breaks and other control characters escaped.
        return lines.map { escapingControlCharacters(in: $0) }.joined(separator: "\n")
    }

    /// A table like Keras's `summary()`: one row per layer of the description (its module
    /// path, kind and activation), its output shape and its parameter count.
    static func summaryTable(_ model: AutoencoderModel) -> [String] {
        let rows = [("Layer", "Output shape", "Parameters")]
            + model.layerSummary.map { ($0.layer, $0.outputShape, "\($0.parameters)") }
        let widths = (0..<3).map { column in rows.map { [$0.0, $0.1, $0.2][column].count }.max()! }
        return rows.map { row in
            row.0.padding(toLength: widths[0], withPad: " ", startingAt: 0) + "  "
                + row.1.padding(toLength: widths[1], withPad: " ", startingAt: 0) + "  "
                + String(repeating: " ", count: widths[2] - row.2.count) + row.2
        } + [model.codeSummary]
    }

    /// An optimizer as `adam (epsilon 1e-07)`: its kind and the settings it was given.
    static func describe(_ optimizer: OptimizerSpecification) -> String {
        let settings = ModelDescription.compact(optimizer).dropFirst().dropLast()
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.hasPrefix("\"kind\"") }
            .map { $0.replacingOccurrences(of: "\"", with: "").replacingOccurrences(of: ":", with: "") }
        return optimizer.kind.rawValue + (settings.isEmpty ? "" : " (\(settings.joined(separator: ", ")))")
    }
}
