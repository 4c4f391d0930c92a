import Autoencoder
import Foundation
import Testing

/// A model with freshly drawn weights, for file tests.
private func randomModel(_ configuration: ModelConfiguration = Preset.encoder2d.model!, seed: UInt64 = 1) throws -> AutoencoderModel {
    var generator = RandomGenerator(seed: seed)
    return try AutoencoderModel(configuration: configuration, generator: &generator)
}

/// The bytes of a safetensors file with the given metadata and F32 tensors, written by hand so
/// that tests can make files our writer never would (other dtypes, odd metadata).
private func safetensorsBytes(metadata: [String: String], tensors: [(name: String, dtype: String, shape: [Int], bytes: [UInt8])]) -> [UInt8] {
    var entries: [String] = []
    if !metadata.isEmpty {
        let pairs = metadata.keys.sorted().map { key in
            "\(jsonString(key)):\(jsonString(metadata[key]!))"
        }
        entries.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
    }
    var offset = 0
    var data: [UInt8] = []
    for tensor in tensors {
        entries.append("\(jsonString(tensor.name)):{\"dtype\":\"\(tensor.dtype)\",\"shape\":\(tensor.shape),\"data_offsets\":[\(offset),\(offset + tensor.bytes.count)]}")
        offset += tensor.bytes.count
        data += tensor.bytes
    }
    var header = Array("{\(entries.joined(separator: ","))}".utf8)
    while header.count % 8 != 0 { header.append(0x20) }
    var bytes: [UInt8] = []
    withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes += $0 }
    return bytes + header + data
}

private func jsonString(_ text: String) -> String {
    String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
}

private func floatBytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
}

