import Foundation

/// How good a trained model is on a data set's test images, next to the baselines: what
/// `autoencoder evaluate` prints and writes as JSON.
///
/// - **MSE**: the mean squared error over every pixel of every test image (pixels in [0, 1]).
/// - **PSNR**: `10·log10(1 / MSE)` dB of that overall MSE (peak value 1), not a mean of
///   per-image PSNRs.
/// - **Per label**: the MSE over the test images of each label (a digit, for MNIST).
/// - **kNN accuracy**: each test code classified by its `k` nearest training codes
///   (see ``NearestNeighbors``), compared with the test labels.
/// - **Baselines**: PCA fitted on the training images with as many components as the
///   model's code is wide (its MSE and kNN accuracy on its own codes), and the mean
///   training image as the reconstruction of every test image.
public struct EvaluationReport: Codable, Sendable, Equatable {
    /// One label's results.
    public struct LabelResult: Codable, Sendable, Equatable {
        /// The label (0 to 9 for MNIST's digits).
        public var label: Int
        /// How many test images carry it.
        public var count: Int
        /// The mean squared error over their pixels.
        public var mse: Double
        /// `10·log10(1 / mse)` in dB.
        public var psnr: Double
    }

    /// One row of the comparison: the model or a baseline.
    public struct Row: Codable, Sendable, Equatable {
        /// `model`, `PCA-<n>` or `mean image`.
        public var name: String
        /// The code width (0 for the mean image).
        public var codeWidth: Int
        /// The test MSE over every pixel.
        public var mse: Double
        /// `10·log10(1 / mse)` in dB.
        public var psnr: Double
        /// The kNN accuracy of its codes, when it has codes.
        public var knnAccuracy: Double?
    }

    /// The model file evaluated.
    public var modelFile: String
    /// The data folder measured on, when the caller says (the `evaluate` command does).
    public var dataFolder: String?
    /// The model's preset, if recorded.
    public var preset: String?
    /// The encoder widths.
    public var encoderWidths: [Int]
    /// The number of training images (kNN references, PCA fit).
    public var trainingImages: Int
    /// The number of test images.
    public var testImages: Int
    /// The `k` of the kNN accuracy.
    public var k: Int
    /// The model's test MSE.
    public var mse: Double
    /// The model's PSNR in dB.
    public var psnr: Double
    /// The model's kNN accuracy.
    public var knnAccuracy: Double?
    /// The MSE of each label present in the test set.
    public var perLabel: [LabelResult]
    /// The model and the baselines, in that order.
    public var comparison: [Row]

    /// `10·log10(1 / mse)`, or infinity for a perfect reconstruction.
    public static func psnr(mse: Double) -> Double {
        mse > 0 ? 10 * log10(1 / mse) : .infinity
    }

    /// The report as a text table.
    public func table() -> String {
        var lines: [String] = []
        lines.append("Model: \(modelFile) (\(preset ?? "custom"), \(encoderWidths.map(String.init).joined(separator: "-")))")
        if let dataFolder { lines.append("Data: \(dataFolder)") }
        lines.append("Test images: \(testImages); training images (kNN references, PCA fit): \(trainingImages)")
        lines.append("")
        lines.append(pad("", 12) + pad("code", 6) + pad("test MSE", 11) + pad("PSNR dB", 9) + "kNN (k=\(k))")
        for row in comparison {
            lines.append(pad(row.name, 12) + pad(row.codeWidth == 0 ? "-" : String(row.codeWidth), 6)
                         + pad(String(format: "%.4f", row.mse), 11) + pad(String(format: "%.2f", row.psnr), 9)
                         + (row.knnAccuracy.map { String(format: "%.4f", $0) } ?? "-"))
        }
        lines.append("")
        lines.append(pad("label", 7) + pad("images", 8) + pad("MSE", 9) + "PSNR dB")
        for result in perLabel {
            lines.append(pad(String(result.label), 7) + pad(String(result.count), 8)
                         + pad(String(format: "%.4f", result.mse), 9) + String(format: "%.2f", result.psnr))
        }
        return lines.joined(separator: "\n")
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    /// The report as pretty-printed JSON.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}

/// A model whose output holds NaN or infinite values on the images it is given: finite
/// weights can still overflow, and nothing measured from such output means anything.
public struct NonFiniteOutputError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// The model (its file, or "model").
    public let model: String
    /// What overflowed, as the end of the sentence: "codes for the test set".
    public let output: String

    /// Creates the error.
    public init(model: String, output: String) {
        self.model = model
        self.output = output
    }

    /// One sentence naming the model and what overflowed.
    public var description: String {
        "The model '\(model)' gives NaN or infinite \(output); its weights are too large for these images."
    }
    /// The same sentence, for Foundation's `localizedDescription`.
    public var errorDescription: String? { description }
}

/// A model whose input does not fit the data it is given.
public struct InputSizeError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// The model file.
    public let model: String
    /// Its input width.
    public let modelWidth: Int
    /// The data, as named in the message.
    public let data: String
    /// The data's values per sample.
    public let dataWidth: Int
    /// Optional `rows x columns` of the data's images.
    public let dataShape: String?

