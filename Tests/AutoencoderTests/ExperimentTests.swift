@testable import Autoencoder
import Foundation
import Testing

@Suite struct ExperimentTests {
    @Test func encoder2dOnASubsetLearnsAndWritesEveryFile() throws {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var experiment = Experiment(preset: .encoder2d)
        experiment.training.epochs = 3
        experiment.training.batchSize = 64
        var lines: [String] = []
        let metrics = try experiment.run(on: Fixtures.small(), writingTo: folder, log: { lines.append($0) })

        // The tutorial's console lines, then ours.
        #expect(lines.count == 6)
        for (index, line) in lines.prefix(3).enumerated() {
            #expect(line.wholeMatch(of: /Epoch: 000\d cost= 0\.\d{9}/) != nil, "\(line)")
            #expect(line.hasPrefix(String(format: "Epoch: %04d", index + 1)))
        }
        #expect(lines[3] == "Optimization Finished!")
        #expect(lines[4].hasPrefix("Test MSE: "))
        #expect(lines[5].hasPrefix("Seconds per epoch: "))

        #expect(metrics.epochMeanCosts.last! < metrics.epochMeanCosts.first!)
        #expect(metrics.testMSE > 0 && metrics.testMSE < 0.2)
        #expect(metrics.preset == "encoder2d")
        #expect(metrics.secondsPerEpoch.count == 3)

        // metrics.json round-trips.
        let decoded = try JSONDecoder().decode(RunMetrics.self, from: Data(contentsOf: folder.appendingPathComponent("metrics.json")))
        #expect(decoded == metrics)

        // codes.csv: a header and one row per test image.
        let csv = try String(contentsOf: folder.appendingPathComponent("codes.csv"), encoding: .utf8)
        let rows = csv.split(separator: "\n")
        #expect(rows.first == "x,y,label")
        #expect(rows.count == 201)
        #expect(rows[1].hasSuffix(",7"))  // the first test digit is a 7

        // codes.png: big enough, and decodable.
        let scatter = try PNG.read(from: folder.appendingPathComponent("codes.png"))
        #expect(scatter.width >= 800 && scatter.height >= 600)

        // No temporary files are left behind.
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(names == ["codes.csv", "codes.png", "metrics.json", "model.safetensors", "reconstructions.png"])
    }

    @Test func reconstructionFigureShowsOriginalsAboveReconstructions() throws {
        var generator = RandomGenerator(seed: 0)
        let model = try AutoencoderModel(configuration: Preset.autoencoder.model!, generator: &generator)
        let test = Fixtures.small().test
        let image = try Figures.reconstructions(of: model, images: Dataset(test, origin: "test"), colorMap: .gray)
        let grid = try ImageGrid(rows: [[[Float]](repeating: [Float](repeating: 0, count: 784), count: 10),
                                        [[Float]](repeating: [Float](repeating: 0, count: 784), count: 10)],
                                 scale: 3, colorMap: .gray)
        #expect(image.width == grid.width && image.height == grid.height)
        // Each digit is drawn at 3x: at least 56 px.
        let cell = grid.cellRectangle(row: 0, column: 0)
        #expect(cell.width >= 56 && cell.height >= 56)
        // The top-left digit's pixels are the first test image's, through the grey map.
        let first = test.matrix(0..<1)
        for (px, py) in [(14, 14), (5, 20), (20, 7)] {
            let expected = ColorMap.gray.color(at: first[0, py * 28 + px])
            #expect(image[cell.x + px * 3 + 1, cell.y + py * 3 + 1] == expected)
        }
        // The bottom row holds the model's reconstruction.
        let reconstruction = model.reconstruct(first)
        let lower = grid.cellRectangle(row: 1, column: 0)
        #expect(image[lower.x + 14 * 3, lower.y + 14 * 3] == ColorMap.gray.color(at: reconstruction[0, 14 * 28 + 14]))
    }

