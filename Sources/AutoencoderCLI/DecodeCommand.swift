import ArgumentParser
import Autoencoder
import Foundation

/// `autoencoder decode`: the images a saved model's decoder makes of codes, as a PNG grid.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Draw the images a saved model's decoder makes of codes.",
        discussion: """
            With --codes, decodes each code of a .npy ([n, width]) or .csv file and draws them \
            --columns to a row. With --grid N (2-D codes only), decodes an N x N sweep over the \
            code space (the latent manifold): the first code coordinate grows to the right, the \
            second upwards. The sweep covers --range, or else the box the model file records \
            (1st to 99th percentile of the test codes at the end of training). With --output \
            FILE.npy, writes the decoded values as a float32 array [n, features] instead of a picture.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var threadOptions: ThreadOptions

    @Option(help: ArgumentHelp("Codes to decode: a .npy array or CSV text, from a file or a pipe.", valueName: "file"))
    var codes: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Decode an N x N sweep over a 2-D code space instead.", valueName: "n"))
    var grid: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "The sweep's box: low,high for both coordinates, or xlow,xhigh,ylow,yhigh.", valueName: "numbers"))
    var range: String?

    @Option(parsing: .unconditional, help: "Images per row of the picture (with --codes).")
    var columns: Int = 10

    @Option(parsing: .unconditional, help: "Draw at most this many codes (with --codes).")
    var limit: Int = 400

    @Option(help: ArgumentHelp("The PNG to write, or a .npy file for the decoded values.", valueName: "file"))
    var output: String = "decoded.png"

    @Option(help: "Colour map: viridis or gray.")
    var colormap: String = "viridis"

    func validate() throws {
        switch (codes, grid) {
        case (nil, nil): throw ValidationError("Give --codes FILE, or --grid N for a 2-D code.")
        case (.some, .some): throw ValidationError("Give either --codes or --grid, not both.")
        default: break
        }
        if let grid, !(2...50).contains(grid) {
            throw ValidationError("--grid must be between 2 and 50, not \(grid).")
        }
        if range != nil, grid == nil { throw ValidationError("--range applies only to --grid.") }
        _ = try parsedRange()
        guard columns >= 1 else { throw ValidationError("--columns must be at least 1, not \(columns).") }
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1, not \(limit).") }
        _ = try colorMap(named: colormap)
    }

    func parsedRange() throws -> ModelFile.CodeRange? {
        guard let range else { return nil }
        let numbers = range.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard numbers.allSatisfy({ $0 != nil && $0!.isFinite }), numbers.count == 2 || numbers.count == 4 else {
            throw ValidationError("--range must be low,high or xlow,xhigh,ylow,yhigh, not '\(range)'.")
        }
        let values = numbers.map { $0! }
        let box = values.count == 2
            ? ModelFile.CodeRange(low: [values[0], values[0]], high: [values[1], values[1]])
            : ModelFile.CodeRange(low: [values[0], values[2]], high: [values[1], values[3]])
        guard zip(box.low, box.high).allSatisfy({ $0 < $1 }) else {
            throw ValidationError("--range needs each low below its high, not '\(range)'.")
        }
        guard box.isUsableBox else {
            throw ValidationError("--range spans more than a Float can hold, not '\(range)'.")
        }
        return box
    }

    /// Refuses decoded images with NaN or infinite pixels, which would be drawn as if they
    /// were dark: codes far outside what the model was trained on can overflow its layers.
    static func checkFinite(_ images: Matrix, codes: String, model: String) throws {
        try requireFinite(images, "The decoder of '\(model)' gives NaN or infinite pixels for \(codes); they are too far from the codes it was trained on.")
    }

    func run() throws {
        try checkOutputFile(output, inputs: [("--model", modelOptions.model)] + (codes.map { [("--codes", $0)] } ?? []))
        let file = try modelOptions.load()
        let configuration = file.model
        // A .npy output gets the values themselves (as `sample` writes them): no picture.
        let isArray = URL(fileURLWithPath: output).pathExtension.lowercased() == "npy"
        let shape = isArray ? ModelFile.ImageShape(rows: 1, columns: configuration.inputWidth) : try file.drawingShape()
        let map = try colorMap(named: colormap)
        let image: RGBImage
        if let grid {
            guard configuration.codeWidth == 2 else {
                throw CommandError("--grid needs a model with a 2-D code, but the code of '\(modelOptions.model)' is \(configuration.codeWidth) wide.")
            }
            guard let box = try parsedRange() ?? file.codeRange else {
                throw CommandError("The model '\(modelOptions.model)' records no code range; give the sweep's box with --range low,high.")
            }
            if !isArray { try Figures.checkImageGrid(count: grid * grid, shape: shape, columns: grid) }
            let images = file.model.decode(Figures.sweepCodes(size: grid, range: box))
            try Self.checkFinite(images, codes: "the sweep's codes", model: modelOptions.model)
            if isArray {
                try CodeFile.write(images, to: output)
            } else {
                image = try Figures.imageGrid(images, shape: shape, columns: grid, colorMap: map)
                try image.write(to: URL(fileURLWithPath: output))
            }
            printLine(String(format: "Wrote a %dx%d sweep over [%g, %g] x [%g, %g] to %@", grid, grid,
                             box.low[0], box.high[0], box.low[1], box.high[1], output))
            return
        }
        let path = codes!
        try refuseTerminal(path, option: "--codes")
        let all = try CodeFile.read(path)
        guard all.columns == configuration.codeWidth else {
            throw CommandError("'\(path)' holds codes of width \(all.columns) but the code of the model '\(modelOptions.model)' is \(configuration.codeWidth) wide.")
        }
        guard all.rows > 0 else { throw CommandError("'\(path)' holds no codes.") }
        let count = min(all.rows, limit)
        if !isArray { try Figures.checkImageGrid(count: count, shape: shape, columns: columns) }
        let selected = Matrix(rows: count, columns: all.columns, storage: Array(all.storage[0..<(count * all.columns)]))
        let images = file.model.decode(selected)
        try Self.checkFinite(images, codes: "the codes in '\(path)'", model: modelOptions.model)
        if isArray {
            try CodeFile.write(images, to: output)
        } else {
            image = try Figures.imageGrid(images, shape: shape, columns: columns, colorMap: map)
            try image.write(to: URL(fileURLWithPath: output))
        }
        printLine("Wrote \(count) decoded images\(count < all.rows ? " (the first \(count) of \(all.rows))" : "") to \(output)")
    }
}
