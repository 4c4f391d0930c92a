import ArgumentParser
import Autoencoder
import Foundation

/// `autoencoder encode`: the codes of a set of images, as `.npy` or `.csv`.
struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Write the codes a saved model gives a set of images.",
        discussion: """
            Writes one code per image: a float32 .npy array of shape [n, code width] \
            (np.load reads it) or a CSV with a header code_1,... (and a label column when \
            the images are the test set of --data).
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var inputOptions: InputOptions
    @OptionGroup var threadOptions: ThreadOptions

    @Option(help: ArgumentHelp("Where to write the codes: a .npy or .csv file.", valueName: "file"))
    var output: String

    func validate() throws {
        let ext = URL(fileURLWithPath: output).pathExtension.lowercased()
        guard ext == "npy" || ext == "csv" else {
            throw ValidationError("--output must end in .npy or .csv, not '\(output)'.")
        }
    }

    func run() throws {
        let model = try modelOptions.load()
        try checkOutputFile(output, inputs: [("--model", modelOptions.model)] + inputOptions.files(for: model))
        let input = try inputOptions.load(for: model)
        try model.checkInputWidth(input.images.columns, data: input.name,
                                  shape: input.shape?.text)
        let codes = model.model.network.apply(input.images, layers: 0..<model.model.encoderDepth)
        try requireFinite(codes, "The encoder of '\(modelOptions.model)' gives NaN or infinite codes for \(input.name); "
                          + "its weights are too large for these images.")
        try CodeFile.write(codes, labels: input.labels, to: output)
        printLine("Wrote \(codes.rows) codes of width \(codes.columns) to \(output)")
    }
}
