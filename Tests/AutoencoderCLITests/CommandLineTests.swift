import ArgumentParser
@testable import AutoencoderCLI
import Autoencoder
import AutoencoderNumerics
import Foundation
import Testing

/// Runs the built `autoencoder` executable and captures what it prints.
enum Executable {
    /// The build products folder: where the test bundle and the executable are.
    static let url: URL = {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("autoencoder")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("autoencoder")
    }()

    struct Result {
        var status: Int32
        var output: String
        var error: String
    }

    /// Runs `program` (the `autoencoder` executable unless told) with `arguments`, without
    /// `$AUTOENCODER_DATA`, and waits for it.
    static func run(_ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil,
                    program: URL = url) throws -> Result {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "AUTOENCODER_DATA")
        env.merge(environment) { $1 }
        process.environment = env
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self),
                      error: String(decoding: errData, as: UTF8.self))
    }
}

/// The repository's bundled MNIST and small copies of it for quick runs.
enum TestData {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let mnistFolder = repository.appendingPathComponent("data/mnist")

    /// A folder with the first 512 training and 50 test images in the standard four files.
    static let smallFolder: URL = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoencoder-cli-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let mnist = try! MNIST.load(from: mnistFolder.path)
        try! MNIST(training: mnist.training.prefix(512), test: mnist.test.prefix(50)).write(to: folder.path, compressed: true)
        return folder
    }()

    /// A folder of `training` and `test` images cut from the middle of the small set's to
    /// `side`x`side` (20x20: 400 pixels), for data that is not the tutorial's 28x28; with
    /// `relabel`, image i carries `label(i)` instead of its digit.
    static func croppedFolder(side: Int, training: Int = 512, test: Int = 50,
                              label: (Int) -> UInt8 = { _ in 0 }, relabel: Bool = false) -> URL {
        let folder = temporaryFolder()
        let small = try! MNIST.load(from: smallFolder.path)
        func crop(_ set: LabeledImages, _ count: Int) -> LabeledImages {
            let margin = (28 - side) / 2
            var pixels: [UInt8] = []
            for index in 0..<count {
                let image = Array(set.image(at: index))
                for row in margin..<(margin + side) { pixels += image[(row * 28 + margin)..<(row * 28 + margin + side)] }
            }
            let labels = relabel ? (0..<count).map(label) : Array(set.labels.prefix(count))
            return LabeledImages(rows: side, columns: side, pixels: pixels, labels: labels)
        }
        try! MNIST(training: crop(small.training, training), test: crop(small.test, test)).write(to: folder.path, compressed: true)
        return folder
    }

    static func temporaryFolder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("autoencoder-cli-out-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

@Suite struct ArgumentTests {
    /// The message the command prints for `arguments`, or nil when they parse and validate.
    static func message(_ arguments: [String]) -> String? {
        do {
            _ = try AutoencoderCommand.parseAsRoot(arguments)
            return nil
        } catch {
            return AutoencoderCommand.message(for: error)
        }
    }

    @Test func presetsParseWithTheirDefaults() throws {
        let command = try #require(try AutoencoderCommand.parseAsRoot(["train", "--preset", "encoder2d"]) as? TrainCommand)
        let experiment = try command.experiment()
        #expect(experiment.name == "encoder2d")
        #expect(experiment.model == Preset.encoder2d.model!)
        #expect(experiment.training == TrainingConfiguration())
    }

    @Test func outputActivationIsAnOption() throws {
        var command = try #require(try AutoencoderCommand.parseAsRoot([
            "train", "--layers", "784,64,16", "--activation", "relu", "--output-activation", "sigmoid",
        ]) as? TrainCommand)
        var experiment = try command.experiment()
        #expect(experiment.model?.outputActivation == .sigmoid && experiment.name == "custom")
        // The same as --activation: nothing to record, and the preset keeps its name.
        command = try #require(try AutoencoderCommand.parseAsRoot(["train", "--output-activation", "sigmoid"]) as? TrainCommand)
        experiment = try command.experiment()
        #expect(experiment.model?.outputActivation == nil && experiment.name == "autoencoder")
        #expect(Self.message(["train", "--resume", "run", "--output-activation", "relu"])
                == "--output-activation cannot be combined with --resume, which takes every setting from the checkpoint.")
    }

    /// Named choices are read whatever their case, as --colormap is.
    @Test func choicesIgnoreCase() throws {
        let command = try #require(try AutoencoderCommand.parseAsRoot([
            "train", "--preset", "Encoder2D", "--activation", "ReLU", "--code-activation", "LINEAR",
            "--init", "Glorot-Uniform", "--bias-init", "Zeros", "--colormap", "Gray",
        ]) as? TrainCommand)
        let experiment = try command.experiment()
        #expect(experiment.model?.activation == .relu && experiment.model?.codeActivation == .linear)
        #expect(experiment.model?.weightInitializer == .glorotUniform && experiment.model?.biasInitializer == .zeros)
        #expect(experiment.model?.encoderWidths == [784, 128, 64, 10, 2])
        #expect(Self.message(["train", "--activation", "relux"])?.hasPrefix("The value 'relux' is invalid for '--activation") == true)
    }

    @Test func everyHyperparameterCanBeOverridden() throws {
        let command = try #require(try AutoencoderCommand.parseAsRoot([
            "train", "--epochs", "3", "--batch-size", "100", "--learning-rate", "0.001", "--seed", "7",
            "--layers", "784,64,16", "--activation", "relu", "--code-activation", "linear",
            "--init", "glorot-uniform", "--bias-init", "zeros",
        ]) as? TrainCommand)
        let experiment = try command.experiment()
        #expect(experiment.name == "custom")
        #expect(experiment.training == TrainingConfiguration(epochs: 3, batchSize: 100, learningRate: 0.001, seed: 7))
        #expect(experiment.model == ModelConfiguration(encoderWidths: [784, 64, 16], activation: .relu, codeActivation: .linear,
                                                       weightInitializer: .glorotUniform, biasInitializer: .zeros))
    }

    @Test(arguments: [
        (["train", "--layers", "784,a"], "--layers must be comma-separated whole numbers such as 784,256,128, not '784,a'."),
        (["train", "--layers", "784,0"], "--layers widths must be positive, not 0."),
        (["train", "--layers", "784,99999999999"],
         "--layers 784,99999999999 needs 156899999999215 parameters, more than the 268435456 allowed."),
        (["train", "--epochs", "0"], "--epochs must be at least 1, not 0."),
        (["train", "--batch-size", "0"], "--batch-size must be at least 1, not 0."),
        (["train", "--batch-size=-5"], "--batch-size must be at least 1, not -5."),
        (["train", "--learning-rate", "0"], "--learning-rate must be a positive number, not 0.0."),
        (["train", "--learning-rate", "nan"], "--learning-rate must be a positive number, not nan."),
        (["train", "--colormap", "jet"], "--colormap must be viridis or gray, not 'jet'."),
        (["train", "--output", "-"], "--output - would be a folder named '-', not standard output; give a folder name."),
        (["demo", "--output", "-"], "--output - would be a folder named '-', not standard output; give a folder name."),
        (["train", "--input-noise", "1"], "--input-noise must be 0 or from 0.00001 to 0.99999 (the share of pixels set to 0), not 1.0."),
        (["train", "--input-noise", "-0.2"], "--input-noise must be 0 or from 0.00001 to 0.99999 (the share of pixels set to 0), not -0.2."),
        (["train", "--resume", "run", "--input-noise", "0.2"],
         "--input-noise cannot be combined with --resume, which takes every setting from the checkpoint."),
        (["demo", "--epochs", "0"], "--epochs must be at least 1, not 0."),
        // Negative numbers are values, not options.
        (["train", "--epochs", "-1"], "--epochs must be at least 1, not -1."),
        (["train", "--batch-size", "-5"], "--batch-size must be at least 1, not -5."),
        (["demo", "--epochs", "-3"], "--epochs must be at least 1, not -3."),
        (["evaluate", "--model", "m.safetensors", "--k", "-2"], "--k must be between 1 and 1000, not -2."),
        (["decode", "--model", "m.safetensors", "--grid", "4", "--range", "3,-3"],
         "--range needs each low below its high, not '3,-3'."),
        // What was typed, when a Float cannot hold it.
        (["train", "--learning-rate", "1e40"], "--learning-rate 1e40 is too large for a Float."),
        (["train", "--learning-rate", "1e-50"], "--learning-rate 1e-50 is too small for a Float (it rounds to 0)."),
        (["evaluate", "--model", "m.safetensors", "--k", "0"], "--k must be between 1 and 1000, not 0."),
        (["evaluate", "--model", "m.safetensors", "--k", "5000"], "--k must be between 1 and 1000, not 5000."),
    ])
    func badOptionsGetOneSentence(arguments: [String], expected: String) {
        #expect(Self.message(arguments) == expected)
    }

    /// Codes straddle 0, so a sweep's box usually starts below it.
    @Test func negativeRangesParse() {
        #expect(Self.message(["decode", "--model", "m.safetensors", "--grid", "4", "--range", "-3,3"]) == nil)
        #expect(Self.message(["decode", "--model", "m.safetensors", "--grid", "4", "--range", "-3,-1,-2,5"]) == nil)
    }
}