    @Test func unwritableOutputFailsBeforeTraining() throws {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("not-a-folder")
        try Data("x".utf8).write(to: file)
        var experiment = Experiment(preset: .autoencoder)
        experiment.training.epochs = 1
        var lines: [String] = []
        #expect(throws: OutputFolder.Unwritable.self) {
            try experiment.run(on: Fixtures.small(), writingTo: file.appendingPathComponent("run"), log: { lines.append($0) })
        }
        #expect(lines.isEmpty)
    }

    /// The default `decode --grid` box: percentiles, widened where a code coordinate is stuck,
    /// but never past what the code activation can give (a sigmoid code stuck at 1 got
    /// [0.5, 1.5], half of it a sweep of codes the encoder cannot make).
    @Test func theCodeRangeStaysWithinTheActivationsValues() throws {
        let stuck = Matrix((0..<100).map { [1, Float($0) / 99, 0] })
        let sigmoid = try #require(Experiment.codeRange(of: stuck, within: Activation.sigmoid.range))
        #expect(sigmoid.low == [0.5, 0, 0] && sigmoid.high == [1, 1, 0.5])
        let linear = try #require(Experiment.codeRange(of: stuck, within: Activation.linear.range))
        #expect(linear.low == [0.5, 0, -0.5] && linear.high == [1.5, 1, 0.5])
        let tanh = try #require(Experiment.codeRange(of: Matrix([[-1], [-1]]), within: Activation.tanh.range))
        #expect(tanh.low == [-1] && tanh.high == [-0.5])
        #expect(Activation.relu.range == 0...Float.infinity)
        // Almost stuck (a saturated sigmoid's 0.99998 to 1) is stuck too; a linear code stuck
        // at 1e30 gets a box that a model file takes (a 0.5 step vanished at that size).
        let saturated = try #require(Experiment.codeRange(of: Matrix([[0.999982], [1], [0.99999]]), within: Activation.sigmoid.range))
        #expect(saturated.low[0] > 0.49 && saturated.low[0] < 0.51 && saturated.high == [1])
        let huge = try #require(Experiment.codeRange(of: Matrix([[1e30], [1e30]])))
        #expect(huge.isUsableBox && huge.low[0] < 1e30 && huge.high[0] > 1e30)
        let top = try #require(Experiment.codeRange(of: Matrix([[.greatestFiniteMagnitude]])))
        #expect(top.isUsableBox)
        let small = try #require(Experiment.codeRange(of: Matrix([[0.001], [0.0015]])))
        #expect(small.low == [0.001] && small.high == [0.0015])
        #expect(Experiment.codeRange(of: Matrix(rows: 0, columns: 2)) == nil)
    }

    /// A run into a folder that holds an earlier run replaces it: the earlier 2-D code files
    /// (its metrics.json lists them), evaluation and checkpoint go (resuming would otherwise
    /// continue the earlier run over this one); a run that fails while training leaves them;
    /// files of the user's that no earlier run wrote stay.
    @Test func aRunReplacesAnEarlierRunsFiles() throws {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = Fixtures.small(training: 512, test: 20)
        var earlier = Experiment(preset: .encoder2d)
        earlier.training.epochs = 1
        earlier.training.batchSize = 64
        earlier.checkpointEvery = 1
        _ = try earlier.run(on: data, writingTo: folder, log: { _ in })
        try Data("{}".utf8).write(to: folder.appendingPathComponent("evaluation.json"))
        func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path) }
        let all = ["codes.png", "codes.csv", "evaluation.json", Checkpoint.fileName, ModelFile.defaultName, "metrics.json"]
        #expect(all.allSatisfy(exists))
        let earlierModel = try Data(contentsOf: folder.appendingPathComponent(ModelFile.defaultName))

        var later = Experiment(name: "custom", model: ModelConfiguration(encoderWidths: [784, 8], activation: .linear,
                                                                         codeActivation: .linear),
                               training: TrainingConfiguration(epochs: 1, batchSize: 64, learningRate: 1e30))
        #expect(throws: TrainingError.self) { try later.run(on: data, writingTo: folder, log: { _ in }) }
        #expect(all.allSatisfy(exists))
        #expect(try Data(contentsOf: folder.appendingPathComponent(ModelFile.defaultName)) == earlierModel)

        later.training.learningRate = 0.01
        _ = try later.run(on: data, writingTo: folder, log: { _ in })
        #expect(exists(ModelFile.defaultName) && exists("metrics.json") && exists("reconstructions.png"))
        #expect(!exists("codes.png") && !exists("codes.csv") && !exists("evaluation.json") && !exists(Checkpoint.fileName))
        #expect(try ModelFile.read(from: folder.appendingPathComponent(ModelFile.defaultName)).model.configuration == later.model)

        // The user's own codes.csv beside a run whose code is not 2-D is not the run's to remove.
        try Data("1,2\n".utf8).write(to: folder.appendingPathComponent("codes.csv"))
        _ = try later.run(on: data, writingTo: folder, log: { _ in })
        #expect(exists("codes.csv"))
    }

    /// An earlier run's metrics.json is only a hint: a `modelFile` edited to name the folder
    /// above, the folder itself, a file beside it or a folder of the user's inside it removes
    /// nothing (it used to remove each of them, recursively).
    @Test(arguments: ["..", "", ".", "../victim.txt", "mydata", "mydata/", "/", "metrics.json/.."])
    func anEditedMetricsFileRemovesNothingOfTheUsers(modelFile: String) throws {
        let parent = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: parent) }
        let folder = parent.appendingPathComponent("run")
        let data = Fixtures.small(training: 128, test: 10)
        var experiment = Experiment(name: "custom", model: ModelConfiguration(encoderWidths: [784, 4]),
                                    training: TrainingConfiguration(epochs: 1, batchSize: 64))
        _ = try experiment.run(on: data, writingTo: folder, log: { _ in })
        let metricsURL = folder.appendingPathComponent("metrics.json")
        var metrics = try JSONDecoder().decode(RunMetrics.self, from: Data(contentsOf: metricsURL))
        metrics.modelFile = modelFile
        try JSONEncoder().encode(metrics).write(to: metricsURL)
        try Data("victim".utf8).write(to: parent.appendingPathComponent("victim.txt"))
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("mydata"), withIntermediateDirectories: false)
        try Data("mine".utf8).write(to: folder.appendingPathComponent("mydata/file"))

        experiment.writesModelFile = false   // so that the earlier modelFile is stale
        _ = try experiment.run(on: data, writingTo: folder, log: { _ in })
        #expect(try Data(contentsOf: parent.appendingPathComponent("victim.txt")) == Data("victim".utf8))
        #expect(try Data(contentsOf: folder.appendingPathComponent("mydata/file")) == Data("mine".utf8))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("metrics.json").path))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("reconstructions.png").path))
    }

    /// One run at a time per folder; a folder where a run writes a file is found before
    /// training; temporary files a killed run left are swept; and a resumed run removes the
    /// evaluation of the model it replaces (each found by the failure-path audit).
    @Test func aRunHoldsItsFolderAndCleansUp() throws {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = Fixtures.small(training: 128, test: 10)
        var experiment = Experiment(name: "custom", model: ModelConfiguration(encoderWidths: [784, 4]),
                                    training: TrainingConfiguration(epochs: 2, batchSize: 64))
        var lines: [String] = []
        do {
            let held = try OutputFolder(folder).lockForRun()
            let error = #expect(throws: OutputFolder.Unwritable.self) {
                try experiment.run(on: data, writingTo: folder, log: { lines.append($0) })
            }
            #expect(error?.description == "Cannot write to the output folder \(folder.path): another run is writing to it.")
            withExtendedLifetime(held) {}
        }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("metrics.json"), withIntermediateDirectories: false)
        let inTheWay = #expect(throws: OutputFolder.Unwritable.self) {
            try experiment.run(on: data, writingTo: folder, log: { lines.append($0) })
        }
        #expect(inTheWay?.reason == "metrics.json in it is a folder, where a run writes a file")
        #expect(lines.isEmpty)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("metrics.json"))

        let leftovers = [".model.safetensors.tmp-123-abc", ".reconstructions.png.77-5.tmp", ".checkpoint.safetensors.tmp-9-z"]
        for name in leftovers + [".mine.tmp", "notes.txt"] { try Data("x".utf8).write(to: folder.appendingPathComponent(name)) }
        experiment.checkpointEvery = 1
        _ = try experiment.run(on: data, writingTo: folder, log: { _ in })
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(leftovers.allSatisfy { !names.contains($0) })
        #expect(names.contains(".mine.tmp") && names.contains("notes.txt"))

        try Data("{}".utf8).write(to: folder.appendingPathComponent("evaluation.json"))
        var checkpoint = try Checkpoint.read(from: folder.appendingPathComponent(Checkpoint.fileName))
        checkpoint.experiment.training.epochs = 3
        _ = try checkpoint.experiment.run(on: data, writingTo: folder, resumingFrom: checkpoint, log: { _ in })
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("evaluation.json").path))
    }

    /// Foundation says only "The operation could not be completed" when a folder cannot be
    /// created; the message names the obstacle.
    /// A symbolic link or a pipe where a run writes a file is refused before training: the
    /// write's rename replaced them by files (a link's target was left as it was).
    @Test func aLinkOrAPipeWhereARunWritesIsRefused() throws {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = Fixtures.small(training: 128, test: 10)
        var experiment = Experiment(preset: .autoencoder)
        experiment.training.batchSize = 64
        experiment.training.epochs = 1
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("metrics.json").path, withDestinationPath: "elsewhere.json")
        #expect(throws: OutputFolder.Unwritable.self) { try experiment.run(on: data, writingTo: folder, log: { _ in }) }
        do { try experiment.run(on: data, writingTo: folder, log: { _ in }) } catch {
            #expect("\(error)" == "Cannot write to the output folder \(folder.path): metrics.json in it is a symbolic link, which the run would replace by a file.")
        }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("metrics.json"))
        #expect(mkfifo(folder.appendingPathComponent("reconstructions.png").path, 0o600) == 0)
        do {
            try experiment.run(on: data, writingTo: folder, log: { _ in })
            Issue.record("a run wrote over a pipe")
        } catch {
            #expect("\(error)" == "Cannot write to the output folder \(folder.path): reconstructions.png in it is not a regular file (a device or a pipe), where a run writes a file.")
        }
    }

    @Test func aFolderUnderAFileNamesTheFile() throws {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        let target = file.appendingPathComponent("run/deeper")
        let error = #expect(throws: OutputFolder.Unwritable.self) { try OutputFolder(target) }
        #expect(error?.description
                == "Cannot write to the output folder \(target.path): it cannot be created (\(file.path) is a file, not a folder).")
    }

    /// The test set is checked before training, not after the epochs.
    @Test func theTestSetIsCheckedBeforeTraining() throws {
        let small = Fixtures.small(training: 256, test: 20)
        var lines: [String] = []
        let experiment = Experiment(preset: .encoder2d)
        #expect(throws: ConfigurationError.noTestSamples) {
            try experiment.run(on: MNIST(training: small.training, test: small.test.prefix(0)),
                               writingTo: Fixtures.temporaryFolder(), log: { lines.append($0) })
        }
        let tiny = LabeledImages(rows: 10, columns: 10, pixels: [UInt8](repeating: 0, count: 100), labels: [3])
        #expect(throws: ConfigurationError.testImageSize(test: [10, 10], training: [28, 28])) {
            try experiment.run(on: MNIST(training: small.training, test: tiny), writingTo: Fixtures.temporaryFolder(),
                               log: { lines.append($0) })
        }
        #expect(lines.isEmpty)
        #expect(ConfigurationError.testImageSize(test: [10, 10], training: [28, 28]).localizedDescription
                == "The test images are 10x10 but the training images 28x28; both sets must have one image size.")
        #expect(TrainingError.nonFiniteData(epoch: 2, batch: 3).localizedDescription
                == "The training data holds NaN or infinite values (found in batch 3 of epoch 2).")
    }

    @Test func settingsAreCheckedAgainstTheData() throws {
        var experiment = Experiment(preset: .autoencoder)
        experiment.training.batchSize = 5000
        #expect(throws: ConfigurationError.batchSize(5000, sampleCount: 2048)) {
            try experiment.run(on: Fixtures.small(), writingTo: Fixtures.temporaryFolder(), log: { _ in })
        }
        experiment = Experiment(preset: .autoencoder)
        experiment.model!.encoderWidths = [100, 10]
        #expect(throws: ConfigurationError.inputWidth(found: 100, expected: 784)) {
            try experiment.run(on: Fixtures.small(), writingTo: Fixtures.temporaryFolder(), log: { _ in })
        }
    }
}

