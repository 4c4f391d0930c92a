@testable import AutoencoderCLI
import Autoencoder
import Foundation
import Testing

/// `train --only-labels` and `autoencoder score`, run as the built executable on the small data.
@Suite struct ScoreCommandTests {
    /// A model trained for two epochs on the small set's images of the digit 1 only, in a
    /// folder of its own; trained once for every test here.
    static let oneClassRun: URL = {
        let folder = TestData.temporaryFolder()
        let result = try! Executable.run(["train", "--preset", "autoencoder", "--only-labels", "1", "--epochs", "2",
                                          "--batch-size", "16", "--data", TestData.smallFolder.path, "--output", folder.path])
        precondition(result.status == 0, result.error)
        return folder
    }()

    /// A copy of the one-class model in a fresh folder (scoring with a rule rewrites it).
    func freshModel() throws -> (model: String, folder: URL) {
        let folder = TestData.temporaryFolder()
        let model = folder.appendingPathComponent("model.safetensors")
        try FileManager.default.copyItem(at: Self.oneClassRun.appendingPathComponent("model.safetensors"), to: model)
        return (model.path, folder)
    }

    @Test func onlyLabelsTrainsOnThoseImagesAndRecordsThem() throws {
        let metrics = try JSONDecoder().decode(RunMetrics.self, from: Data(contentsOf: Self.oneClassRun.appendingPathComponent("metrics.json")))
        #expect(metrics.trainingLabels == [1])
        let small = try MNIST.load(from: TestData.smallFolder.path)
        #expect(metrics.trainingSamples == small.training.labels.filter { $0 == 1 }.count)
        #expect(metrics.testSamples == small.test.count)
        #expect(FileManager.default.fileExists(atPath: Self.oneClassRun.appendingPathComponent("losses.png").path))
        #expect(try ModelFile.read(from: Self.oneClassRun.appendingPathComponent("model.safetensors")).trainingLabels == [1])
    }