@Suite(.serialized) struct ExecutableTests {
    @Test func trainsASmallSetEndToEnd() throws {
        let output = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: output) }
        let result = try Executable.run([
            "train", "--preset", "encoder2d", "--data", TestData.smallFolder.path, "--epochs", "2",
            "--batch-size", "64", "--output", output.path,
        ])
        #expect(result.status == 0, "\(result.error)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines[0].wholeMatch(of: /Epoch: 0001 cost= 0\.\d{9}/) != nil)
        #expect(lines[1].wholeMatch(of: /Epoch: 0002 cost= 0\.\d{9}/) != nil)
        #expect(lines[2] == "Optimization Finished!")
        #expect(lines[3].hasPrefix("Test MSE: 0."))
        for name in ["reconstructions.png", "codes.png", "codes.csv", "metrics.json"] {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(name).path), "\(name)")
        }
    }

    /// `AUTOENCODER_ISA` makes the whole program run another CPU's code (matrix products,
    /// elementwise passes, the zero-skipping first layer; for `conv`, the unfolded and the
    /// direct convolutions): each instruction set this CPU runs trains the same small set to
    /// the same costs up to rounding, and says which kernel ran. A name it does not know
    /// stops it with one sentence.
    @Test(arguments: [[], ["--preset", "conv"]])
    func everyInstructionSetTrainsTheSameModel(preset: [String]) throws {
        var costs: [String: [Double]] = [:]
        for isa in InstructionSet.allCases where isa <= InstructionSet.cpuBest {
            let output = TestData.temporaryFolder()
            defer { try? FileManager.default.removeItem(at: output) }
            let result = try Executable.run([
                "train", "--data", TestData.smallFolder.path, "--epochs", "2", "--batch-size", "64",
                "--output", output.path,
            ] + preset, environment: ["AUTOENCODER_ISA": isa.environmentName, "AUTOENCODER_BLAS": "builtin"])
            #expect(result.status == 0, "\(isa): \(result.error)")
            let kernel = isa == .baseline ? "portable" : isa.description
            #expect(result.output.contains("built-in (\(kernel)))"), "\(isa): \(result.output)")
            costs[isa.environmentName] = result.output.split(separator: "\n")
                .compactMap { $0.wholeMatch(of: /Epoch: \d{4} cost= (0\.\d{9})/).map { Double($0.1)! } }
        }
        let reference = try #require(costs["baseline"])
        #expect(reference.count == 2)
        for (name, values) in costs {
            #expect(values.count == reference.count)
            for (value, expected) in zip(values, reference) {
                #expect(abs(value - expected) <= 3e-4 * expected, "\(name): \(values) vs baseline \(reference)")
            }
        }
        let refused = try Executable.run(["train", "--data", TestData.smallFolder.path, "--epochs", "1"],
                                         environment: ["AUTOENCODER_ISA": "sse4"])
        #expect(refused.status != 0)
        #expect(refused.error == "Error: AUTOENCODER_ISA must be avx512, avx2 or baseline, not 'sse4'.\n")
        #expect(!refused.output.contains("Epoch:"))
        // Help comes first, whatever the environment.
        let help = try Executable.run(["train", "--help"], environment: ["AUTOENCODER_ISA": "sse4"])
        #expect(help.status == 0 && help.output.contains("USAGE: autoencoder train"), "\(help.error)")
    }

    /// A BLAS library named in `AUTOENCODER_BLAS` that does not load stops the tool before
    /// any work, instead of training with another backend than the one asked for.
    @Test func unloadableBLASIsRefused() throws {
        let result = try Executable.run(["train", "--data", TestData.smallFolder.path, "--epochs", "1"],
                                        environment: ["AUTOENCODER_BLAS": "libnot-a-blas.so"])
        #expect(result.status != 0)
        #expect(result.error == "Error: AUTOENCODER_BLAS names libnot-a-blas.so, which could not be loaded or has no cblas_sgemm.\n")
        #expect(!result.output.contains("Epoch:"))
    }

    /// The user's story: a run with checkpoints, then a fresh run of another model into the
    /// same folder, then `--resume`. The fresh run removed the earlier checkpoint, so the
    /// resume is refused instead of replacing the newer model with the earlier run's. The
    /// folder is named as it was given.
    @Test func aFreshRunRetiresTheEarlierCheckpoint() throws {
        let root = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let data = TestData.smallFolder.path
        var result = try Executable.run(["train", "--preset", "encoder2d", "--data", data, "--epochs", "1", "--batch-size", "64",
                                         "--checkpoint-every", "1", "--output", "run"], in: root)
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.hasSuffix("Wrote run\n"), "\(result.output)")
        result = try Executable.run(["train", "--data", data, "--epochs", "1", "--batch-size", "64", "--layers", "784,16",
                                     "--output", "run"], in: root)
        #expect(result.status == 0, "\(result.error)")
        let model = root.appendingPathComponent("run/model.safetensors")
        let newer = try Data(contentsOf: model)
        for name in ["checkpoint.safetensors", "codes.png", "codes.csv"] {
            #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("run/\(name)").path), "\(name)")
        }
        result = try Executable.run(["train", "--resume", "run"], in: root)
        #expect(result.status != 0)
        #expect(result.error.hasPrefix("Error: Cannot resume from the checkpoint"), "\(result.error)")
        #expect(try Data(contentsOf: model) == newer)
    }

    /// Images of another size than MNIST's: the presets' first width becomes the data's,
    /// and `--layers` gives the widths after it (or starts with it, the older form); a set
    /// smaller than the preset's batch asks for `--batch-size`; `demo`, which has neither
    /// option, sends the user to `train`.
    @Test func dataOfAnotherSizeNamesTheOptionThatFits() throws {
        let root = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let small = TestData.croppedFolder(side: 20)
        defer { try? FileManager.default.removeItem(at: small) }
        let s = small.path
        var result = try Executable.run(["train", "--data", s, "--epochs", "1", "--output", "run"], in: root)
        #expect(result.status == 0, "\(result.error)")
        var model = try ModelFile.read(from: root.appendingPathComponent("run/model.safetensors"))
        #expect(model.model.configuration?.encoderWidths == [400, 256, 128])
        result = try Executable.run(["train", "--data", s, "--epochs", "1", "--batch-size", "64",
                                     "--layers", "400,16,2", "--code-activation", "linear", "--output", "run"], in: root)
        #expect(result.status == 0, "\(result.error)")
        model = try ModelFile.read(from: root.appendingPathComponent("run/model.safetensors"))
        #expect(model.imageShape == ModelFile.ImageShape(rows: 20, columns: 20))
        #expect(model.model.configuration?.encoderWidths == [400, 16, 2])
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("run/codes.png").path))
        result = try Executable.run(["train", "--data", s, "--epochs", "1", "--batch-size", "64", "--layers", "16,2",
                                     "--code-activation", "linear", "--output", "run"], in: root)
        #expect(result.status == 0, "\(result.error)")
        model = try ModelFile.read(from: root.appendingPathComponent("run/model.safetensors"))
        #expect(model.model.configuration?.encoderWidths == [400, 16, 2])
        result = try Executable.run(["train", "--data", s, "--epochs", "1", "--batch-size", "64", "--layers", "8",
                                     "--output", "run"], in: root)
        #expect(result.status == 0, "\(result.error)")
        model = try ModelFile.read(from: root.appendingPathComponent("run/model.safetensors"))
        #expect(model.model.configuration?.encoderWidths == [400, 8])

        result = try Executable.run(["demo", "--data", s, "--epochs", "1", "--output", "demo"], in: root)
        #expect(result.status == 1)
        #expect(result.error == "Error: The images in \(s) are 20x20 (400 pixels), but the demo's presets' layers start at 784: train them with `autoencoder train --preset autoencoder --data \(s) --layers 400,256,128` and `autoencoder train --preset encoder2d --data \(s) --layers 400,128,64,10,2` instead.\n")
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("demo").path))

        let tiny = TestData.croppedFolder(side: 28, training: 3, test: 2)
        defer { try? FileManager.default.removeItem(at: tiny) }
        let t = tiny.path
        result = try Executable.run(["train", "--data", t, "--epochs", "1", "--output", "run"], in: root)
        #expect(result.error == "Error: The training data in \(t) holds 3 samples, fewer than the autoencoder preset's batch size of 256: give --batch-size 3 (or a smaller batch).\n")
        result = try Executable.run(["demo", "--data", t, "--epochs", "1", "--output", "demo"], in: root)
        #expect(result.error == "Error: The training set in \(t) holds 3 images, fewer than the demo's presets' batch size of 256: train them with `autoencoder train --preset autoencoder --data \(t) --batch-size 3` and `autoencoder train --preset encoder2d --data \(t) --batch-size 3` instead.\n")
        result = try Executable.run(["train", "--data", t, "--epochs", "1", "--batch-size", "4", "--output", "run"], in: root)
        #expect(result.error.hasPrefix("Error: --batch-size must be between 1 and 3 (the number of training images), not 4."), "\(result.error)")
        result = try Executable.run(["train", "--data", t, "--epochs", "1", "--batch-size", "3", "--output", "run"], in: root)
        #expect(result.status == 0, "\(result.error)")
    }

    /// Labels beyond MNIST's ten (EMNIST's letters are 1-26) train and evaluate (they were
    /// refused by every command), and are told as labels, not digits; a `--k` larger than
    /// the training set is said to be capped.
    @Test func labelsBeyondDigitsAndASmallTrainingSet() throws {
        let root = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let letters = TestData.croppedFolder(side: 28, training: 6, test: 4, label: { UInt8($0 % 26 + 1) + ($0 == 3 ? 22 : 0) }, relabel: true)
        defer { try? FileManager.default.removeItem(at: letters) }
        var result = try Executable.run(["train", "--data", letters.path, "--epochs", "1", "--batch-size", "2",
                                         "--layers", "784,8,2", "--code-activation", "linear", "--output", "run"], in: root)
        #expect(result.status == 0, "\(result.error)")
        result = try Executable.run(["evaluate", "--model", "run/model.safetensors", "--data", letters.path, "--k", "7"], in: root)
        #expect(result.status == 0, "\(result.error)")
        let lines = result.output.components(separatedBy: "\n")
        #expect(lines[0] == "Note: only 6 training images, so k = 6 instead of 7.")
        #expect(lines.contains("Data: \(letters.path)"), "\(result.output)")
        #expect(result.output.contains("kNN (k=6)"))
        let table = lines.drop { !$0.hasPrefix("label") }.dropFirst().prefix { $0.first?.isNumber == true }.map { $0.split(separator: " ")[0] }
        #expect(table == ["1", "2", "3", "26"], "\(result.output)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("run/evaluation.json"))) as! [String: Any]
        #expect((json["perLabel"] as! [[String: Any]]).map { $0["label"] as! Int } == [1, 2, 3, 26])
        #expect(json["k"] as? Int == 6)
        #expect(json["dataFolder"] as? String == letters.path)
    }

    /// A model records the folder it was trained on, and the commands on it read that data
    /// when `--data` is not given (a model trained on Fashion-MNIST was measured on MNIST's
    /// digits), before `$AUTOENCODER_DATA`; when the folder is gone they say which data they
    /// use instead. `encode` and `reconstruct` need only the test files.
    @Test func commandsOnAModelUseTheDataItWasTrainedOn() throws {
        let root = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.copyItem(at: TestData.smallFolder, to: root.appendingPathComponent("digits"))
        let tiny = TestData.croppedFolder(side: 28, training: 3, test: 2)
        defer { try? FileManager.default.removeItem(at: tiny) }
        var result = try Executable.run(["train", "--data", "digits", "--epochs", "1", "--batch-size", "64",
                                         "--layers", "784,8", "--checkpoint-every", "1", "--output", "run"], in: root)
        #expect(result.status == 0, "\(result.error)")
        let recorded = root.appendingPathComponent("digits").standardizedFileURL.path
        // A checkpoint is a model file too, with the same data folder.
        #expect(try ModelFile.read(from: root.appendingPathComponent("run/checkpoint.safetensors")).dataFolder == recorded)
        #expect(try ModelFile.read(from: root.appendingPathComponent("run/model.safetensors")).dataFolder == recorded)
        let metrics = try JSONDecoder().decode(RunMetrics.self, from: Data(contentsOf: root.appendingPathComponent("run/metrics.json")))
        #expect(metrics.dataFolder == recorded)

        let elsewhere = root.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let other = ["AUTOENCODER_DATA": tiny.path]
        result = try Executable.run(["encode", "--model", "../run/model.safetensors", "--output", "c.csv"],
                                    environment: other, in: elsewhere)
        #expect(result.output == "Wrote 50 codes of width 8 to c.csv\n", "\(result.error)")
        result = try Executable.run(["evaluate", "--model", "../run/model.safetensors", "--output", "e.json", "--no-baselines"],
                                    environment: other, in: elsewhere)
        #expect(result.output.contains("Test images: 50; training images (kNN references, PCA fit): 512"), "\(result.output)\(result.error)")
        #expect(result.output.contains("Data: \(recorded)\n"), "\(result.output)")
        result = try Executable.run(["inspect", "--model", "../run/model.safetensors"], in: elsewhere)
        #expect(result.output.contains("\nData: \(recorded)\n"), "\(result.output)")

        try FileManager.default.moveItem(at: root.appendingPathComponent("digits"), to: root.appendingPathComponent("moved"))
        result = try Executable.run(["encode", "--model", "../run/model.safetensors", "--output", "c.csv"],
                                    environment: other, in: elsewhere)
        #expect(result.output == "Note: the model was trained on the data in \(recorded), which is not there now; using \(tiny.path).\nWrote 2 codes of width 8 to c.csv\n",
                "\(result.error)")
        // Gone, with nothing in the other places either: the sentence names the model's folder.
        result = try Executable.run(["evaluate", "--model", "../run/model.safetensors", "--output", "e.json"], in: elsewhere)
        #expect(result.error == "Error: The model's data folder \(recorded) no longer exists, and ./data/mnist (\(elsewhere.appendingPathComponent("data/mnist").standardizedFileURL.path)) holds no MNIST-format data either; give the data with --data DIR.\n")
        // There but lacking a file: an error, not another data set (it fell back to $AUTOENCODER_DATA).
        try FileManager.default.moveItem(at: root.appendingPathComponent("moved"), to: root.appendingPathComponent("digits"))
        try FileManager.default.removeItem(at: root.appendingPathComponent("digits/train-images-idx3-ubyte.gz"))
        result = try Executable.run(["evaluate", "--model", "../run/model.safetensors", "--output", "e.json"],
                                    environment: other, in: elsewhere)
        #expect(result.error == "Error: The model's data folder \(recorded) lacks train-images-idx3-ubyte(.gz); give the data with --data DIR.\n")
        result = try Executable.run(["encode", "--model", "../run/model.safetensors", "--output", "c.csv"],
                                    environment: other, in: elsewhere)
        #expect(result.output == "Wrote 50 codes of width 8 to c.csv\n", "\(result.error)")

        // Only the test files: enough for reconstruct and encode, not for evaluate.
        let testOnly = root.appendingPathComponent("test-only")
        try FileManager.default.createDirectory(at: testOnly, withIntermediateDirectories: true)
        for name in ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
            try FileManager.default.copyItem(at: tiny.appendingPathComponent(name), to: testOnly.appendingPathComponent(name))
        }
        result = try Executable.run(["reconstruct", "--model", "run/model.safetensors", "--data", "test-only", "--output", "r.png"], in: root)
        #expect(result.status == 0, "\(result.error)")
        result = try Executable.run(["evaluate", "--model", "run/model.safetensors", "--data", "test-only"], in: root)
        #expect(result.status == 1)
        #expect(result.error.contains("lacks train-images-idx3-ubyte(.gz) and train-labels-idx1-ubyte(.gz)"), "\(result.error)")
    }

    /// `--input-noise` trains a denoising autoencoder: the setting is recorded in the model
    /// and the metrics, and `inspect` shows it.
    @Test func inputNoiseTrainsADenoisingModel() throws {
        let root = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        var result = try Executable.run(["train", "--data", TestData.smallFolder.path, "--epochs", "1", "--batch-size", "64",
                                         "--layers", "784,16", "--input-noise", "0.3", "--output", "run"], in: root)
        #expect(result.status == 0, "\(result.error)")
        #expect(try ModelFile.read(from: root.appendingPathComponent("run/model.safetensors")).training?.inputNoise == 0.3)
        let metrics = try JSONDecoder().decode(RunMetrics.self, from: Data(contentsOf: root.appendingPathComponent("run/metrics.json")))
        #expect(metrics.training.inputNoise == 0.3)
        result = try Executable.run(["inspect", "--model", "run/model.safetensors"], in: root)
        #expect(result.output.contains("\"inputNoise\":0.3"), "\(result.output)")
    }

    /// `--resume` finds the data where the run recorded it; when that folder has moved it says
    /// so (it used to name only ./data/mnist, where it looked next), and `--data` finishes the run.
    @Test func resumingAfterTheDataMovedSaysWhere() throws {
        let root = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.copyItem(at: TestData.smallFolder, to: root.appendingPathComponent("digits"))
        var result = try Executable.run(["train", "--data", "digits", "--epochs", "1", "--batch-size", "64",
                                         "--layers", "784,16", "--checkpoint-every", "1", "--output", "run"], in: root)
        #expect(result.status == 0, "\(result.error)")
        try FileManager.default.moveItem(at: root.appendingPathComponent("digits"), to: root.appendingPathComponent("moved"))
        result = try Executable.run(["train", "--resume", "run"], in: root)
        #expect(result.status == 1)
        #expect(result.error == "Error: The checkpoint's data folder \(root.appendingPathComponent("digits").standardizedFileURL.path) no longer exists, and ./data/mnist (\(root.appendingPathComponent("data/mnist").standardizedFileURL.path)) holds no MNIST-format data either; give the data with --data DIR.\n",
                "\(result.error)")
        result = try Executable.run(["train", "--resume", "run", "--data", "moved"], in: root)
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.hasPrefix("Resuming after epoch 1 of 1"), "\(result.output)")
    }

    /// `--resume` on data of another image size says what does not fit (it asked for
    /// `--layers`, which cannot be given with `--resume`).
    @Test func resumingOnImagesOfAnotherSizeSaysSo() throws {
        let root = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let small = TestData.croppedFolder(side: 20, training: 128, test: 10)
        defer { try? FileManager.default.removeItem(at: small) }
        var result = try Executable.run(["train", "--data", small.path, "--epochs", "2", "--batch-size", "64", "--layers", "400,8",
                                         "--checkpoint-every", "1", "--output", "run"], in: root)
        #expect(result.status == 0, "\(result.error)")
        result = try Executable.run(["train", "--resume", "run", "--data", TestData.smallFolder.path], in: root)
        #expect(result.error == "Error: The checkpoint's model takes 400 pixels per image, but the images in \(TestData.smallFolder.path) are 28x28 (784 pixels).\n")
        // Fewer training images than the checkpoint's batch: not an option to give with --resume.
        let tiny = TestData.croppedFolder(side: 20, training: 3, test: 2)
        defer { try? FileManager.default.removeItem(at: tiny) }
        result = try Executable.run(["train", "--resume", "run", "--data", tiny.path], in: root)
        #expect(result.error == "Error: The checkpoint's batch size, 64, is more than the 3 training images in \(tiny.path); resume on the data it was made on.\n")
    }

    /// A write that fails for want of space (a file-size limit stands in for a full disk:
    /// the write fails the same way, with EFBIG instead of ENOSPC) stops the run with one
    /// sentence, and the earlier run's model is left as it was, with no temporary file; its
    /// checkpoint too, although the failed run keeps none (it used to be removed before the
    /// writes).
    @Test func aFailedWriteLosesNothing() throws {
        let root = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let arguments = ["train", "--data", TestData.smallFolder.path, "--epochs", "1", "--batch-size", "64", "--output", "run"]
        var result = try Executable.run(arguments + ["--checkpoint-every", "1"], in: root)
        #expect(result.status == 0, "\(result.error)")
        let model = root.appendingPathComponent("run/model.safetensors")
        let before = try Data(contentsOf: model)
        let names = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("run").path).sorted()
        // Files are limited to 200 KiB (the model needs 1.8 MB), with SIGXFSZ at its default
        // (which kills): the tool ignores it itself, so the write fails with an error instead.
        result = try Executable.run(["--default-signal=XFSZ", "/bin/sh", "-c", "ulimit -f 200; exec \"$0\" \"$@\"",
                                     Executable.url.path] + arguments + ["--seed", "5"],
                                    in: root, program: URL(fileURLWithPath: "/usr/bin/env"))
        #expect(result.status != 0)
        #expect(result.error == "Error: Could not access the file '\(model.path)' while writing its temporary file: File too large.\n")
        #expect(try Data(contentsOf: model) == before)
        #expect(names.contains("checkpoint.safetensors"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("run").path).sorted() == names)
    }

    /// A run that keeps no checkpoint and fails after writing its model (at a picture) has
    /// retired the earlier run's checkpoint, so `--resume` cannot bring the earlier run back
    /// over the new model; one that fails at its model leaves the checkpoint
    /// (`aFailedWriteLosesNothing`).
    @Test func aRunThatFailsAfterItsModelRetiresTheEarlierCheckpoint() throws {
        let root = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let common = ["train", "--data", TestData.smallFolder.path, "--epochs", "1", "--batch-size", "64", "--output", "run"]
        var result = try Executable.run(common + ["--layers", "784,8", "--checkpoint-every", "1"], in: root)
        #expect(result.status == 0, "\(result.error)")
        // 18 KiB per file: the 784-2 model (about 16 KB) fits, its reconstruction figure does not.
        result = try Executable.run(["--default-signal=XFSZ", "/bin/sh", "-c", "ulimit -f 36; exec \"$0\" \"$@\"",
                                     Executable.url.path] + common + ["--layers", "784,2"],
                                    in: root, program: URL(fileURLWithPath: "/usr/bin/env"))
        #expect(result.status == 1)
        #expect(result.error.hasPrefix("Error: Cannot write "), "\(result.error)")
        let model = root.appendingPathComponent("run/model.safetensors")
        #expect(try ModelFile.read(from: model).model.configuration?.encoderWidths == [784, 2])
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("run/checkpoint.safetensors").path))
        let newer = try Data(contentsOf: model)
        result = try Executable.run(["train", "--resume", "run"], in: root)
        #expect(result.status != 0)
        #expect(try Data(contentsOf: model) == newer)
    }

    /// The same for a picture: libpng's "Write Error" is told as the system's reason, and the
    /// earlier picture stays.
    @Test func aFailedPictureWriteSaysWhy() throws {
        let root = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let model = ModelFixtures.path("e2d.safetensors")
        let arguments = ["reconstruct", "--model", model, "--data", TestData.smallFolder.path, "--output", "r.png"]
        #expect(try Executable.run(arguments, in: root).status == 0)
        let before = try Data(contentsOf: root.appendingPathComponent("r.png"))
        // 4 KiB at most per file; the picture needs about 20 KB.
        let result = try Executable.run(["--default-signal=XFSZ", "/bin/sh", "-c", "ulimit -f 8; exec \"$0\" \"$@\"",
                                         Executable.url.path] + arguments + ["--indices", "5,6,7"],
                                        in: root, program: URL(fileURLWithPath: "/usr/bin/env"))
        #expect(result.status == 1)
        #expect(result.error == "Error: Cannot write r.png: file too large (errno \(EFBIG)).\n")
        #expect(try Data(contentsOf: root.appendingPathComponent("r.png")) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["r.png"])
    }

    /// `demo` trains both presets into their folders, and each model and `metrics.json`
    /// records the data folder (demo's did not), which the commands on the model then read.
    @Test func demoWritesBothRunsWithTheirData() throws {
        let root = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try Executable.run(["demo", "--data", TestData.smallFolder.path, "--epochs", "1", "--output", root.path])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.hasSuffix("Wrote \(root.path)/autoencoder and \(root.path)/encoder2d\n"), "\(result.output)")
        let folder = TestData.smallFolder.standardizedFileURL.path
        for preset in ["autoencoder", "encoder2d"] {
            let run = root.appendingPathComponent(preset)
            #expect(try ModelFile.read(from: run.appendingPathComponent("model.safetensors")).dataFolder == folder, "\(preset)")
            let metrics = try JSONDecoder().decode(RunMetrics.self, from: Data(contentsOf: run.appendingPathComponent("metrics.json")))
            #expect(metrics.dataFolder == folder && metrics.preset == preset)
        }
    }

    /// A symbolic link where the second preset writes its model is found before the first
    /// preset trains (it was found only after).
    @Test func demoChecksBothFoldersForLinksFirst() throws {
        let root = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("encoder2d"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("encoder2d/model.safetensors").path,
                                                   withDestinationPath: "/nowhere")
        let result = try Executable.run(["demo", "--data", TestData.smallFolder.path, "--epochs", "1", "--output", root.path])
        #expect(result.error == "Error: Cannot write to the output folder \(root.path)/encoder2d: model.safetensors in it is a symbolic link, which the run would replace by a file.\n")
        #expect(!result.output.contains("Epoch:"))
    }

    /// `demo` checks both presets' folders before training either.
    @Test func demoChecksBothFoldersFirst() throws {
        let root = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        try Data("x".utf8).write(to: root.appendingPathComponent("encoder2d"))
        let result = try Executable.run(["demo", "--data", TestData.smallFolder.path, "--epochs", "1", "--output", root.path])
        #expect(result.status != 0)
        #expect(result.error == "Error: Cannot write to the output folder \(root.path)/encoder2d: it is a file, not a folder.\n")
        #expect(!result.output.contains("Epoch:"))
        // The autoencoder's folder, made by the check, is not left behind empty (it was).
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("autoencoder").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["encoder2d"])
    }

    /// `demo` prints each line as it happens, also into a pipe (it used to show everything
    /// at the end): the first epoch's line arrives while the run is still going.
    @Test func demoShowsProgressInAPipe() throws {
        let root = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let process = Process()
        process.executableURL = Executable.url
        process.arguments = ["demo", "--data", TestData.smallFolder.path, "--epochs", "300", "--output", root.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // SIGKILL: the test runner's blocked signals are inherited, SIGTERM may not end it.
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) }; process.waitUntilExit() }
        var received = ""
        while !received.contains("Epoch: 0001") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            received += String(decoding: chunk, as: UTF8.self)
        }
        #expect(received.hasPrefix("== autoencoder: 784-256-128-256-784 ==\nEpoch: 0001 cost= "), "\(received)")
        // Buffered, the first lines would come with a 4 KiB block of ~130 epoch lines.
        #expect(!received.contains("Epoch: 0010"), "the lines came in a block: \(received.count) bytes")
        #expect(process.isRunning, "the first lines came only when demo ended")
    }

    @Test func batchLargerThanTheDataIsRefused() throws {
        let output = TestData.temporaryFolder()
        let result = try Executable.run(["train", "--data", TestData.smallFolder.path, "--batch-size", "513",
                                         "--output", output.path])
        #expect(result.status != 0)
        #expect(result.error.contains("--batch-size must be between 1 and 512 (the number of training images), not 513."))
        #expect(try FileManager.default.contentsOfDirectory(atPath: output.path).isEmpty)
    }

    @Test func missingDataListsWhereItLooked() throws {
        let empty = TestData.temporaryFolder()
        let result = try Executable.run(["train", "--epochs", "1"], in: empty)
        #expect(result.status != 0)
        #expect(result.error.contains(empty.appendingPathComponent("data/mnist").path), "\(result.error)")
    }

    @Test func corruptDataFileNamesTheFile() throws {
        let folder = TestData.temporaryFolder()
        for name in ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] {
            try FileManager.default.copyItem(at: TestData.smallFolder.appendingPathComponent(name + ".gz"),
                                             to: folder.appendingPathComponent(name + ".gz"))
        }
        // Cut the training images short.
        let images = folder.appendingPathComponent("train-images-idx3-ubyte.gz")
        let bytes = try Data(contentsOf: images)
        try bytes.prefix(bytes.count / 2).write(to: images)
        let result = try Executable.run(["train", "--data", folder.path, "--epochs", "1", "--output", folder.appendingPathComponent("out").path])
        #expect(result.status != 0)
        #expect(result.error.contains("train-images-idx3-ubyte.gz"), "\(result.error)")
        #expect(result.error.split(separator: "\n").count == 1, "\(result.error)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/reconstructions.png").path))
    }

    @Test func unwritableOutputIsRefusedBeforeTraining() throws {
        let folder = TestData.temporaryFolder()
        let blocker = folder.appendingPathComponent("file")
        try Data("x".utf8).write(to: blocker)
        let result = try Executable.run(["train", "--data", TestData.smallFolder.path, "--epochs", "1",
                                         "--batch-size", "64", "--output", blocker.appendingPathComponent("run").path])
        #expect(result.status != 0)
        #expect(result.error.hasPrefix("Error: Cannot write to the output folder"), "\(result.error)")
        #expect(!result.output.contains("Epoch:"))
    }
}

