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

    /// Throws ``CommandError`` when `training`'s batch size, the preset's, is larger than
    /// the training set of `data`; `advice` says what to give instead. (The first width is
    /// the data's: `train` sets it.) `presetName` is possessive ("autoencoder preset's").
    static func check(model: ModelConfiguration, training: TrainingConfiguration, presetName: String,
                      data: Dataset, checkBatchSize: Bool, advice: (Change) -> String) throws {
        let count = data.count
        guard checkBatchSize, count > 0, training.batchSize > count else { return }
        let samples = "\(count) sample\(count == 1 ? "" : "s")"
        throw CommandError("The training data in \(data.origin) holds \(samples), fewer than the \(presetName) batch size of "
                           + "\(training.batchSize): \(advice(Change(batchSize: count))).")
    }

    /// As above for the demo, whose presets' widths and batch size must fit the MNIST-format
    /// data in `folder` as they are (it has no options to change them).
    static func check(model: ModelConfiguration, training: TrainingConfiguration, presetName: String, pronoun: String = "its",
                      data: MNIST, folder: String, checkWidth: Bool, checkBatchSize: Bool,
                      advice: (Change) -> String) throws {
        let pixels = data.training.pixelsPerImage
        let shape = "\(data.training.rows)x\(data.training.columns)"
        guard pixels > 0 else { throw CommandError("The images in \(folder) are \(shape): they have no pixels to learn from.") }
        let count = data.training.count
        var change = Change()
        if checkWidth, model.encoderWidths[0] != pixels { change.widths = [pixels] + model.encoderWidths.dropFirst() }
        if checkBatchSize, count > 0, training.batchSize > count { change.batchSize = count }
        let images = "\(count) image\(count == 1 ? "" : "s")"
        let sentence: String
        switch (change.widths, change.batchSize) {
        case (nil, nil):
            return
        case (_?, nil):
            sentence = "The images in \(folder) are \(shape) (\(pixels) pixel\(pixels == 1 ? "" : "s")), but the \(presetName) layers start at \(model.encoderWidths[0])"
        case (nil, _?):
            sentence = "The training set in \(folder) holds \(images), fewer than the \(presetName) batch size of \(training.batchSize)"
        case (_?, _?):
            sentence = "The images in \(folder) are \(shape) (\(pixels) pixel\(pixels == 1 ? "" : "s")) and the training set holds \(images), "
                + "but the \(presetName) layers start at \(model.encoderWidths[0]) and \(pronoun) batch size is \(training.batchSize)"
        }
        throw CommandError(sentence + ": \(advice(change)).")
    }

    /// `path` as a shell word: as it is when it needs no quoting, else in single quotes.
    /// (A relative path starting with `-` gets `./`, or it would read as an option.)
    static func shellWord(_ path: String) -> String {
        let path = path.hasPrefix("-") ? "./" + path : path
        let plain = path.allSatisfy { $0.isLetter || $0.isNumber || "/._-+,:@%=".contains($0) }
        return plain && !path.isEmpty ? path : "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// `--layers 400,256,128 --batch-size 100`: the options that make `change`.
    static func options(_ change: Change) -> String {
        var parts: [String] = []
        if let widths = change.widths { parts.append("--layers " + widths.map(String.init).joined(separator: ",")) }
        if let batchSize = change.batchSize { parts.append("--batch-size \(batchSize)") }
        return parts.joined(separator: " ")
    }
}
