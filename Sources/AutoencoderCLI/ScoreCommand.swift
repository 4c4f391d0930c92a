import ArgumentParser
import Autoencoder
import Foundation

/// `autoencoder score`: anomaly detection with a saved model, by each sample's reconstruction error.
struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score samples by a saved model's reconstruction error and call those above a threshold anomalies.",
        discussion: """
            Writes scores.csv (index,label,error,anomaly), scores.json (threshold, rule, counts, \
            metrics) and, when the samples' labels and the normal labels are known, roc.png and \
            errors.png into --output. The threshold comes from one rule: --threshold V, \
            --percentile P or --mean-std K of the errors on the model's training images, \
            --target-fpr R (at most that share of the normal samples above it: the labelled \
            normal samples, else the training images) or --best-f1 (on the labelled samples). \
            A rule's threshold is stored in the model file and used by later runs given none; \
            without either, the 95th percentile of the training errors is used.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var inputOptions: InputOptions
    @OptionGroup var threadOptions: ThreadOptions

    @Option(help: ArgumentHelp("Folder for scores.csv, scores.json, roc.png and errors.png.", valueName: "dir"))
    var output: String

    @Option(help: ArgumentHelp("The error: mse, mae, loss (the model's own) or elbo (variational models; default: the stored threshold's, else mse).",
                               valueName: "kind"))
    var error: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("A fixed threshold.", valueName: "value"))
    var threshold: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("The threshold is this percentile (0-100) of the training errors.", valueName: "p"))
    var percentile: Double?

    @Option(name: .customLong("mean-std"), parsing: .unconditional,
            help: ArgumentHelp("The threshold is the training errors' mean plus K standard deviations.", valueName: "k"))
    var meanStd: Double?

    @Option(name: .customLong("target-fpr"), parsing: .unconditional,
            help: ArgumentHelp("The threshold calls at most this share of the normal samples anomalies.", valueName: "rate"))
    var targetFPR: Double?

    @Flag(name: .customLong("best-f1"), help: "The threshold with the best F1 score on the labelled samples (needs --normal-labels).")
    var bestF1 = false

    @Option(name: .customLong("normal-labels"), help: ArgumentHelp(
        "The labels of normal samples, e.g. 0 or 0,1; every other label is an anomaly (default: the model's --only-labels).",
        valueName: "labels"))
    var normalLabels: String?

    /// The rules given, by option.
    var rulesGiven: [(option: String, rule: ThresholdRule)] {
        var rules: [(String, ThresholdRule)] = []
        if let threshold { rules.append(("--threshold", .value(threshold))) }
        if let percentile { rules.append(("--percentile", .percentile(percentile))) }
        if let meanStd { rules.append(("--mean-std", .meanStd(meanStd))) }
        if let targetFPR { rules.append(("--target-fpr", .targetFalsePositiveRate(targetFPR))) }
        if bestF1 { rules.append(("--best-f1", .bestF1)) }
        return rules
    }

    /// `--error` as a kind, when given.
    func errorKind() throws -> ReconstructionErrorKind? {
        guard let error else { return nil }
        guard let kind = ReconstructionErrorKind(rawValue: error.lowercased()) else {
            throw ValidationError("--error must be mse, mae, loss or elbo, not '\(error)'.")
        }
        return kind
    }

    /// `--normal-labels` as numbers, when given.
    func parsedNormalLabels() throws -> [Int]? {
        guard let normalLabels else { return nil }
        return try normalLabels.split(separator: ",", omittingEmptySubsequences: false).map { part in
            let text = part.trimmingCharacters(in: .whitespaces)
            guard let label = Int(text), (0...255).contains(label) else {
                throw ValidationError("--normal-labels must be labels from 0 to 255 separated by commas, such as 0,1, not '\(normalLabels)'.")
            }
            return label
        }
    }

    func validate() throws {
        let rules = rulesGiven
        if rules.count > 1 {
            throw ValidationError("\(rules[0].option) and \(rules[1].option) are two threshold rules; give one.")
        }
        if let (option, rule) = rules.first {
            do { try rule.validate() } catch let error as ScoringError {
                throw ValidationError("\(option): \(error.description)")
            }
        }
        _ = try errorKind()
        _ = try parsedNormalLabels()
        if output == "-" { throw ValidationError("--output - would be a folder named '-', not standard output; give a folder name.") }
    }

    func run() throws {
        var file = try modelOptions.load()
        let input = try inputOptions.load(for: file)
        try file.checkInputWidth(input.images.columns, data: input.name, shape: input.shape?.text)
        let folder = try OutputFolder(URL(fileURLWithPath: output))

        // The rule: the one given, else the model's stored threshold, else the default.
        let given = rulesGiven.first?.rule
        let stored = given == nil ? file.anomalyThreshold : nil
        let kind = try errorKind() ?? stored?.error ?? .mse
        if let stored, stored.error != kind {
            throw CommandError("The model's stored threshold is for the error '\(stored.error.rawValue)', not '\(kind.rawValue)'; give a threshold rule for \(kind.rawValue).")
        }
        let rule = given ?? (stored == nil ? .percentile(95) : nil)

        let labels = input.labels.map { $0.map(Int.init) }
        var normal = try parsedNormalLabels()
        if normal == nil, labels != nil, let recorded = file.trainingLabels {
            normal = recorded
            printLine("Note: the model was trained on the labels \(recorded.map(String.init).joined(separator: ",")) only; they are the normal labels.")
        }
        if rule?.needsLabels == true {
            guard labels != nil else {
                throw CommandError("--best-f1 needs labelled samples, and \(input.name) has no labels; score the test set of --data instead.")
            }
            guard normal != nil else {
                throw CommandError("--best-f1 needs --normal-labels to know which labels are normal.")
            }
        }
        if normalLabels != nil, labels == nil {
            throw CommandError("--normal-labels needs labelled samples, and \(input.name) has no labels; score the test set of --data instead.")
        }

        let errors = try file.model.reconstructionErrors(on: input.images, kind: kind)
        var trainingCount: Int? = nil
        let value: Double
        if let rule {
            var trainingErrors: [Double]? = nil
            let labelled = labels.flatMap { labels in normal.map { normal in (errors, labels.map { !Set(normal).contains($0) }) } }
            var needsTraining = rule.needsTrainingErrors
            if case .targetFalsePositiveRate = rule, labelled == nil { needsTraining = true }
            if needsTraining {
                let data = try inputOptions.dataOptions.modelData(for: file, format: inputOptions.formatOptions, needsTraining: true)
                var training = data.training!
                // The recipe's reader keeps only the trained labels already; an MNIST folder's set is cut here.
                if file.dataRecipe == nil || inputOptions.dataOptions.data != nil, let kept = file.trainingLabels,
                   let restricted = training.samples(labeled: Set(kept)) {
                    training = restricted
                }
                guard training.count > 0 else {
                    throw CommandError("The \(rule.name) rule needs the errors on the model's training images, but \(data.origin) has none\(file.trainingLabels == nil ? "" : " of its labels").")
                }
                trainingErrors = try file.model.reconstructionErrors(on: training, kind: kind)
                trainingCount = training.count
            }
            do {
                value = try rule.threshold(trainingErrors: trainingErrors, labelled: labelled)
            } catch let error as ScoringError {
                throw CommandError(error.description)
            }
        } else {
            value = stored!.value
        }
        let threshold = rule.map { AnomalyThreshold(value: value, rule: $0, error: kind) } ?? stored!
        let report = try ScoreReport(modelFile: modelOptions.model, data: input.name, errors: errors, labels: labels,
                                     threshold: threshold, normalLabels: labels == nil ? nil : normal, trainingSamples: trainingCount)

        // Everything is computed: now the files, each written atomically.
        var pictures: [(name: String, image: RGBImage)] = []
        if let isAnomaly = report.isAnomaly {
            let normalErrors = zip(errors, isAnomaly).filter { !$0.1 }.map(\.0)
            let anomalousErrors = zip(errors, isAnomaly).filter { $0.1 }.map(\.0)
            pictures.append(("errors.png", try Histogram(.init(name: "normal", values: normalErrors),
                                                         .init(name: "anomalous", values: anomalousErrors),
                                                         threshold: threshold.value, title: "Reconstruction errors",
                                                         xAxisTitle: "\(kind.rawValue) error").render()))
            if let auc = report.metrics?.rocAUC {
                let curve = try ROCCurve(errors: errors, isAnomaly: isAnomaly)
                pictures.append(("roc.png", try LinePlot(series: [
                    .init(name: String(format: "ROC (AUC %.4f)", auc), x: curve.falsePositiveRates, y: curve.truePositiveRates),
                    .init(name: "chance", x: [0, 1], y: [0, 1], color: RGB(127, 127, 127)),
                ], title: "ROC curve", xAxisTitle: "false-positive rate", yAxisTitle: "true-positive rate",
                   legendCorner: .bottomRight).render()))
            }
        }
        try folder.writeText(report.csv(), to: "scores.csv")
        try folder.writeText(try report.json(), to: "scores.json")
        for picture in pictures { try picture.image.write(to: folder.file(picture.name)) }
        // Pictures of an earlier run that this one does not draw would not belong to these scores.
        for name in ["roc.png", "errors.png"] where !pictures.contains(where: { $0.name == name }) {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder.file(name).path, isDirectory: &isFolder), !isFolder.boolValue {
                try? FileManager.default.removeItem(at: folder.file(name))
            }
        }
        printLine(report.summary())
        if labels != nil, normal == nil {
            printLine("Note: give --normal-labels to measure how well the errors separate the anomalies.")
        }
        if rule != nil {
            if file.rawMetadata["checkpoint"] != nil {
                printLine("Note: the threshold is not stored in \(modelOptions.model), a checkpoint; store it in the model file written at the end of training.")
            } else if file.anomalyThreshold != threshold {
                file.anomalyThreshold = threshold
                try file.write(to: URL(fileURLWithPath: modelOptions.model))
                printLine("Stored the threshold in \(modelOptions.model)")
            }
        }
        printLine("Wrote \(output)")
    }
}