/// `autoencoder-benchmark`, built next to `autoencoder`: its options are checked before any
/// measurement, and a short run prints one JSON object per measurement.
@Suite(.serialized) struct BenchmarkExecutableTests {
    static let url = Executable.url.deletingLastPathComponent().appendingPathComponent("autoencoder-benchmark")

    @Test(arguments: [
        (["--presets", "encoder2d,nope"], "--presets must list presets (autoencoder, encoder2d, conv, conv-denoising, vae, vae2d, sparse, deep, tuned, tuned2d), not 'encoder2d,nope'."),
        (["--presets", ","], "--presets must list presets (autoencoder, encoder2d, conv, conv-denoising, vae, vae2d, sparse, deep, tuned, tuned2d), not ','."),
        (["--backend", "fast"], "--backend must list default, blas, builtin or portable, not 'fast'."),
        (["--first-layer", ","], "--first-layer must list sparse or dense, not ','."),
        (["--peak", "0"], "--peak must be a positive number of GFLOP/s, not 0.0."),
        (["--epochs", "1"], "--epochs must be at least 2 (the first epoch is warm-up)."),
        (["--repetitions", "0"], "--repetitions must be at least 1."),
    ])
    func badOptionsAreRefusedFirst(arguments: [String], sentence: String) throws {
        let result = try Executable.run(arguments + ["--data", TestData.smallFolder.path], program: Self.url)
        #expect(result.status == 64)
        #expect(result.error.hasPrefix("Error: \(sentence)\n"), "\(result.error)")
        #expect(result.output.isEmpty)
    }

