import Autoencoder

/// The settings a preset brings that the data may not fit: its first width (the tutorial's
/// 784 pixels) and its batch size (256). Checked by `train` for the settings the user left
/// to the preset, and by `demo` (which has no options for them), so that one sentence names
/// everything to change instead of an option the user never typed, or that `demo` does
/// not have.
enum PresetFit {
    /// What would fit the data: the widths with the data's first width, and a batch size
    /// no larger than the training set; `nil` for what fits already (or is not checked).
    struct Change {
        /// The encoder widths that fit, when the preset's do not.
        var widths: [Int]?
        /// The largest batch size that fits, when the preset's does not.
        var batchSize: Int?
    }

    /// Throws ``CommandError`` when `model`'s first width or `training`'s batch size, both the
    /// preset's, do not fit `data` from `folder`; `advice` says what to give instead. Images
    /// of no pixels are refused first, as such.
    static func check(model: ModelConfiguration, training: TrainingConfiguration, presetName: String,
                      data: MNIST, folder: String, checkWidth: Bool, checkBatchSize: Bool,
                      advice: (Change) -> String) throws {
        let pixels = data.training.pixelsPerImage
        guard pixels > 0 else { throw ConfigurationError.emptyImages([data.training.rows, data.training.columns]) }
        let count = data.training.count
        var change = Change()
        var problems: [String] = []
        var presets: [String] = []
        if checkWidth, model.encoderWidths[0] != pixels {
            change.widths = [pixels] + model.encoderWidths.dropFirst()
            problems.append("are \(data.training.rows)x\(data.training.columns) (\(pixels) pixel\(pixels == 1 ? "" : "s"))")
            presets.append("layers start at \(model.encoderWidths[0])")
        }
        if checkBatchSize, count > 0, training.batchSize > count {
            change.batchSize = count
            problems.append("number \(count)")
            presets.append("batch size is \(training.batchSize)")
        }
        guard !problems.isEmpty else { return }
        throw CommandError("The training images in \(folder) \(problems.joined(separator: " and ")), but the \(presetName) "
                           + "\(presets.joined(separator: " and its ")): \(advice(change)).")
    }

    /// `--layers 400,256,128 --batch-size 100`: the options that make `change`.
    static func options(_ change: Change) -> String {
        var parts: [String] = []
        if let widths = change.widths { parts.append("--layers " + widths.map(String.init).joined(separator: ",")) }
        if let batchSize = change.batchSize { parts.append("--batch-size \(batchSize)") }
        return parts.joined(separator: " ")
    }
}
