@testable import Autoencoder
import Foundation
import Testing

/// Model descriptions: their JSON, their shape checks and the sentences that refuse them.
@Suite struct ModelDescriptionTests {
    static func decode(_ json: String) throws -> ModelDescription {
        try ModelDescription.decode(json: Data(json.utf8))
    }

    /// The sentence that decoding or building `json` throws, or nil when it builds.
    static func refusal(_ json: String) -> String? {
        do {
            _ = try decode(json).build()
            return nil
        } catch {
            return String(describing: error)
        }
    }

    @Test(arguments: Preset.allCases)
    func everyPresetRoundTripsThroughItsJSON(preset: Preset) throws {
        let described = preset.describedWithTraining
        let read = try Self.decode(described.json())
        #expect(read == described)
        #expect(read.json() == described.json())
        #expect(read.training == preset.training)
        let layout = try read.build()
        #expect(layout.shapes.first == read.inputShape)
        #expect(layout.shapes.last?.width == read.inputShape.width)
    }

    @Test func presetShapesAreTheAnchors() throws {
        #expect(try Preset.conv.architecture.build().codeShape == SampleShape([8, 4, 4]))
        #expect(try Preset.vae.architecture.build().codeShape == SampleShape([20]))
        #expect(try Preset.vae2d.architecture.build().codeShape == SampleShape([2]))
        #expect(try Preset.sparse.architecture.build().codeShape == SampleShape([32]))
        #expect(try Preset.deep.architecture.build().codeShape == SampleShape([32]))
        #expect(Preset.vae.architecture.isVariational && !Preset.conv.architecture.isVariational)
        // Binary cross-entropy after a sigmoid: the last convolution is built linear and a
        // standalone sigmoid follows, under the description's own tensor names.
        let conv = try Preset.conv.architecture.build()
        #expect(conv.layers.last?.elementwiseActivation == .sigmoid)
        #expect(conv.tensorPrefixes.suffix(2) == ["decoder.9", "decoder.10"])
    }

    /// The tutorial's configurations build, as descriptions, the very layers they always had.
    @Test func tutorialConfigurationsBuildTheirLayers() throws {
        for preset in Preset.tutorial {
            let configuration = preset.model!
            let layout = try configuration.architecture.build()
            #expect(layout.layers.map(\.summary) == configuration.layers().map(\.summary))
            #expect(ModelFile.tensorLayout(of: layout).map(\.name) == ModelFile.tensorLayout(of: configuration).map(\.name))
            #expect(layout.encoderDepth == configuration.encoderDepth)
        }
    }

    /// `AutoencoderModel(preset:)` makes what `Experiment(preset:)` trains: the tutorial's two
    /// with their configuration (the same parameters as from it, seed for seed), the others
    /// from their description, without one.
    @Test(arguments: Preset.allCases)
    func modelOfAPresetIsTheOneItsRunTrains(_ preset: Preset) throws {
        var generator = RandomGenerator(seed: 3), reference = RandomGenerator(seed: 3)
        let model = try AutoencoderModel(preset: preset, generator: &generator)
        let expected = try Experiment(preset: preset).makeModel(generator: &reference)
        #expect(model.configuration == preset.model)
        #expect(model.architecture == preset.architecture)
        #expect(model.network.parameters == expected.network.parameters)
        #expect(generator == reference)
    }