@Suite struct ModelFileTests {
    @Test func tensorNamesFollowPyTorchSequentialIndices() {
        let names = ModelFile.tensorLayout(of: Preset.encoder2d.model!).map(\.name)
        #expect(names == [
            "encoder.0.weight", "encoder.0.bias", "encoder.2.weight", "encoder.2.bias",
            "encoder.4.weight", "encoder.4.bias", "encoder.6.weight", "encoder.6.bias",
            "decoder.0.weight", "decoder.0.bias", "decoder.2.weight", "decoder.2.bias",
            "decoder.4.weight", "decoder.4.bias", "decoder.6.weight", "decoder.6.bias",
        ])
        let shapes = ModelFile.tensorLayout(of: Preset.autoencoder.model!).map(\.shape)
        #expect(shapes == [[256, 784], [256], [128, 256], [128], [256, 128], [256], [784, 256], [784]])
    }

    @Test func writeAndReadRoundTripEverything() throws {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try randomModel()
        let file = ModelFile(model: model, preset: "encoder2d", training: TrainingConfiguration(epochs: 3, seed: 9),
                             epochsCompleted: 3, imageShape: .init(rows: 28, columns: 28),
                             codeRange: .init(low: [-1, -2], high: [1, 2]))
        let url = folder.appendingPathComponent("model.safetensors")
        try file.write(to: url)
        let read = try ModelFile.read(from: url)
        #expect(read.model.network.parameters == model.network.parameters)
        #expect(read.model.configuration == model.configuration)
        #expect(read.preset == "encoder2d")
        #expect(read.training == TrainingConfiguration(epochs: 3, seed: 9))
        #expect(read.epochsCompleted == 3)
        #expect(read.imageShape == .init(rows: 28, columns: 28))
        #expect(read.codeRange == .init(low: [-1, -2], high: [1, 2]))
        #expect(read.rawMetadata["format"] == "swift-autoencoder")
        #expect(read.rawMetadata["format_version"] == "1")
        #expect(read.rawMetadata["normalization"] == "pixel/255")
        // The raw tensors are nn.Linear's [out, in] weights, copied without transposing.
        let raw = try SafeTensors.read(from: url)
        let weight = try raw.tensor(named: "encoder.0.weight")
        #expect(weight.shape == [128, 784])
        #expect(try weight.floats() == model.network.tensor(layer: 0, named: "weight"))
        // Nothing but the file is left in the folder.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model.safetensors"])
    }

    /// An output activation of its own (ReLU inside, sigmoid out) builds the right layers,
    /// trains, and survives the file; the tutorial's models, which have none, are stored
    /// without the key, and an architecture written before the key existed still reads.
    @Test func outputActivationRoundTrips() throws {
        let configuration = ModelConfiguration(encoderWidths: [784, 32, 8], activation: .relu, codeActivation: .tanh,
                                               outputActivation: .sigmoid, weightInitializer: .glorotUniform,
                                               biasInitializer: .zeros)
        let activations = configuration.layers().map { ($0 as! Dense).activation }
        #expect(activations == [.relu, .tanh, .relu, .sigmoid])
        var model = try randomModel(configuration)
        let trainer = Trainer(network: model.network, optimizer: Adam(learningRate: 0.01), batchSize: 64,
                              generator: RandomGenerator(seed: 4))
        let data = Fixtures.small(training: 512, test: 20)
        let first = try trainer.trainEpoch(on: data.training).meanCost
        let second = try trainer.trainEpoch(on: data.training).meanCost
        #expect(second < first)
        model.network = trainer.network
        let reconstruction = model.reconstruct(data.test.matrix())
        #expect(reconstruction.storage.allSatisfy { $0 > 0 && $0 < 1 })   // the sigmoid's range

        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("model.safetensors")
        try ModelFile(model: model).write(to: url)
        let read = try ModelFile.read(from: url)
        #expect(read.model.configuration == configuration)
        #expect(read.model.reconstruct(data.test.matrix()) == reconstruction)
        // The error over a matrix is the error over the same images as a set.
        #expect(abs(read.model.meanSquaredError(on: data.test.matrix()) - read.model.meanSquaredError(on: data.test)) < 1e-9)
        #expect(read.model.meanSquaredError(on: Matrix(rows: 0, columns: 784)) == 0)
        #expect(read.rawMetadata["architecture"]?.contains("\"outputActivation\":\"sigmoid\"") == true)

        let tutorial = String(decoding: try JSONEncoder().encode(Preset.autoencoder.model!), as: UTF8.self)
        #expect(!tutorial.contains("outputActivation"))
        let older = #"{"encoderWidths":[784,2],"activation":"relu","codeActivation":"linear","weightInitializer":"normal","biasInitializer":"normal"}"#
        let decoded = try JSONDecoder().decode(ModelConfiguration.self, from: Data(older.utf8))
        #expect(decoded.outputActivation == nil && decoded.activation(ofLayer: 1) == .relu)
    }

    /// Each violation of the metadata/tensor agreement gives its own one-sentence message.
    @Test func metadataMustMatchTheTensors() throws {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let configuration = ModelConfiguration(encoderWidths: [4, 2], activation: .sigmoid, codeActivation: .linear)
        let model = try randomModel(configuration)
        let good = try ModelFile(model: model).metadata()
        let tensors = ModelFile(model: model).tensors().map { ($0.name, "F32", $0.shape, floatBytes($0.values)) }

        func message(metadata: [String: String], tensors: [(String, String, [Int], [UInt8])]) -> String {
            let url = folder.appendingPathComponent("bad-\(UUID().uuidString).safetensors")
            try! Data(safetensorsBytes(metadata: metadata, tensors: tensors.map { ($0.0, $0.1, $0.2, $0.3) })).write(to: url)
            do {
                _ = try ModelFile.read(from: url)
                return "no error"
            } catch {
                return "\(error)".replacingOccurrences(of: url.path, with: "F")
            }
        }
        #expect(message(metadata: good, tensors: tensors) == "no error")
        var m = good
        m["format"] = nil
        #expect(message(metadata: m, tensors: tensors)
                == "The model file 'F' is invalid: its metadata has no 'format' entry, so it is not a swift-autoencoder model file.")
        #expect(message(metadata: [:], tensors: tensors).contains("has no 'format' entry"))
        m = good
        m["format"] = "pytorch"
        #expect(message(metadata: m, tensors: tensors)
                == "The model file 'F' is invalid: its metadata says the format is 'pytorch', not 'swift-autoencoder'.")
        m = good
        m["format_version"] = "4"
        #expect(message(metadata: m, tensors: tensors)
                == "The model file 'F' is invalid: its format version is '4' but this program reads versions 1, 2 and 3.")
        m["format_version"] = "3"
        #expect(message(metadata: m, tensors: tensors)
                == "The model file 'F' is invalid: its metadata has no 'description' entry, so it is not a swift-autoencoder model file.")
        m = good
        m["architecture"] = "{\"encoderWidths\": [4]"
        #expect(message(metadata: m, tensors: tensors)
                == "The model file 'F' is invalid: its metadata entry 'architecture' has the invalid value '{\"encoderWidths\": [4]'.")
        m = good
        m["architecture"] = "{\"encoderWidths\":[4],\"activation\":\"sigmoid\",\"codeActivation\":\"linear\",\"weightInitializer\":\"normal\",\"biasInitializer\":\"normal\"}"
        #expect(message(metadata: m, tensors: tensors)
                == "The model file 'F' is invalid: its architecture cannot be built: it has 1 encoder width(s), fewer than the two needed.")
        // A field that does not fit, one missing, one this program does not know: each named.
        let base = "\"encoderWidths\":[4,2],\"activation\":\"sigmoid\",\"codeActivation\":\"linear\",\"weightInitializer\":\"normal\",\"biasInitializer\":\"normal\""
        m = good
        m["architecture"] = "{\(base),\"outputActivation\":\"softmax\"}"
        #expect(message(metadata: m, tensors: tensors)
                == "The model file 'F' is invalid: its metadata entry 'architecture' has an invalid value for 'outputActivation'.")
        m["architecture"] = "{\(base),\"output_activation\":\"relu\"}"
        #expect(message(metadata: m, tensors: tensors)
                == "The model file 'F' is invalid: its metadata entry 'architecture' has the field 'output_activation', which this program does not know.")
        m["architecture"] = "{\(base.replacingOccurrences(of: "\"encoderWidths\":[4,2],", with: ""))}"
        #expect(message(metadata: m, tensors: tensors)
                == "The model file 'F' is invalid: its metadata entry 'architecture' has no 'encoderWidths'.")
        m["architecture"] = "{\(base),\"outputActivation\":null}"
        #expect(message(metadata: m, tensors: tensors) == "no error")
        m = good
        m["architecture"] = m["architecture"]!.replacingOccurrences(of: "[4,2]", with: "[4,3]")
        #expect(message(metadata: m, tensors: tensors)
                == "The model file 'F' is invalid: tensor 'encoder.0.weight' has shape [2, 4] but its architecture needs [3, 4].")
        #expect(message(metadata: good, tensors: Array(tensors.dropLast()))
                == "The model file 'F' is invalid: it has no tensor 'decoder.0.bias', which its architecture 4-2 needs.")
        #expect(message(metadata: good, tensors: tensors + [("encoder.8.weight", "F32", [1], floatBytes([0]))])
                == "The model file 'F' is invalid: it has a tensor 'encoder.8.weight' that its architecture 4-2 does not have.")
        var f64 = tensors
        f64[0] = (f64[0].0, "F64", f64[0].2, f64[0].3 + f64[0].3)
        #expect(message(metadata: good, tensors: f64)
                == "The model file 'F' is invalid: tensor 'encoder.0.weight' is F64 but model tensors must be F32.")
        var nan = tensors
        nan[1] = (nan[1].0, "F32", nan[1].2, floatBytes([.nan, 0]))
        #expect(message(metadata: good, tensors: nan)
                == "The model file 'F' is invalid: tensor 'encoder.0.bias' holds NaN or infinite values.")
        m = good
        m["image_shape"] = "[3,3]"
        #expect(message(metadata: m, tensors: tensors)
                == "The model file 'F' is invalid: its image_shape [3, 3] does not have the 4 pixels its architecture takes.")
        m = good
        m["normalization"] = "zscore"
        #expect(message(metadata: m, tensors: tensors)
                == "The model file 'F' is invalid: its normalization is 'zscore' but only 'pixel/255', 'none', 'minmax' and 'standard' are supported.")
        m = good
        m["code_range"] = "{\"low\":[1],\"high\":[0]}"
        #expect(message(metadata: m, tensors: tensors).contains("its metadata entry 'code_range' has the invalid value"))
        // The format's own violations come from the safetensors reader, also one sentence.
        let cut = folder.appendingPathComponent("cut.safetensors")
        let whole = safetensorsBytes(metadata: good, tensors: tensors)
        try Data(whole.prefix(whole.count - 3)).write(to: cut)
        #expect(throws: SafeTensorsError.self) { try ModelFile.read(from: cut) }
    }

    @Test func checkpointRoundTripsTheOptimizerAndGeneratorExactly() throws {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try randomModel()
        var adam = Adam(learningRate: 0.01)
        adam.step = 7
        adam.beta1Power = Float(bitPattern: 0x3F12_3457)
        adam.beta2Power = 0.993
        adam.firstMoments = (0..<model.network.parameterCount).map { Float($0 % 97) * 1e-3 }
        adam.secondMoments = (0..<model.network.parameterCount).map { Float($0 % 13) * 1e-7 }
        var generator = RandomGenerator(seed: 5)
        _ = generator.next()
        var experiment = Experiment(preset: .encoder2d)
        experiment.checkpointEvery = 2
        experiment.dataFolder = "/data/mnist"
        let reports = try (1...3).map {
            try JSONDecoder().decode(EpochReport.self, from: Data("{\"epoch\":\($0),\"lastBatchCost\":0.\($0),\"meanCost\":0.1,\"seconds\":1}".utf8))
        }
        let checkpoint = Checkpoint(experiment: experiment, parameters: model.network.parameters, optimizer: adam,
                                    generator: generator, reports: reports, trainingSamples: 100,
                                    trainingFingerprint: "abc", imageShape: .init(rows: 28, columns: 28))
        let url = folder.appendingPathComponent(Checkpoint.fileName)
        try checkpoint.write(to: url)
        let read = try Checkpoint.read(from: url)
        #expect(read.optimizer as? Adam == adam)
        #expect(read.generator == generator)
        #expect(read.parameters == model.network.parameters)
        #expect(read.reports == reports)
        #expect(read.experiment.model == experiment.model && read.experiment.training == experiment.training)
        #expect(read.experiment.name == "encoder2d" && read.experiment.checkpointEvery == 2)
        #expect(read.experiment.dataFolder == "/data/mnist")
        // A checkpoint also loads as a model; a model file is not a checkpoint.
        #expect(try ModelFile.read(from: url).model.network.parameters == model.network.parameters)
        let plain = folder.appendingPathComponent("model.safetensors")
        try ModelFile(model: model).write(to: plain)
        #expect(throws: CheckpointError.self) { try Checkpoint.read(from: plain) }
        // A model read from a checkpoint and written is a model file, not a broken checkpoint.
        let fromCheckpoint = folder.appendingPathComponent("from-checkpoint.safetensors")
        try ModelFile.read(from: url).write(to: fromCheckpoint)
        #expect(try ModelFile.read(from: fromCheckpoint).rawMetadata["checkpoint"] == nil)
        #expect(throws: CheckpointError.self) { try Checkpoint.read(from: fromCheckpoint) }
        // A checkpoint that could not be read back is not written.
        let unreadable = Checkpoint(experiment: experiment, parameters: model.network.parameters, optimizer: adam,
                                    generator: generator, reports: [], trainingSamples: 100, trainingFingerprint: "abc")
        let refused = folder.appendingPathComponent("refused.safetensors")
        #expect(throws: CheckpointError(file: refused.path, reason: "its epoch 0 does not fit its 0 reports and 10 epochs",
                                        isWrite: true)) { try unreadable.write(to: refused) }
        #expect(!FileManager.default.fileExists(atPath: refused.path))
    }

    /// A model file read, changed and written says what its properties say now: an entry
    /// cleared is gone, and an entry that no longer fits the model is refused before
    /// anything is written (a code range of another width used to be written, then refused
    /// when read); entries this format does not define are kept.
    @Test func writeSaysWhatThePropertiesSayAndOnlyWhatReadsBack() throws {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("m.safetensors")
        let model = try randomModel()
        var metadata = try ModelFile(model: model, preset: "encoder2d", training: TrainingConfiguration(), epochsCompleted: 10,
                                     imageShape: .init(rows: 28, columns: 28), codeRange: .init(low: [-1, -1], high: [1, 1]))
            .metadata()
        metadata["note"] = "kept"
        try SafeTensors.write(ModelFile(model: model).tensors(), metadata: metadata, to: url)

        var file = try ModelFile.read(from: url)
        (file.preset, file.training, file.epochsCompleted, file.imageShape, file.codeRange) = (nil, nil, nil, nil, nil)
        try file.write(to: url)
        let cleared = try ModelFile.read(from: url)
        #expect(cleared.preset == nil && cleared.training == nil && cleared.epochsCompleted == nil)
        #expect(cleared.imageShape == nil && cleared.codeRange == nil)
        #expect(cleared.rawMetadata["note"] == "kept")
        #expect(cleared.notes == ["note": "kept"])

        // Notes of one's own are written, changed and removed like the properties.
        var noted = cleared
        noted.notes["dataset"] = "fashion-mnist"
        noted.notes["note"] = nil
        try noted.write(to: url)
        #expect(try ModelFile.read(from: url).notes == ["dataset": "fashion-mnist"])
        #expect(try ModelFile.read(from: url).rawMetadata["dataset"] == "fashion-mnist")
        noted.notes["preset"] = "mine"
        #expect(throws: ModelFileError(file: url.path, problem: .noteUnderDefinedKey("preset"), isWrite: true)) {
            try noted.write(to: url)
        }
        #expect(ModelFileError(file: "F", problem: .noteUnderDefinedKey("preset"), isWrite: true).description
            == "Cannot write the model file 'F': the note 'preset' uses a metadata key of the format itself; set the model file's property instead.")
        #expect(try ModelFile.read(from: url).notes == ["dataset": "fashion-mnist"])
        // Notes past the format's header limit are refused naming the file (it said '<memory>').
        noted.notes = ["big": String(repeating: "x", count: Int(SafeTensorsFile.maximumHeaderLength))]
        do {
            try noted.write(to: url)
            Issue.record("a 100 MB note was written")
        } catch let error as WriteRequestError {
            #expect(error.description.hasPrefix("Cannot write the file '\(url.path)': its header (tensor names and metadata) would take "), "\(error)")
        }
        #expect(try ModelFile.read(from: url).notes == ["dataset": "fashion-mnist"])
        try cleared.write(to: url)

        let before = try Data(contentsOf: url)
        func refusal(_ change: (inout ModelFile) -> Void) -> String? {
            var changed = try! ModelFile.read(from: url)
            change(&changed)
            do { try changed.write(to: url); return nil } catch { return "\(error)".replacingOccurrences(of: url.path, with: "F") }
        }
        let prefix = "Cannot write the model file 'F', which could not be read back: "
        #expect(refusal { $0.codeRange = .init(low: [-1, -1, -1], high: [1, 1, 1]) }
                == prefix + #"its metadata entry 'code_range' has the invalid value '{"high":[1,1,1],"low":[-1,-1,-1]}'."#)
        #expect(refusal { $0.imageShape = .init(rows: 3, columns: 3) }
                == prefix + "its image_shape [3, 3] does not have the 784 pixels its architecture takes.")
        #expect(refusal { $0.epochsCompleted = -1 } == prefix + "its metadata entry 'epochs_completed' has the invalid value '-1'.")
        #expect(refusal { $0.training = TrainingConfiguration(epochs: 0) }?.hasPrefix(prefix + "its metadata entry 'training'") == true)
        #expect(refusal { $0.model.network.parameters[0] = .nan } == prefix + "tensor 'encoder.0.weight' holds NaN or infinite values.")
        #expect(try Data(contentsOf: url) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["m.safetensors"])
    }

    @Test func checkpointingDoesNotChangeTheRunAndResumeOnOtherDataIsRefused() throws {
        let data = Fixtures.small(training: 256, test: 20)
        var experiment = Experiment(preset: .encoder2d)
        experiment.training.epochs = 3
        experiment.training.batchSize = 64
        let plain = Fixtures.temporaryFolder(), saved = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: plain); try? FileManager.default.removeItem(at: saved) }
        let a = try experiment.train(on: data, writingTo: plain, log: { _ in })
        experiment.checkpointEvery = 2
        experiment.writesModelFile = true
        let b = try experiment.train(on: data, writingTo: saved, log: { _ in })
        #expect(a.model.model.network.parameters == b.model.model.network.parameters)
        let names = try FileManager.default.contentsOfDirectory(atPath: saved.path).sorted()
        #expect(names == ["checkpoint.safetensors", "codes.csv", "codes.png", "metrics.json", "model.safetensors", "reconstructions.png"])
        let metrics = try JSONDecoder().decode(RunMetrics.self, from: Data(contentsOf: saved.appendingPathComponent("metrics.json")))
        #expect(metrics.modelFile == "model.safetensors")
        let checkpoint = try Checkpoint.read(from: saved.appendingPathComponent(Checkpoint.fileName))
        #expect(checkpoint.completedEpochs == 3)
        #expect(checkpoint.parameters == b.model.model.network.parameters)
        // The backend is recorded; resuming with another one says the rounding will differ.
        #expect(checkpoint.backend == MatrixMultiplication.preferred.name)
        if let portable = BuiltInMatrixMultiplier(kernel: .portable), portable.name != checkpoint.backend {
            var lines: [String] = []
            _ = try checkpoint.experiment.run(on: data, writingTo: saved, resumingFrom: checkpoint, multiplier: portable,
                                              log: { lines.append($0) })
            #expect(lines.contains("Note: epochs 1-3 ran with \(checkpoint.backend!) and the rest run with built-in (portable), "
                                   + "so the weights will differ in rounding from an uninterrupted run."))
        }
        let other = Fixtures.small(training: 320, test: 20)
        #expect(throws: CheckpointError.self) {
            try experiment.run(on: other, writingTo: saved, resumingFrom: checkpoint, log: { _ in })
        }
        // Messages name the checkpoint that was read, wherever it is.
        let kept = saved.appendingPathComponent("kept-epoch3.safetensors")
        try FileManager.default.copyItem(at: saved.appendingPathComponent(Checkpoint.fileName), to: kept)
        let copy = try Checkpoint.read(from: kept)
        let error = #expect(throws: CheckpointError.self) {
            try experiment.run(on: other, writingTo: plain, resumingFrom: copy, log: { _ in })
        }
        #expect(error?.file == kept.path)
        var lines: [String] = []
        try copy.experiment.run(on: data, writingTo: plain, resumingFrom: copy, log: { lines.append($0) })
        #expect(lines.first == "Resuming after epoch 3 of 3 from kept-epoch3.safetensors")
        experiment.checkpointEvery = 0
        #expect(throws: CheckpointIntervalError.self) { try experiment.run(on: data, writingTo: plain, log: { _ in }) }
    }

    /// The message reading a model file with `metadata` (over the tensors of a 4-2 model) gives.
    private func readingMessage(_ change: (inout [String: String]) -> Void) throws -> String {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try randomModel(ModelConfiguration(encoderWidths: [4, 2], activation: .sigmoid, codeActivation: .linear))
        var metadata = try ModelFile(model: model).metadata()
        change(&metadata)
        let url = folder.appendingPathComponent("m.safetensors")
        try SafeTensors.write(ModelFile(model: model).tensors(), metadata: metadata, to: url)
        do {
            _ = try ModelFile.read(from: url)
            return "no error"
        } catch {
            return "\(error)".replacingOccurrences(of: url.path, with: "F")
        }
    }

    @Test func absurdWidthsAreRefusedInsteadOfCrashing() throws {
        #expect(throws: ConfigurationError.tooManyParameters([784, 99_999_999_999], count: 156_899_999_999_215)) {
            try ModelConfiguration(encoderWidths: [784, 99_999_999_999]).validate()
        }
        #expect(throws: ConfigurationError.tooManyParameters([784, Int.max], count: nil)) {
            try ModelConfiguration(encoderWidths: [784, Int.max]).validate()
        }
        #expect(ConfigurationError.tooManyParameters([784, Int.max], count: nil).description
                == "The encoder widths 784,\(Int.max) need more parameters than the 268435456 allowed.")
        // A model file whose architecture claims such a width, with the tensor names of 4-2.
        let message = try readingMessage {
            $0["architecture"] = $0["architecture"]!.replacingOccurrences(of: "[4,2]", with: "[4,\(Int.max)]")
        }
        #expect(message == "The model file 'F' is invalid: its architecture cannot be built: it needs more parameters than the 268435456 allowed.")
    }

    @Test func metadataThatWouldOverflowOrSweepNaNIsRefused() throws {
        #expect(try readingMessage { $0["image_shape"] = "[4611686018427387904,4]" }
                == "The model file 'F' is invalid: its image_shape [4611686018427387904, 4] does not have the 4 pixels its architecture takes.")
        #expect(try readingMessage { $0["code_range"] = "{\"low\":[-3e38,0],\"high\":[3e38,1]}" }
                == "The model file 'F' is invalid: its metadata entry 'code_range' has the invalid value '{\"low\":[-3e38,0],\"high\":[3e38,1]}'.")
        #expect(try readingMessage { $0["training"] = "{\"batchSize\":-1,\"epochs\":0,\"learningRate\":-1,\"seed\":0}" }
                == "The model file 'F' is invalid: its metadata entry 'training' has the invalid value '{\"batchSize\":-1,\"epochs\":0,\"learningRate\":-1,\"seed\":0}'.")
    }

    @Test(arguments: [
        ("checkpointEvery", "0", "its checkpoint interval 0 is not a positive number of epochs"),
        ("adamStep", "-5", "its Adam step -5 is fewer than its 1 epochs"),
        // Resuming would trap counting the next step (the `checkpoint` fuzz harness checks for it).
        ("adamStep", "9223372036854775807", "its Adam step 9223372036854775807 would overflow in the 2 epochs left"),
        ("adamBeta1", "1.5", "its Adam settings (β1 1.5, β2 0.999, ε 1e-08) need 0 ≤ β < 1 and ε > 0"),
        ("adamEpsilon", "-1", "its Adam settings (β1 0.9, β2 0.999, ε -1.0) need 0 ≤ β < 1 and ε > 0"),
        ("adamBeta1PowerBits", "2143289344", "its Adam β^t products [nan, 0.998001] are not in [0, 1)"),
        ("trainingSamples", "0", "its training sample count 0 is not positive"),
        ("reports", "[{\"epoch\":7,\"lastBatchCost\":1,\"meanCost\":1,\"seconds\":1}]",
         "its report 1 (epoch 7) is out of order or not finite"),
        ("optimizer.first_moments", "nan", "tensor 'optimizer.first_moments' holds NaN or infinite values"),
        ("optimizer.second_moments", "-1", "tensor 'optimizer.second_moments' holds negative, NaN or infinite values"),
    ])
    func corruptCheckpointIsRefusedWithOneSentence(field: String, value: String, reason: String) throws {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let configuration = ModelConfiguration(encoderWidths: [4, 2])
        let parameters = try randomModel(configuration).network.parameters
        var adam = Adam(learningRate: 0.01)
        adam.step = 2
        adam.beta1Power = 0.81
        adam.beta2Power = 0.998001
        adam.firstMoments = [Float](repeating: 0.1, count: parameters.count)
        adam.secondMoments = [Float](repeating: 0.01, count: parameters.count)
        var experiment = Experiment(name: "custom", model: configuration, training: TrainingConfiguration(epochs: 3))
        experiment.checkpointEvery = 1
        let url = folder.appendingPathComponent(Checkpoint.fileName)
        try Checkpoint(experiment: experiment, parameters: parameters, optimizer: adam, generator: RandomGenerator(seed: 1),
                       reports: [JSONDecoder().decode(EpochReport.self, from: Data(#"{"epoch":1,"lastBatchCost":0.5,"meanCost":0.5,"seconds":1}"#.utf8))],
                       trainingSamples: 512, trainingFingerprint: "0").write(to: url)
        _ = try Checkpoint.read(from: url)

        // Rewrite the file with one field of the state, or one value of a tensor, spoilt.
        let file = try SafeTensors.read(from: url)
        var metadata = file.metadata
        var tensors = try file.tensors.map { NamedFloatTensor(name: $0.name, shape: $0.shape, values: try $0.floats()) }
        if let index = tensors.firstIndex(where: { $0.name == field }) {
            tensors[index].values[0] = Float(value)!
        } else {
            var state = try JSONSerialization.jsonObject(with: Data(metadata["checkpoint"]!.utf8)) as! [String: Any]
            state[field] = try JSONSerialization.jsonObject(with: Data(value.utf8), options: .fragmentsAllowed)
            metadata["checkpoint"] = String(decoding: try JSONSerialization.data(withJSONObject: state), as: UTF8.self)
        }
        try SafeTensors.write(tensors, metadata: metadata, to: url)
        #expect(throws: CheckpointError(file: url.path, reason: reason)) { try Checkpoint.read(from: url) }
    }
}

@Suite struct BaselineTests {
    @Test func lapackAndHouseholderQLAgree() {
        var generator = RandomGenerator(seed: 3)
        let n = 40
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0...i { let v = generator.nextStandardNormal(); a[i * n + j] = v; a[j * n + i] = v } }
        let fast = SymmetricEigen(a, size: n)
        let slow = SymmetricEigen(a, size: n, allowLAPACK: false)
        #expect(slow.method == "Householder + QL")
        for (x, y) in zip(fast.values, slow.values) { #expect(abs(x - y) < 1e-10) }
        #expect(zip(slow.values, slow.values.dropFirst()).allSatisfy { $0 <= $1 })
        // A·v = λ·v and unit length, for every pair of the hand-written solver.
        for j in 0..<n {
            let v = Array(slow.vectors[(j * n)..<((j + 1) * n)])
            var residual = 0.0
            for i in 0..<n {
                var sum = 0.0
                for k in 0..<n { sum += a[i * n + k] * v[k] }
                residual = max(residual, abs(sum - slow.values[j] * v[i]))
            }
            #expect(residual < 1e-10)
            #expect(abs(v.reduce(0) { $0 + $1 * $1 } - 1) < 1e-12)
        }
    }

    @Test func pcaRecoversALowRankSetExactly() {
        // Points on a 2-D plane in 6-D, offset from the origin.
        var generator = RandomGenerator(seed: 4)
        let rows = (0..<200).map { _ -> [Float] in
            let s = Float(generator.nextStandardNormal()), t = Float(generator.nextStandardNormal())
            return [1 + s, 2 - s + t, 3 + 2 * t, 4, 5 + s + t, -t]
        }
        let samples = Matrix(rows)
        let pca = PCA.fit(samples, components: 2)
        let restored = pca.reconstruct(samples)
        let error = zip(restored.storage, samples.storage).map { abs($0 - $1) }.max()!
        #expect(error < 1e-4)
        #expect(pca.variances[0] >= pca.variances[1] && pca.variances[1] > 0.1)
        #expect(pca.truncated(to: 1).reconstruct(samples) != samples)
    }

    @Test func nearestNeighboursVoteAndBreakTies() {
        let references = Matrix([[0, 0], [1, 0], [0, 1], [10, 10], [11, 10]])
        let labels: [UInt8] = [1, 1, 2, 3, 3]
        let queries = Matrix([[0.1, 0.1], [10.5, 10], [5, 5]])
        #expect(NearestNeighbors.classify(queries: queries, references: references, labels: labels, k: 1) == [1, 3, 1])
        #expect(NearestNeighbors.classify(queries: queries, references: references, labels: labels, k: 3) == [1, 3, 1])
        // Two labels with two votes each: the one with the nearest member wins.
        #expect(NearestNeighbors.vote([4, 7, 7, 4, 9]) == 4)
        #expect(NearestNeighbors.vote([7, 4, 4, 7]) == 7)
        #expect(NearestNeighbors.accuracy(queries: queries, queryLabels: [1, 3, 3], references: references,
                                          referenceLabels: labels, k: 1) == 2.0 / 3.0)
    }

    @Test func evaluationAddsUpAndComparesWithTheBaselines() throws {
        let data = Fixtures.small(training: 600, test: 100)
        var experiment = Experiment(preset: .encoder2d)
        experiment.training.epochs = 2
        experiment.training.batchSize = 50
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try experiment.train(on: data, writingTo: folder, log: { _ in })
        let report = try outcome.model.evaluate(on: data)
        #expect(abs(report.mse - outcome.model.model.meanSquaredError(on: data.test)) < 1e-6)
        #expect(abs(report.psnr - 10 * log10(1 / report.mse)) < 1e-9)
        let weighted = report.perLabel.reduce(0.0) { $0 + $1.mse * Double($1.count) } / Double(data.test.count)
        #expect(abs(weighted - report.mse) < 1e-9)
        #expect(report.perLabel.map(\.count).reduce(0, +) == 100)
        #expect(report.comparison.map(\.name) == ["model", "PCA-2", "mean image"])
        let mean = report.comparison[2].mse, pca = report.comparison[1].mse
        #expect(pca < mean)   // two components explain something
        #expect(report.knnAccuracy! > 0.1 && report.knnAccuracy! <= 1)
        let decoded = try JSONDecoder().decode(EvaluationReport.self, from: Data(report.json().utf8))
        #expect(decoded == report)
        #expect(report.table().contains("PCA-2"))
        // Another input size is refused with one sentence.
        let small = try ModelFile(model: randomModel(ModelConfiguration(encoderWidths: [100, 2])))
        #expect(throws: InputSizeError.self) { try small.evaluate(on: data) }
    }
}