    /// Creates the error.
    public init(model: String, modelWidth: Int, data: String, dataWidth: Int, dataShape: String? = nil) {
        self.model = model
        self.modelWidth = modelWidth
        self.data = data
        self.dataWidth = dataWidth
        self.dataShape = dataShape
    }

    /// One sentence naming the model, the data and both widths.
    public var description: String {
        "The model '\(model)' takes \(modelWidth) values per image but \(data) has \(dataWidth)\(dataShape.map { " (\($0))" } ?? "") per image."
    }
    /// The same sentence, for Foundation's `localizedDescription`.
    public var errorDescription: String? { description }
}

extension ModelFile {
    /// Throws ``InputSizeError`` unless the model takes images of `images`' size.
    public func checkInputWidth(_ width: Int, data: String, shape: String? = nil) throws {
        guard width == model.inputWidth else {
            throw InputSizeError(model: path ?? "model", modelWidth: model.inputWidth,
                                 data: data, dataWidth: width, dataShape: shape)
        }
    }

    /// Evaluates the model on `data` (see ``EvaluationReport``), with `k` (at least 1) nearest
    /// training codes voting for each test image's label; with fewer training images than
    /// `k`, all of them vote (the report's `k` says how many did).
    ///
    /// Throws ``InputSizeError`` for images of another size than the model takes,
    /// ``ConfigurationError`` for a `k` below 1 or a training or test set without images, and
    /// ``NonFiniteOutputError`` when the model's codes or reconstructions overflow.
    public func evaluate(
        on data: MNIST, k: Int = 5, baselines: Bool = true,
        multiplier: any MatrixMultiplier = MatrixMultiplication.preferred
    ) throws -> EvaluationReport {
        try evaluate(training: Dataset(data.training, origin: "training"), test: Dataset(data.test, origin: "test"),
                     k: k, baselines: baselines, multiplier: multiplier)
    }