    @Test func aShortRunPrintsEachMeasurement() throws {
        let result = try Executable.run(["--epochs", "2", "--presets", "Encoder2D", "--backend", "builtin,portable",
                                         "--json", "--data", TestData.smallFolder.path], program: Self.url)
        #expect(result.status == 0, "\(result.error)")
        let rows = result.output.split(separator: "\n").map { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
        }
        #expect(rows.count == 2)
        #expect(rows.map { $0["preset"] as? String } == ["encoder2d", "encoder2d"])
        #expect(rows.last?["backend"] as? String == "built-in (portable)")
        #expect(rows.allSatisfy { ($0["gflopPerStep"] as? Double).map { abs($0 - 0.284094464) < 1e-9 } == true })
        #expect(rows.allSatisfy { ($0["testMSE"] as? Double).map { $0 > 0 && $0 < 1 } == true })
    }

    /// The described presets train as `train --preset` does (batch 128); their arithmetic is
    /// counted from the built layers: conv's 751,680 multiply-adds per sample (112,896 of
    /// them the first layer's), vae's 651,200 (313,600), two flops each, three passes but
    /// the first layer's input gradient, 128 samples.
    @Test func describedPresetsAreMeasured() throws {
        let result = try Executable.run(["--epochs", "2", "--presets", "conv,vae", "--first-layer", "sparse,dense",
                                         "--json", "--data", TestData.smallFolder.path], program: Self.url)
        #expect(result.status == 0, "\(result.error)")
        let rows = result.output.split(separator: "\n").map { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
        }
        #expect(rows.map { $0["preset"] as? String } == ["conv", "vae", "vae"])
        #expect(rows.map { $0["firstLayer"] as? String } == ["n/a", "sparse", "dense"])
        let expected = [0.548388864, 0.41984, 0.41984]
        #expect(zip(rows, expected).allSatisfy { row, flop in
            (row["gflopPerStep"] as? Double).map { abs($0 - flop) < 1e-9 } == true
        })
        #expect(rows.allSatisfy { ($0["testMSE"] as? Double).map { $0 > 0 && $0 < 1 } == true })
    }
}
