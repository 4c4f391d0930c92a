import Autoencoder
import Foundation
import Testing

/// The Swift code of the DocC articles (`Sources/Autoencoder/Autoencoder.docc`), compiled here
/// so that it cannot go stale: each article's blocks, in order, inside a function that gives
/// them what the article's text assumes. The functions are compiled, not run (they train on
/// the whole of MNIST); the test checks that every block of every article is here verbatim.
enum ArticleCode {
    /// Autoencoder.md, the landing page.
    static func landingPage() throws {
        let mnist = try MNIST.load(from: "data/mnist")
        let training = Dataset(mnist.training, origin: "data/mnist"), test = Dataset(mnist.test, origin: "data/mnist")
        var generator = RandomGenerator(seed: 0)
        var model = try AutoencoderModel(preset: .autoencoder, generator: &generator)
        try model.fit(training, settings: Preset.autoencoder.training, validation: test) { epoch in
            print("epoch \(epoch.epoch): validation loss \(epoch.validationLoss!)")
        }
        let codes = model.encode(test)
        _ = codes
    }

    /// GettingStarted.md.
    static func gettingStarted() throws {
        let manifest = """
            .package(path: "../swift-autoencoder"),      // or the repository's URL
            // …
            .target(name: "MyTool", dependencies: [.product(name: "Autoencoder", package: "swift-autoencoder")]),
            """
        _ = manifest

        let mnist = try MNIST.load(from: "data/mnist")
        var experiment = Experiment(preset: .encoder2d)
        experiment.training.epochs = 5
        let metrics = try experiment.run(on: mnist, writingTo: URL(fileURLWithPath: "runs/e2d"))
        print(metrics.testMSE)

        let training = Dataset(mnist.training, origin: "data/mnist")
        let test = Dataset(mnist.test, origin: "data/mnist")
        var generator = RandomGenerator(seed: 0)
        var model = try AutoencoderModel(preset: .autoencoder, generator: &generator)
        try model.fit(training, settings: Preset.autoencoder.training, validation: test) { epoch in
            print("epoch \(epoch.epoch): validation loss \(epoch.validationLoss!)")
        }
        let codes = model.encode(test)             // a Matrix: one row of codeWidth values per image
        print(model.meanSquaredError(on: test))
        _ = codes

        let image = test.samples(in: 0..<1)                // one image's 784 values, scaled
        let code = model.encode(image)                     // its codeWidth values
        let reconstruction = model(image)                  // as model.reconstruct(image)
        _ = (code, reconstruction)

        try ModelFile(model: model, training: Preset.autoencoder.training).write(to: URL(fileURLWithPath: "model.safetensors"))
        let loaded = try ModelFile.read(from: URL(fileURLWithPath: "model.safetensors")).model
        _ = loaded
    }

    /// TrainingOnYourOwnData.md.
    static func trainingOnYourOwnData() throws {
        let file = try DatasetReader.read(path: "sensors.csv",
                                          options: DatasetReadOptions(labelColumn: .name("label")))
        let table = try CSVReader.read(path: "sensors.csv", labelColumn: .name("label"))
        _ = file

        var (training, test) = table.split(testFraction: 0.2, seed: 0)

        let scaling = Scaling.fit(.minmax, to: training)     // or .standard
        training.scaling = scaling
        test.scaling = scaling

        let description = try Preset.deep.architecture.fitted(to: training.sampleShape)
        var generator = RandomGenerator(seed: 0)
        var model = try AutoencoderModel(architecture: description, generator: &generator)
        let settings = TrainingConfiguration(epochs: 20, batchSize: 64, learningRate: 0.001)
        try model.fit(training, settings: settings, validation: test) { epoch in
            print(epoch.epoch, epoch.meanCost, epoch.validationLoss ?? .nan)
        }
    }

    /// DescribingAModel.md.
    static func describingAModel() throws {
        func convolution(_ filters: Int, _ activation: Activation) -> Conv2D.Specification {
            Conv2D.Specification(filters: filters, kernelSize: PairOfSizes(3), padding: .same, activation: activation)
        }
        let description = ModelDescription(
            inputShape: .image(channels: 1, height: 28, width: 28),
            encoder: [convolution(8, .relu), MaxPooling2D.Specification(poolSize: PairOfSizes(2)),
                      convolution(4, .relu), MaxPooling2D.Specification(poolSize: PairOfSizes(2))],
            decoder: [convolution(4, .relu), UpSampling2D.Specification(size: PairOfSizes(2)),
                      convolution(8, .relu), UpSampling2D.Specification(size: PairOfSizes(2)),
                      convolution(1, .sigmoid)],
            loss: LossSpecification(.binaryCrossEntropy))
        var generator = RandomGenerator(seed: 0)
        let model = try AutoencoderModel(architecture: description, generator: &generator)

        for row in model.layerSummary { print(row.layer, row.outputShape, row.parameters) }
        print(model.codeSummary)        // Code: [4, 7, 7] (196 values), relu

        let text = description.json()
        let again = try ModelDescription.decode(json: Data(text.utf8))
        _ = again
    }

    /// FindingAnomalies.md, on the scaled data and trained model of TrainingOnYourOwnData.md.
    static func findingAnomalies(training: Dataset, test: Dataset, model: AutoencoderModel) throws {
        let normal = training.samples(labeled: [0])!          // train on the normal samples only
        // … build a model and fit it on `normal`, as in "Training on your own data" …
        let trainingErrors = try model.reconstructionErrors(on: normal)
        let errors = try model.reconstructionErrors(on: test, kind: .mse)

        let threshold = try ThresholdRule.percentile(99).threshold(trainingErrors: trainingErrors)
        let flagged = errors.indices.filter { errors[$0] > threshold }
        _ = flagged

        let isAnomaly = test.labels!.map { $0 != 0 }
        let metrics = try DetectionMetrics(errors: errors, isAnomaly: isAnomaly, threshold: threshold)
        print(metrics.precision ?? .nan, metrics.recall ?? .nan, metrics.rocAUC ?? .nan)
    }
}

@Suite struct ArticleCodeTests {
    static let catalog = ExampleProgram.repository.appendingPathComponent("Sources/Autoencoder/Autoencoder.docc")

    /// A text's lines without their indentation, blank lines and imports.
    static func normalized(_ text: some StringProtocol) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("import ") }
    }

    /// The ```swift blocks of a Markdown text.
    static func swiftBlocks(of markdown: String) -> [String] {
        markdown.components(separatedBy: "```swift\n").dropFirst().compactMap { $0.components(separatedBy: "```").first }
    }

    @Test func everyArticleBlockIsCompiledHere() throws {
        let compiled = Self.normalized(try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8))
        let articles = try FileManager.default.contentsOfDirectory(atPath: Self.catalog.path).filter { $0.hasSuffix(".md") }
        #expect(articles.count == 7)
        var blocks = 0
        for article in articles {
            let text = try String(contentsOf: Self.catalog.appendingPathComponent(article), encoding: .utf8)
            for block in Self.swiftBlocks(of: text) {
                blocks += 1
                let lines = Self.normalized(block)
                let found = lines.isEmpty || (0...(compiled.count - lines.count)).contains {
                    Array(compiled[$0..<($0 + lines.count)]) == lines
                }
                #expect(found, "\(article): this block is not in ArticleCodeTests.swift:\n\(block)")
            }
        }
        #expect(blocks >= 12)
    }
}