    @Test func scoringWritesTheTableTheReportAndThePictures() throws {
        let (model, folder) = try freshModel()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("scores")
        let result = try Executable.run(["score", "--model", model, "--data", TestData.smallFolder.path, "--percentile", "90",
                                         "--normal-labels", "1", "--output", output.path])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("ROC-AUC 0."))
        #expect(result.output.contains("Stored the threshold in \(model)"))
        let rows = try String(contentsOf: output.appendingPathComponent("scores.csv"), encoding: .utf8).split(separator: "\n")
        #expect(rows.first == "index,label,error,anomaly")
        #expect(rows.count == 51)
        #expect(rows[1].hasPrefix("0,7,"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("scores.json"))) as! [String: Any]
        let threshold = json["threshold"] as! [String: Any]
        #expect(threshold["rule"] as? String == "percentile" && threshold["parameter"] as? Double == 90)
        let metrics = json["metrics"] as! [String: Any]
        #expect((metrics["rocAUC"] as! Double) > 0.5)
        for name in ["roc.png", "errors.png"] {
            #expect(try PNG.read(from: output.appendingPathComponent(name)).width == 1000)
        }
        // The threshold is stored: a run without a rule uses it, and says so.
        let stored = try ModelFile.read(from: URL(fileURLWithPath: model)).anomalyThreshold
        #expect(stored?.rule == "percentile")
        #expect(abs((stored?.value ?? 0) - (threshold["value"] as! Double)) <= 1e-12 * abs(threshold["value"] as! Double))
        let again = try Executable.run(["score", "--model", model, "--data", TestData.smallFolder.path,
                                        "--output", output.path])
        #expect(again.status == 0, "\(again.error)")
        // The model's training labels are the normal labels when none are given.
        #expect(again.output.contains("the model was trained on the labels 1 only"))
        #expect(again.output.contains("(percentile 90)"))
    }

    @Test func everyRuleRuns() throws {
        let (model, folder) = try freshModel()
        defer { try? FileManager.default.removeItem(at: folder) }
        for rule in [["--threshold", "0.05"], ["--mean-std", "1"], ["--target-fpr", "0.1"], ["--best-f1"]] {
            let output = folder.appendingPathComponent("scores-\(rule[0].dropFirst(2))")
            let result = try Executable.run(["score", "--model", model, "--data", TestData.smallFolder.path, "--error", "mae",
                                             "--output", output.path] + rule)
            #expect(result.status == 0, "\(rule): \(result.error)")
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("scores.json"))) as! [String: Any]
            #expect((json["error"] as? String) == "mae")
        }
    }

    @Test func allNormalLabelsLeaveTheAreaUndefined() throws {
        let (model, folder) = try freshModel()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("scores")
        let result = try Executable.run(["score", "--model", model, "--data", TestData.smallFolder.path, "--threshold", "0.1",
                                         "--normal-labels", "0,1,2,3,4,5,6,7,8,9", "--output", output.path])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("ROC-AUC undefined"))
        #expect(result.output.contains("Note: Every sample is normal, so ROC-AUC and average precision are undefined."))
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("roc.png").path))
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("errors.png").path))
    }

    @Test func unlabelledInputHasNoLabelColumn() throws {
        let (model, folder) = try freshModel()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("samples.npy")
        let test = try MNIST.load(from: TestData.smallFolder.path).test.prefix(5)
        try NPY.write(test.matrix().storage, shape: [5, 784], to: input)
        let output = folder.appendingPathComponent("scores")
        let result = try Executable.run(["score", "--model", model, "--input", input.path, "--threshold", "0.05",
                                         "--output", output.path])
        #expect(result.status == 0, "\(result.error)")
        let rows = try String(contentsOf: output.appendingPathComponent("scores.csv"), encoding: .utf8).split(separator: "\n")
        #expect(rows.first == "index,error,anomaly" && rows.count == 6)
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("roc.png").path))
    }

    /// Each mistake is one sentence and nothing written: exit status 64 for options that do
    /// not go together or are out of range (ArgumentParser's usage error, as every command's
    /// option checks), 1 for what is found while running.
    @Test(arguments: [
        (["--threshold", "0.1", "--percentile", "95"], "--threshold and --percentile are two threshold rules; give one.", 64),
        (["--percentile", "101"], "--percentile: The percentile must be between 0 and 100, not 101.0.", 64),
        (["--target-fpr", "1"], "--target-fpr: The target false-positive rate must be at least 0 and less than 1, not 1.0.", 64),
        (["--error", "psnr"], "--error must be mse, mae, loss or elbo, not 'psnr'.", 64),
        (["--normal-labels", "one"], "--normal-labels must be labels from 0 to 255 separated by commas, such as 0,1, not 'one'.", 64),
        (["--error", "elbo", "--threshold", "1"], "The error 'elbo' needs a variational autoencoder; this model is not one (use mse, mae or loss).", 1),
        (["--best-f1", "--input", "SAMPLES"], "--best-f1 needs labelled samples, and 'SAMPLES' has no labels; score the test set of --data instead.", 1),
        (["--normal-labels", "1", "--input", "SAMPLES", "--threshold", "1"], "--normal-labels needs labelled samples, and 'SAMPLES' has no labels; score the test set of --data instead.", 1),
        (["--data", "CROPPED", "--threshold", "1"], "The model 'MODEL' takes 784 values per image but the test set has 400 (20x20) per image.", 1),
        (["--best-f1", "--normal-labels", "0,1,2,3,4,5,6,7,8,9"], "The best_f1 rule needs at least one anomaly among the labelled samples.", 1),
    ])
    func mistakesAreOneSentence(arguments: [String], sentence: String, status: Int32) throws {
        let (model, folder) = try freshModel()
        defer { try? FileManager.default.removeItem(at: folder) }
        let samples = folder.appendingPathComponent("samples.npy")
        try NPY.write([Float](repeating: 0.5, count: 2 * 784), shape: [2, 784], to: samples)
        let cropped = TestData.croppedFolder(side: 20)
        defer { try? FileManager.default.removeItem(at: cropped) }
        let output = folder.appendingPathComponent("scores")
        func substitute(_ text: String) -> String {
            text.replacingOccurrences(of: "SAMPLES", with: samples.path).replacingOccurrences(of: "CROPPED", with: cropped.path)
                .replacingOccurrences(of: "MODEL", with: model)
        }
        var all = ["score", "--model", model, "--output", output.path] + arguments.map(substitute)
        if !arguments.contains("--data") && !arguments.contains("--input") { all += ["--data", TestData.smallFolder.path] }
        let result = try Executable.run(all)
        #expect(result.status == status)
        #expect(result.error.contains("Error: " + substitute(sentence)), "\(result.error)")
        let written = (try? FileManager.default.contentsOfDirectory(atPath: output.path)) ?? []
        #expect(written.isEmpty, "\(written)")
        #expect(try ModelFile.read(from: URL(fileURLWithPath: model)).anomalyThreshold == nil)
    }

    /// A checkpoint remembers the labels, so `--resume` trains on the same images (the
    /// checkpoint's fingerprint of them would refuse the whole set).
    @Test func resumingAOneClassRunKeepsItsLabels() throws {
        let folder = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try Executable.run(["train", "--only-labels", "1", "--epochs", "1", "--batch-size", "16", "--checkpoint-every", "1",
                                        "--data", TestData.smallFolder.path, "--output", folder.path])
        #expect(first.status == 0, "\(first.error)")
        let resumed = try Executable.run(["train", "--resume", folder.path])
        #expect(resumed.status == 0, "\(resumed.error)")
        #expect(resumed.output.hasPrefix("Resuming after epoch 1 of 1"))
        let metrics = try JSONDecoder().decode(RunMetrics.self, from: Data(contentsOf: folder.appendingPathComponent("metrics.json")))
        #expect(metrics.trainingLabels == [1])
    }

    @Test func onlyLabelsThatMatchNothingAreRefused() throws {
        let folder = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try Executable.run(["train", "--only-labels", "200", "--epochs", "1", "--data", TestData.smallFolder.path,
                                         "--output", folder.path])
        #expect(result.status == 1)
        #expect(result.error.contains("--only-labels 200 matches none of the 512 training images in"), "\(result.error)")
        let bad = try Executable.run(["train", "--only-labels", "x", "--data", TestData.smallFolder.path, "--output", folder.path])
        #expect(bad.error.contains("--only-labels must be labels from 0 to 255 separated by commas, such as 0 or 0,1, not 'x'."))
    }
}