@Suite struct PresetTests {
    @Test func autoencoderIsTheTutorialsFirstModel() {
        let model = Preset.autoencoder.model!
        #expect(model.allWidths == [784, 256, 128, 256, 784])
        let layers = model.layers().map { $0 as! Dense }
        #expect(layers.allSatisfy { $0.activation == .sigmoid && $0.weightInitializer == .normal && $0.biasInitializer == .normal })
        #expect(Preset.autoencoder.training == TrainingConfiguration(epochs: 10, batchSize: 256, learningRate: 0.01, seed: 0))
    }

    @Test func encoder2dHasALinearTwoDimensionalCode() {
        let model = Preset.encoder2d.model!
        #expect(model.allWidths == [784, 128, 64, 10, 2, 10, 64, 128, 784])
        let layers = model.layers().map { $0 as! Dense }
        #expect(layers.map(\.activation) == [.sigmoid, .sigmoid, .sigmoid, .linear, .sigmoid, .sigmoid, .sigmoid, .sigmoid])
        #expect(layers.allSatisfy { $0.weightInitializer == .truncatedNormal && $0.biasInitializer == .normal })
    }

    @Test func validationNamesTheSetting() {
        #expect(ConfigurationError.inputWidth(found: 100, expected: 784).description
                == "The encoder widths must start at 784, the data's pixels per image, not 100.")
        #expect(ConfigurationError.batchSize(0, sampleCount: nil).description == "The batch size must be at least 1, not 0.")
        #expect(ConfigurationError.batchSize(600, sampleCount: 512).description
                == "The batch size must be between 1 and 512 (the number of training images), not 600.")
        #expect(ConfigurationError.epochs(0).description == "The number of epochs must be at least 1, not 0.")
        #expect(ConfigurationError.learningRate(-1).description == "The learning rate must be a positive number, not -1.0.")
        #expect(ConfigurationError.tooFewWidths([784]).description
                == "The encoder widths need at least two values (input and code), not 784.")
        #expect(ConfigurationError.nonPositiveWidth(0).description == "The encoder widths must be positive, not 0.")
        #expect(CheckpointIntervalError(value: 0).description == "The checkpoint interval must be at least 1 epoch, not 0.")
        #expect(throws: ConfigurationError.epochs(0)) { try TrainingConfiguration(epochs: 0).validate() }
        #expect(throws: ConfigurationError.batchSize(0, sampleCount: nil)) { try TrainingConfiguration(batchSize: 0).validate() }
        #expect(throws: ConfigurationError.learningRate(-1)) { try TrainingConfiguration(learningRate: -1).validate() }
        #expect(throws: ConfigurationError.noTrainingSamples) { try TrainingConfiguration().validate(sampleCount: 0) }
        #expect(ConfigurationError.noTrainingSamples.description == "The training set holds no images, so there is nothing to train on.")
        #expect(throws: ConfigurationError.self) { try TrainingConfiguration(learningRate: .nan).validate() }
        #expect(throws: ConfigurationError.tooFewWidths([784])) { try ModelConfiguration(encoderWidths: [784]).validate() }
    }
}

