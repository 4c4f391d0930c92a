// Finds anomalies in a table: trains a small dense autoencoder on the normal rows of a CSV
// file, scores the held-out rows by their reconstruction error, picks a threshold from the
// training errors and prints the rows above it with the ROC-AUC.
//
//     swift run csv-anomalies [table.csv]
//
// Without an argument it writes a table of its own: rows of 8 sensor readings that follow two
// hidden settings (label 0), with a few planted rows whose readings follow nothing (label 1).
// A table of your own needs the same `label` column: 0 for normal rows, anything else for
// known anomalies.
import Autoencoder
import Foundation

/// Writes `sensors.csv` into `folder`: 600 rows of 8 features and a `label` column, every 25th
/// row (from the 13th) an anomaly. Returns its path and the 0-based rows of the anomalies.
func writeSensorTable(in folder: URL) throws -> (path: String, anomalies: [Int]) {
    var generator = RandomGenerator(seed: 7)
    var lines = [(1...8).map { "s\($0)" }.joined(separator: ",") + ",label"]
    var anomalies: [Int] = []
    for row in 0..<600 {
        let u = generator.nextUnitDouble(), v = generator.nextUnitDouble()
        var values = (0..<8).map { k in
            sin(Double(k + 1) * u + v) + 0.5 * cos(Double(k) * v) + 0.01 * generator.nextStandardNormal()
        }
        let isAnomaly = row % 25 == 12
        if isAnomaly {
            // Readings that break the features' relation: each drawn on its own.
            values = values.map { _ in 3 * generator.nextUnitDouble() - 1.5 }
            anomalies.append(row)
        }
        lines.append(values.map { String(format: "%.5f", $0) }.joined(separator: ",") + (isAnomaly ? ",1" : ",0"))
    }
    let url = folder.appendingPathComponent("sensors.csv")
    try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    return (url.path, anomalies)
}

/// Reads the table (or writes one), trains, scores and prints the flagged rows.
func findAnomalies() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("csv-anomalies-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let path: String
    if CommandLine.arguments.count > 1 {
        path = CommandLine.arguments[1]
    } else {
        let table = try writeSensorTable(in: folder)
        path = table.path
        print("planted anomalies: rows \(table.anomalies.map(String.init).joined(separator: " "))")
    }

    // Read the table, hold out a fifth of it, train on the held-in normal rows only.
    let table = try CSVReader.read(path: path, labelColumn: .name("label"))
    var (training, test) = table.split(testFraction: 0.2, seed: 0)
    var normal = training.samples(labeled: [0])!
    let scaling = Scaling.fit(.minmax, to: normal)
    normal.scaling = scaling
    test.scaling = scaling
    print("\(table.summary); training on \(normal.count) normal rows, testing on \(test.count)")

    var generator = RandomGenerator(seed: 0)
    let description = ModelDescription(
        inputShape: .vector(normal.width),
        encoder: [Dense.Specification(units: 16, activation: .tanh), Dense.Specification(units: 2)],
        decoder: [Dense.Specification(units: 16, activation: .tanh), Dense.Specification(units: normal.width)],
        loss: LossSpecification(.meanSquaredError))
    var model = try AutoencoderModel(architecture: description, generator: &generator)
    let reports = try model.fit(normal, settings: TrainingConfiguration(epochs: 150, batchSize: 32, learningRate: 0.01))
    print("training loss: \(reports.first!.meanCost) after epoch 1, \(reports.last!.meanCost) after epoch \(reports.count)")

    // Score: the threshold is the 99th percentile of the (normal) training rows' errors.
    let threshold = try ThresholdRule.percentile(99).threshold(trainingErrors: try model.reconstructionErrors(on: normal))
    let errors = try model.reconstructionErrors(on: test)
    let isAnomaly = test.labels!.map { $0 != 0 }
    let metrics = try DetectionMetrics(errors: errors, isAnomaly: isAnomaly, threshold: threshold)
    print("threshold: \(threshold)")
    for (index, error) in errors.enumerated() where error > threshold {
        print("flagged row \(test.storedIndex(of: index)): error \(error), label \(test.labels![index])")
    }
    print("flagged \(metrics.truePositives + metrics.falsePositives) of \(test.count) rows: "
          + "\(metrics.truePositives) of \(metrics.truePositives + metrics.falseNegatives) anomalies")
    print("ROC-AUC: \(metrics.rocAUC!)")
}

do {
    try findAnomalies()
} catch {
    // Bad data: one sentence on standard error, and exit 1.
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}