    /// As ``evaluate(on:k:baselines:multiplier:)`` on any training and test data scaled as
    /// the model takes them; without labels there is no per-label table and no kNN accuracy.
    public func evaluate(
        training: Dataset, test: Dataset, k: Int = 5, baselines: Bool = true,
        multiplier: any MatrixMultiplier = MatrixMultiplication.preferred
    ) throws -> EvaluationReport {
        guard k >= 1 else { throw ConfigurationError.neighborCount(k) }
        guard training.count > 0 else { throw ConfigurationError.noTrainingSamples }
        guard test.count > 0 else { throw ConfigurationError.noTestSamples }
        try checkInputWidth(test.width, data: "the test set", shape: test.sampleShape.count == 3 && test.sampleShape[0] == 1
                            ? "\(test.sampleShape[1])x\(test.sampleShape[2])" : test.sampleShape.map(String.init).joined(separator: "x"))
        // Labels as class indices for the kNN vote (which counts up to 256 classes).
        let classes = Array(Set((training.labels ?? []) + (test.labels ?? []))).sorted()
        let classIndex = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, UInt8(truncatingIfNeeded: $0)) })
        let votes: (training: [UInt8], test: [UInt8])? = classes.count <= 256
            ? training.labels.flatMap { a in test.labels.map { b in (a.map { classIndex[$0]! }, b.map { classIndex[$0]! }) } }
            : nil

        // The model's errors, per sample, summed per label.
        var sums: [Int: Double] = [:]
        var counts: [Int: Int] = [:]
        let errors = test.squaredErrors { model.reconstruct($0) }
        if let labels = test.labels {
            for (index, error) in errors.enumerated() {
                sums[labels[index], default: 0] += error
                counts[labels[index], default: 0] += 1
            }
        }
        let pixels = Double(test.width)
        let mse = test.count == 0 ? 0 : errors.reduce(0, +) / (Double(test.count) * pixels)
        let name = path ?? "model"
        guard mse.isFinite else { throw NonFiniteOutputError(model: name, output: "pixels reconstructing the test set") }
        let perLabel = counts.keys.sorted().map { label in
            let value = sums[label]! / (Double(counts[label]!) * pixels)
            return EvaluationReport.LabelResult(label: label, count: counts[label]!, mse: value,
                                                psnr: EvaluationReport.psnr(mse: value))
        }

        let trainingCodes = model.encode(training)
        let testCodes = model.encode(test)
        // A saturating output layer can turn infinite codes into finite pixels.
        for (codes, set) in [(trainingCodes, "training"), (testCodes, "test")] where !codes.storage.allSatisfy(\.isFinite) {
            throw NonFiniteOutputError(model: name, output: "codes for the \(set) set")
        }
        let kk = min(k, training.count)
        let knn = votes.map { NearestNeighbors.accuracy(queries: testCodes, queryLabels: $0.test, references: trainingCodes,
                                                        referenceLabels: $0.training, k: kk, multiplier: multiplier) }
        var rows = [EvaluationReport.Row(name: "model", codeWidth: model.codeWidth, mse: mse,
                                         psnr: EvaluationReport.psnr(mse: mse), knnAccuracy: knn)]

        if baselines {
            let components = min(model.codeWidth, test.width)
            let pca = PCA.fit(count: training.count, width: training.width, components: components,
                              rows: { training.matrix($0) }, multiplier: multiplier)
            let pcaErrors = test.squaredErrors { pca.reconstruct($0, multiplier: multiplier) }
            let pcaMSE = pcaErrors.reduce(0, +) / (Double(max(test.count, 1)) * pixels)
            let pcaTraining = training.mapInChunks { pca.encode($0, multiplier: multiplier) }
            let pcaTest = test.mapInChunks { pca.encode($0, multiplier: multiplier) }
            let pcaKNN = votes.map { NearestNeighbors.accuracy(queries: pcaTest, queryLabels: $0.test, references: pcaTraining,
                                                               referenceLabels: $0.training, k: kk, multiplier: multiplier) }
            rows.append(.init(name: "PCA-\(components)", codeWidth: components, mse: pcaMSE,
                              psnr: EvaluationReport.psnr(mse: pcaMSE), knnAccuracy: pcaKNN))
            let mean = pca.mean
            let meanErrors = test.squaredErrors { batch in
                Matrix(rows: batch.rows, columns: batch.columns,
                       storage: Array((0..<batch.rows).map { _ in mean }.joined()))
            }
            let meanMSE = meanErrors.reduce(0, +) / (Double(max(test.count, 1)) * pixels)
            rows.append(.init(name: "mean image", codeWidth: 0, mse: meanMSE,
                              psnr: EvaluationReport.psnr(mse: meanMSE), knnAccuracy: nil))
        }
        return EvaluationReport(
            modelFile: path ?? "model", preset: preset, encoderWidths: model.layout.shapes[0...model.encoderDepth].map(\.width),
            trainingImages: training.count, testImages: test.count, k: kk, mse: mse,
            psnr: EvaluationReport.psnr(mse: mse), knnAccuracy: knn, perLabel: perLabel, comparison: rows)
    }
}