/// A programming error stops the program with a message instead of writing a model file
/// that describes another network (an exit test: it runs in a child process).
@Suite struct PreconditionTests {
    @Test func aModelRefusesANetworkOfAnotherArchitecture() async {
        await #expect(processExitsWith: .failure) {
            var generator = RandomGenerator(seed: 1)
            var model = try! AutoencoderModel(configuration: ModelConfiguration(encoderWidths: [784, 32, 8]), generator: &generator)
            let other = try! AutoencoderModel(configuration: ModelConfiguration(encoderWidths: [784, 10]), generator: &generator)
            model.network = other.network
        }
    }

    /// A block or chunk size of 0 stops with a message; each used to loop for ever.
    @Test func aZeroBlockSizeStops() async {
        await #expect(processExitsWith: .failure) { _ = Fixtures.small(training: 10, test: 2).test.mapInChunks(of: 0) { $0 } }
        await #expect(processExitsWith: .failure) {
            let m = Matrix(rows: 4, columns: 2, repeating: 1)
            _ = NearestNeighbors.classify(queries: m, references: m, labels: [0, 1, 2, 3], k: 1, blockSize: 0)
        }
        await #expect(processExitsWith: .failure) {
            _ = PCA.fit(count: 4, width: 2, components: 1, rows: { Matrix(rows: $0.count, columns: 2, repeating: 1) }, blockSize: 0)
        }
    }
}