    @Test func keyNamesFollowKeras() throws {
        let description = try Self.decode(#"""
            {"input_shape": [1, 6, 6],
             "encoder": [{"kind": "Conv2D", "filters": 2, "kernel_size": [3, 1], "strides": 2, "padding": "same", "activation": "leaky_relu", "kernel_initializer": "he_uniform"},
                         {"kind": "Flatten"}, {"kind": "Dense", "units": 3, "activation": "elu"}],
             "decoder": [{"kind": "Dense", "units": 18, "activation": "softplus"}, {"kind": "Reshape", "target_shape": [2, 3, 3]},
                         {"kind": "Conv2DTranspose", "filters": 1, "kernel_size": 3, "strides": 2, "padding": "same", "activation": "sigmoid"}],
             "loss": {"kind": "binary_crossentropy", "reduction": "sum_per_sample"},
             "training": {"epochs": 3, "batch_size": 4, "learning_rate": 0.001,
                          "optimizer": {"kind": "sgd", "momentum": 0.9, "nesterov": true},
                          "schedule": {"kind": "cosine", "total_epochs": 3}}}
            """#)
        let layout = try description.build()
        #expect(layout.shapes.map(\.dimensions) == [[1, 6, 6], [2, 3, 3], [18], [3], [18], [2, 3, 3], [1, 6, 6], [1, 6, 6]])
        #expect(layout.tensorPrefixes == ["encoder.0", "encoder.2", "encoder.3", "decoder.0", "decoder.2", "decoder.3", "decoder.4"])
        #expect(description.training?.optimizer?.kind == .sgd)
        #expect(description.training?.learningRate(epoch: 3) == 0)
        #expect(try Self.decode(description.json()) == description)
    }

    @Test(arguments: [
        (#"[1, 2]"#, "The model description is not a JSON object."),
        (#"{"encoder": [], "decoder": []}"#, "The model description has no 'input_shape'."),
        (#"{"input_shape": [784], "encoder": [], "decoder": [], "optimiser": 1}"#,
         "The model description has the field 'optimiser', which is not one of input_shape, encoder, decoder, loss, training."),
        (#"{"input_shape": [784], "encoder": [], "decoder": [{"kind": "Dense", "units": 784}]}"#,
         "The encoder has no layers; it needs at least one to make a code."),
        (#"{"input_shape": [784], "encoder": [{"kind": "Conv3D", "filters": 2}], "decoder": []}"#,
         "Layer 0 of the encoder has the kind 'Conv3D', which is not one of Dense, Activation, ActivityRegularization, Sampling, Conv2D, Conv2DTranspose, MaxPooling2D, UpSampling2D, Flatten, Reshape."),
        (#"{"input_shape": [784], "encoder": [{"units": 2}], "decoder": []}"#,
         "Layer 0 of the encoder has no 'kind' (such as \"Dense\" or \"Conv2D\")."),
        (#"{"input_shape": [784], "encoder": [{"kind": "Dense", "unit": 2}], "decoder": []}"#,
         "Layer 0 of the encoder (Dense): 'unit' is not a field of Dense."),
        (#"{"input_shape": [784], "encoder": [{"kind": "Dense", "units": 0}], "decoder": []}"#,
         "Layer 0 of the encoder (Dense): 'units' must be positive, not 0."),
        (#"{"input_shape": [784], "encoder": [{"kind": "Dense", "units": 2, "activation": "swish"}], "decoder": []}"#,
         "Layer 0 of the encoder (Dense) has an invalid value for 'activation': not one of the names this program knows."),
        (#"{"input_shape": [784], "encoder": [{"kind": "Dense", "units": 2}], "decoder": [{"kind": "Dense", "units": 784}], "loss": {"kind": "mse", "weight": 1}}"#,
         "Its 'loss': 'weight' is not a field of the loss."),
        (#"{"input_shape": [784], "encoder": [{"kind": "Dense", "units": 2}], "decoder": [{"kind": "Dense", "units": 784}], "training": {"epoch": 3}}"#,
         "Its 'training': 'epoch' is not a training setting."),
        (#"{"input_shape": [1, 2, 2], "encoder": [{"kind": "Conv2D", "filters": 1, "kernel_size": 3}], "decoder": [{"kind": "Flatten"}]}"#,
         "Layer 0 of the encoder (Conv2D) cannot take an input of shape [1, 2, 2]: a 3x3 kernel does not fit a 2x2 map with valid padding."),
        (#"{"input_shape": [784], "encoder": [{"kind": "Reshape", "target_shape": [1, 27, 27]}], "decoder": [{"kind": "Flatten"}]}"#,
         "Layer 0 of the encoder (Reshape) cannot take an input of shape [784]: it cannot reshape [784] (784 values) to [1, 27, 27] (729 values)."),
        (#"{"input_shape": [784], "encoder": [{"kind": "Dense", "units": 2}], "decoder": [{"kind": "Dense", "units": 783}]}"#,
         "The decoder's output has shape [783] but the input has shape [784]; an autoencoder must give back its input's shape."),
        (#"{"input_shape": [1, 28, 28], "encoder": [{"kind": "Dense", "units": 2}], "decoder": [{"kind": "Dense", "units": 784}]}"#,
         "Layer 0 of the encoder (Dense) cannot take an input of shape [1, 28, 28]: it takes a vector but is given [1, 28, 28] (put a Flatten before it)."),
        (#"{"input_shape": [0, 28], "encoder": [{"kind": "Dense", "units": 2}], "decoder": [{"kind": "Dense", "units": 784}]}"#,
         "The input shape [0, 28] must be [features] or [channels, height, width] of positive sizes."),
        (#"{"input_shape": [784], "encoder": [{"kind": "Dense", "units": 3}, {"kind": "Sampling"}], "decoder": [{"kind": "Dense", "units": 784}]}"#,
         "Layer 1 of the encoder (Sampling) cannot take an input of shape [3]: "),
    ])
    func badDescriptionsAreOneSentence(json: String, expected: String) {
        let message = Self.refusal(json)
        if expected.hasSuffix(": ") {
            #expect(message?.hasPrefix(expected) == true, "\(message ?? "built")")
        } else {
            #expect(message == expected)
        }
        #expect(message.map { !$0.contains("\n") } ?? true)
    }

    @Test func modelFilesOfDescriptionsRoundTrip() throws {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for preset in [Preset.conv, .vae] {
            var generator = RandomGenerator(seed: 3)
            let model = try AutoencoderModel(architecture: preset.architecture, generator: &generator)
            let url = folder.appendingPathComponent("\(preset.rawValue).safetensors")
            try ModelFile(model: model, preset: preset.rawValue, training: preset.training).write(to: url)
            let read = try ModelFile.read(from: url)
            #expect(read.rawMetadata["format_version"] == "3")
            #expect(read.model.configuration == nil && read.model.architecture == preset.architecture)
            #expect(read.model.network.parameters == model.network.parameters)
            #expect(read.training == preset.training)
            let inputs = Fixtures.mnist.test.prefix(5).matrix()
            #expect(read.model.reconstruct(inputs) == model.reconstruct(inputs))
        }
        // PyTorch's names and layouts: Conv2d.weight is [out, in, kh, kw].
        var generator = RandomGenerator(seed: 3)
        let conv = try AutoencoderModel(architecture: Preset.conv.architecture, generator: &generator)
        let names = ModelFile(model: conv).tensors().map { "\($0.name) \($0.shape)" }
        #expect(names.first == "encoder.0.weight [16, 1, 3, 3]")
        #expect(names.contains("encoder.3.weight [8, 16, 3, 3]") && names.contains("decoder.9.weight [1, 16, 3, 3]"))
        #expect(names.count == 14)
    }

    /// Every optimizer's state goes through a checkpoint: a run resumed from its epoch-1
    /// checkpoint ends with the same bits as a run never stopped.
    @Test(arguments: [
        #"{"kind": "adam"}"#, #"{"kind": "adamw", "weight_decay": 0.05}"#,
        #"{"kind": "sgd", "momentum": 0.9, "nesterov": true}"#, #"{"kind": "rmsprop", "momentum": 0.5}"#,
    ])
    func everyOptimizerResumesBitIdentically(optimizer: String) throws {
        var description = try Self.decode(#"""
            {"input_shape": [784], "encoder": [{"kind": "Dense", "units": 16, "activation": "relu"}, {"kind": "Dense", "units": 8}],
             "decoder": [{"kind": "Dense", "units": 784, "activation": "sigmoid"}], "loss": {"kind": "binary_crossentropy"},
             "training": {"epochs": 2, "batch_size": 64, "learning_rate": 0.01, "optimizer": \#(optimizer),
                          "schedule": {"kind": "step", "step_size": 1, "gamma": 0.5}}}
            """#)
        let training = description.training!
        description.training = nil
        let data = Fixtures.small(training: 512, test: 50)
        let folder = Fixtures.temporaryFolder(), copy = Fixtures.temporaryFolder().appendingPathComponent("epoch1.safetensors")
        defer { try? FileManager.default.removeItem(at: folder) }
        var whole = Experiment(name: "custom", architecture: description, training: training)
        whole.checkpointEvery = 1
        // The checkpoint after epoch 1 is copied when epoch 2's line is logged (before its own checkpoint).
        let uninterrupted = try whole.train(on: data, writingTo: folder, log: { line in
            if line.hasPrefix("Epoch: 0002") {
                try? FileManager.default.copyItem(at: folder.appendingPathComponent(Checkpoint.fileName), to: copy)
            }
        })
        let checkpoint = try Checkpoint.read(from: copy)
        #expect(checkpoint.completedEpochs == 1)
        #expect(type(of: checkpoint.optimizer) == type(of: training.makeOptimizer()))
        let resumedFolder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: resumedFolder) }
        let resumed = try checkpoint.experiment.train(on: data, writingTo: resumedFolder, resumingFrom: checkpoint, log: { _ in })
        #expect(resumed.model.model.network.parameters == uninterrupted.model.model.network.parameters)
    }
}

extension ModelDescriptionTests {
    /// A name quoted from a description keeps the sentence on one line (found by fuzzing).
    @Test func quotedNamesWithLineBreaksStayOnOneLine() {
        let message = Self.refusal(#"{"input_shape": [784], "encoder": [{"kind": "Dense", "un\nits": 2}], "decoder": []}"#)
        #expect(message == #"Layer 0 of the encoder (Dense): 'un\nits' is not a field of Dense."#)
    }
}

extension ModelDescriptionTests {
    /// A tutorial-kind model trained with settings format versions 1 and 2 cannot record is
    /// written as version 3, which builds reading only those refuse.
    @Test func newerTrainingSettingsWriteVersion3() throws {
        var generator = RandomGenerator(seed: 1)
        let model = try AutoencoderModel(configuration: Preset.encoder2d.model!, generator: &generator)
        var file = ModelFile(model: model, training: TrainingConfiguration())
        #expect(try file.metadata()["format_version"] == "1")
        file.training = TrainingConfiguration(gaussianNoise: 0.5)
        let metadata = try file.metadata()
        #expect(metadata["format_version"] == "3" && metadata["architecture"] == nil)
        #expect(try ModelDescription.decode(json: Data(metadata["description"]!.utf8)) == Preset.encoder2d.model!.architecture)
    }

    /// A sum-reduced loss on a set is the sum over its samples, added terms included, whatever
    /// the chunks it is computed in.
    @Test func testLossOfASumDoesNotDependOnChunks() throws {
        var description = Preset.vae.architecture
        description.loss = LossSpecification(.binaryCrossEntropy, reduction: .sum)
        var generator = RandomGenerator(seed: 2)
        let model = try AutoencoderModel(architecture: description, generator: &generator)
        let inputs = Fixtures.mnist.test.prefix(40).matrix()
        var a = RandomGenerator(seed: 9), b = RandomGenerator(seed: 9)
        let whole = model.loss(on: inputs, generator: &a, chunkSize: 40)
        let chunked = model.loss(on: inputs, generator: &b, chunkSize: 7)
        #expect(abs(whole - chunked) <= 1e-4 * abs(whole), "\(whole) vs \(chunked)")
    }
}
