import Autoencoder

/// The settings a preset brings that the data may not fit: its first width (the tutorial's
/// 784 pixels) and its batch size (256). Checked by `train` for the settings the user left
/// to the preset, and by `demo` (which has no options for them), so that the sentence names
/// what to do instead of an option the user never typed, or that `demo` does not have.
enum PresetFit {
    /// Throws ``CommandError`` when `model`'s first width or `training`'s batch size, both the
    /// preset's, do not fit `data` from `folder`. `advice` says what to give instead, from
    /// the fitting first width and batch size.
    static func check(model: ModelConfiguration, training: TrainingConfiguration, presetName: String,
                      data: MNIST, folder: String,
                      checkWidth: Bool, checkBatchSize: Bool,
                      advice: (_ widths: [Int]?, _ batchSize: Int?) -> String) throws {
        let pixels = data.training.pixelsPerImage
        if checkWidth, pixels > 0, model.encoderWidths[0] != pixels {
            let shape = "\(data.training.rows)x\(data.training.columns)"
            throw CommandError("The images in \(folder) are \(shape) (\(pixels) pixels), but the \(presetName) "
                               + "layers start at \(model.encoderWidths[0]): \(advice([pixels] + model.encoderWidths.dropFirst(), nil)).")
        }
        let count = data.training.count
        if checkBatchSize, count > 0, training.batchSize > count {
            throw CommandError("The training set in \(folder) holds \(count) image\(count == 1 ? "" : "s"), fewer than the "
                               + "\(presetName) batch size of \(training.batchSize): \(advice(nil, count)).")
        }
    }

    /// `--layers 400,256,128`: the widths as `--layers` takes them.
    static func layersOption(_ widths: [Int]) -> String {
        "--layers " + widths.map(String.init).joined(separator: ",")
    }
}
