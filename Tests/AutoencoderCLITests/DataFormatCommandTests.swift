import Autoencoder
import Foundation
import Testing

/// `train`, `encode`, `reconstruct` and `evaluate` on data that is not MNIST: a CSV table, a
/// `.npy` array, an `.npz` with its own test set and a folder of PNG images, with the scaling
/// saved in the model and applied (and undone) by every later command.
@Suite struct DataFormatCommandTests {
    /// A table of `rows` noisy sine waves of 16 values and a label column (the wave's
    /// frequency, 1 or 2), header `f0,…,f15,label`.
    static func waveTable(rows: Int, seed: UInt64 = 1) -> String {
        var state = seed
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        var text = (0..<16).map { "f\($0)" }.joined(separator: ",") + ",label\n"
        for _ in 0..<rows {
            let label = next() < 0.5 ? 1 : 2
            let phase = next()
            let values = (0..<16).map { i in 10 + 5 * sin(2 * Double.pi * (Double(label) * Double(i) / 16 + phase)) + 0.1 * next() }
            text += values.map { String(format: "%.4f", $0) }.joined(separator: ",") + ",\(label)\n"
        }
        return text
    }

    /// Test data of another sample shape than the training data is refused in one sentence
    /// naming both shapes, before any training, and nothing is written.
    @Test func testDataOfAnotherShapeIsRefused() throws {
        let folder = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let table = folder.appendingPathComponent("waves.csv")
        try Self.waveTable(rows: 40).write(to: table, atomically: true, encoding: .utf8)
        let narrow = folder.appendingPathComponent("narrow.csv")
        try "a,b,c,label\n1,2,3,1\n4,5,6,2\n".write(to: narrow, atomically: true, encoding: .utf8)
        let run = folder.appendingPathComponent("run")
        let result = try Executable.run(["train", "--data", table.path, "--label-column", "label", "--test", narrow.path,
                                         "--epochs", "1", "--output", run.path])
        #expect(result.status == 1)
        #expect(result.error == "Error: The test data (\(narrow.path)) has samples of shape 3 but the training data 16; "
                + "both must have one shape.\n")
        #expect(!FileManager.default.fileExists(atPath: run.path))
    }

    @Test func aTableTrainsWithItsScalingAndEveryCommandUsesIt() throws {
        let folder = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let table = folder.appendingPathComponent("waves.csv")
        try Self.waveTable(rows: 200).write(to: table, atomically: true, encoding: .utf8)
        let run = folder.appendingPathComponent("run")
        var result = try Executable.run(["train", "--data", table.path, "--label-column", "label", "--test-fraction", "0.25",
                                         "--layers", "8,3", "--batch-size", "16", "--epochs", "30", "--output", run.path])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("Test MSE:"))
        let model = try ModelFile.read(from: run.appendingPathComponent("model.safetensors"))
        #expect(model.model.configuration?.encoderWidths == [16, 8, 3])
        #expect(model.scaling.method == .minmax)
        #expect(model.scaling.offsets.count == 16)
        #expect(model.dataRecipe?.testFraction == 0.25)
        #expect(model.imageShape == nil)

        // Reconstructions in the table's own units, with its header.
        let numbers = folder.appendingPathComponent("rec.csv")
        result = try Executable.run(["reconstruct", "--model", run.appendingPathComponent("model.safetensors").path,
                                     "--input", table.path, "--label-column", "label", "--indices", "0,1", "--output", numbers.path])
        #expect(result.status == 0, "\(result.error)")
        let lines = try String(contentsOf: numbers, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0] == Substring((0..<16).map { "f\($0)" }.joined(separator: ",")))
        let values = lines[1].split(separator: ",").compactMap { Double($0) }
        #expect(values.count == 16)
        // Min-max undone: the waves run around 10 ± 5, not in [0, 1].
        #expect(values.allSatisfy { $0 > 2 && $0 < 18 }, "\(values)")
        #expect(values.contains { $0 > 1.5 })

        // The picture of feature vectors, the codes with labels, the evaluation of the recorded split.
        result = try Executable.run(["reconstruct", "--model", run.appendingPathComponent("model.safetensors").path,
                                     "--output", folder.appendingPathComponent("rec.png").path])
        #expect(result.status == 0, "\(result.error)")
        result = try Executable.run(["evaluate", "--model", run.appendingPathComponent("model.safetensors").path])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("Test images: 50; training images (kNN references, PCA fit): 150"), "\(result.output)")

        // Anomaly scores of the recorded test split, the waves of frequency 1 normal.
        let scores = folder.appendingPathComponent("scores")
        result = try Executable.run(["score", "--model", run.appendingPathComponent("model.safetensors").path,
                                     "--normal-labels", "1", "--mean-std", "2", "--output", scores.path])
        #expect(result.status == 0, "\(result.error)")
        let rows = try String(contentsOf: scores.appendingPathComponent("scores.csv"), encoding: .utf8).split(separator: "\n")
        #expect(rows.first == "index,label,error,anomaly")
        #expect(rows.count == 51)
        for name in ["scores.json", "roc.png", "errors.png"] {
            #expect(FileManager.default.fileExists(atPath: scores.appendingPathComponent(name).path), "\(name)")
        }

        // A table with another number of columns is refused in one sentence.
        let narrow = folder.appendingPathComponent("narrow.csv")
        try "a,b,c\n1,2,3\n4,5,6\n".write(to: narrow, atomically: true, encoding: .utf8)
        result = try Executable.run(["encode", "--model", run.appendingPathComponent("model.safetensors").path,
                                     "--input", narrow.path, "--output", folder.appendingPathComponent("codes.csv").path])
        #expect(result.status == 1)
        #expect(result.error == "Error: The model takes 16 values per sample, but '\(narrow.path)' has 3.\n")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("codes.csv").path))
    }

    @Test func aGzipTableTrainsAndResumesWhereItWasMoved() throws {
        let folder = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let plain = folder.appendingPathComponent("waves.csv")
        try Self.waveTable(rows: 60).write(to: plain, atomically: true, encoding: .utf8)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", plain.path]
        try gzip.run()
        gzip.waitUntilExit()
        let table = folder.appendingPathComponent("waves.csv.gz")
        let run = folder.appendingPathComponent("run")
        var result = try Executable.run(["train", "--data", table.path, "--label-column", "label", "--test-fraction", "0.25",
                                         "--layers", "3", "--batch-size", "15", "--epochs", "2", "--checkpoint-every", "1",
                                         "--output", run.path, "--quiet"])
        #expect(result.status == 0, "\(result.error)")
        let model = try ModelFile.read(from: run.appendingPathComponent("model.safetensors"))
        #expect(model.model.configuration?.encoderWidths == [16, 3])

        // Data options are the checkpoint's: given with --resume they are refused.
        result = try Executable.run(["train", "--resume", run.path, "--test-fraction", "0.5"])
        #expect(result.status == 64)
        #expect(result.error.hasPrefix("Error: --test-fraction cannot be combined with --resume, which takes every setting from the checkpoint.\n"))
        // The recorded file has moved: --data says where, and it is read as recorded.
        let moved = folder.appendingPathComponent("moved.csv.gz")
        try FileManager.default.moveItem(at: table, to: moved)
        result = try Executable.run(["train", "--resume", run.path])
        #expect(result.status == 1)
        #expect(result.error.contains("which is not there now; give the data with --data PATH."), "\(result.error)")
        result = try Executable.run(["train", "--resume", run.path, "--data", moved.path, "--quiet"])
        #expect(result.status == 0, "\(result.error)")
    }

    @Test func aTableWithoutTestDataAsksForIt() throws {
        let folder = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let table = folder.appendingPathComponent("waves.csv")
        try Self.waveTable(rows: 20).write(to: table, atomically: true, encoding: .utf8)
        let result = try Executable.run(["train", "--data", table.path, "--output", folder.appendingPathComponent("run").path])
        #expect(result.status == 1)
        #expect(result.error == "Error: The data in \(table.path) has no test part; give --test PATH or --test-fraction F (such as 0.2).\n")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("run").path))
    }

    @Test func aNumPyArchiveWithItsOwnTestSetTrainsAConvolutionalPreset() throws {
        let folder = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // 64 training and 16 test images of 12x12 in three channels (channels last, uint8).
        let archive = folder.appendingPathComponent("colour.npz")
        let script = """
            import numpy as np, sys
            rng = np.random.default_rng(0)
            def images(n):
                x = np.zeros((n, 12, 12, 3), np.uint8)
                for i in range(n):
                    c = rng.integers(0, 3); r = rng.integers(0, 6)
                    x[i, r:r+6, r:r+6, c] = 255
                return x
            np.savez(sys.argv[1], x_train=images(64), y_train=np.arange(64) % 3, x_test=images(16), y_test=np.arange(16) % 3)
            """
        try PythonInteropTests.requirePython()
        let made = try Executable.run(["-c", script, archive.path], program: PythonInteropTests.python)
        try #require(made.status == 0, "\(made.error)")
        let run = folder.appendingPathComponent("run")
        let result = try Executable.run(["train", "--preset", "conv", "--data", archive.path, "--epochs", "1", "--batch-size", "16",
                                         "--output", run.path])
        #expect(result.status == 0, "\(result.error)")
        let model = try ModelFile.read(from: run.appendingPathComponent("model.safetensors"))
        #expect(model.model.architecture.inputShape == SampleShape([3, 12, 12]))
        #expect(model.imageShape == ModelFile.ImageShape(rows: 12, columns: 12, channels: 3))
        #expect(model.scaling == .pixels)
    }
}
