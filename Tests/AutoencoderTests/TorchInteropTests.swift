import Autoencoder
import Foundation
import Testing

/// A PyTorch module built from a model file's description (scripts/interop/torch_model.py)
/// loads the file with `load_state_dict(strict=True)` and reconstructs and encodes as we do.
/// Needs torch in the repository's .venv (scripts/setup-python.sh); fails, never skips, without it.
@Suite(.serialized) struct TorchInteropTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let python = repository.appendingPathComponent(".venv/bin/python3")
    static let script = repository.appendingPathComponent("scripts/interop/torch_model.py")
    /// The largest difference allowed between our outputs and PyTorch's.
    static let tolerance: Float = 1e-5

    /// Conv2DTranspose with stride 2 and 'same' padding of an odd total (cropped below and
    /// right), non-square kernels, strides and images with TensorFlow's asymmetric 'same'
    /// padding, 'same' max pooling of negative values (ELU) over an odd side, Flatten,
    /// Reshape, an Activation layer, activity regularisation and leaky ReLU, ELU and softplus.
    static let mixedDescription = """
        {"input_shape": [2, 9, 12],
         "encoder": [{"kind": "Conv2D", "filters": 4, "kernel_size": [4, 3], "strides": [2, 1], "padding": "same", "activation": "elu"},
                     {"kind": "MaxPooling2D", "pool_size": 2, "padding": "same"},
                     {"kind": "Flatten"},
                     {"kind": "Dense", "units": 6, "activation": "leaky_relu"},
                     {"kind": "ActivityRegularization", "l1": 0.001}],
         "decoder": [{"kind": "Dense", "units": 90, "activation": "softplus"},
                     {"kind": "Reshape", "target_shape": [3, 5, 6]},
                     {"kind": "Conv2DTranspose", "filters": 4, "kernel_size": 3, "strides": 2, "padding": "same", "activation": "leaky_relu"},
                     {"kind": "Activation", "activation": "tanh"},
                     {"kind": "Conv2D", "filters": 2, "kernel_size": [2, 1], "activation": "sigmoid"}],
         "loss": {"kind": "mse"}}
        """

    /// Transposed convolutions whose PyTorch form needs `output_padding` (a kernel shorter
    /// than the stride) and a crop of an odd total with stride 1, and a valid strided Conv2D.
    static let transposedDescription = """
        {"input_shape": [1, 8, 10],
         "encoder": [{"kind": "Conv2D", "filters": 3, "kernel_size": 2, "strides": 2, "activation": "relu"}],
         "decoder": [{"kind": "Conv2DTranspose", "filters": 3, "kernel_size": 1, "strides": 2, "activation": "tanh"},
                     {"kind": "Conv2DTranspose", "filters": 2, "kernel_size": [3, 2], "padding": "same", "activation": "elu"},
                     {"kind": "Conv2DTranspose", "filters": 1, "kernel_size": [5, 4], "padding": "same", "activation": "sigmoid"},
                     {"kind": "Reshape", "target_shape": [80]},
                     {"kind": "Dense", "units": 80, "activation": "linear"}],
         "loss": {"kind": "binary_crossentropy"}}
        """

    /// Fails (does not skip) when the venv or its torch is missing, saying how to fix it.
    static func requireTorch() throws {
        let hint = "run scripts/setup-python.sh to create .venv with numpy, safetensors and torch"
        try #require(FileManager.default.isExecutableFile(atPath: python.path), "\(python.path) is missing: \(hint).")
        let check = try run(["-c", "import numpy, safetensors, torch"])
        try #require(check.status == 0, "\(python.path) cannot import numpy, safetensors and torch: \(hint). \(check.error)")
    }

    /// Runs the venv's Python with `arguments` and waits for it.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = python
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    /// 16 inputs of `width` values: MNIST test images for 784, else uniform in [0, 1).
    static func inputs(width: Int) -> Matrix {
        if width == 784 {
            return Matrix(rows: 16, columns: 784, storage: Fixtures.mnist.test.normalizedImages(in: 0..<16))
        }
        var generator = RandomGenerator(seed: 99)
        return Matrix(rows: 16, columns: width, storage: (0..<(16 * width)).map { _ in Float(generator.nextUnitDouble()) })
    }

    /// The largest |ours − theirs| after `torch_model.py COMMAND` on the model and inputs;
    /// records a failure when the script fails or gives another shape.
    static func maximumDifference(_ command: String, model: URL, inputs: Matrix, ours: Matrix,
                                  in folder: URL) throws -> Float {
        let input = folder.appendingPathComponent("input.npy"), output = folder.appendingPathComponent("\(command).npy")
        try NPY.write(inputs.storage, shape: [inputs.rows, inputs.columns], to: input)
        let result = try run([script.path, command, model.path, input.path, output.path])
        try #require(result.status == 0, "torch_model.py \(command) failed: \(result.error)")
        let theirs = try NPY.read(from: output)
        try #require(theirs.shape == [ours.rows, ours.columns], "torch_model.py \(command) gave \(theirs.shape)")
        return zip(ours.storage, theirs.floats()).map { abs($0 - $1) }.max() ?? 0
    }

    /// Writes a model of `architecture` with random weights, runs PyTorch on it, compares.
    static func check(_ architecture: ModelDescription, seed: UInt64) throws {
        try requireTorch()
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var generator = RandomGenerator(seed: seed)
        var model = try AutoencoderModel(architecture: architecture, generator: &generator)
        // Keras's zero biases would leave the biases' layout untested: draw them too.
        var parameters = model.network.parameters
        for index in parameters.indices where parameters[index] == 0 { parameters[index] = Float(generator.nextUnitDouble()) - 0.5 }
        model = try AutoencoderModel(architecture: architecture, parameters: parameters)
        let file = folder.appendingPathComponent("model.safetensors")
        try ModelFile(model: model).write(to: file)
        let inputs = inputs(width: model.inputWidth)

        let reconstruction = try maximumDifference("reconstruct", model: file, inputs: inputs,
                                                   ours: model.reconstruct(inputs), in: folder)
        let code = try maximumDifference("encode", model: file, inputs: inputs, ours: model.encode(inputs), in: folder)
        print("TorchInterop: max |ours − PyTorch's| reconstruction \(reconstruction), code \(code)")
        #expect(reconstruction <= tolerance, "reconstructions differ by up to \(reconstruction)")
        #expect(code <= tolerance, "codes differ by up to \(code)")
    }

    @Test func convPreset() throws {
        try Self.check(Preset.conv.architecture, seed: 1)
    }

    @Test func vaePreset() throws {
        try Self.check(Preset.vae.architecture, seed: 2)
    }

    @Test func transposedConvolutionAsymmetricPaddingReshapeAndActivations() throws {
        try Self.check(ModelDescription.decode(json: Data(Self.mixedDescription.utf8)), seed: 3)
    }

    @Test func transposedConvolutionsWithOutputPaddingAndCrops() throws {
        try Self.check(ModelDescription.decode(json: Data(Self.transposedDescription.utf8)), seed: 4)
    }

    /// A dense model of format version 1 is refused with one line and exit status 1.
    @Test func refusesAFileWithoutADescription() throws {
        try Self.requireTorch()
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var generator = RandomGenerator(seed: 5)
        let model = try AutoencoderModel(configuration: ModelConfiguration(encoderWidths: [784, 8, 2]), generator: &generator)
        let file = folder.appendingPathComponent("dense.safetensors")
        try ModelFile(model: model).write(to: file)
        let input = folder.appendingPathComponent("input.npy")
        try NPY.write([Float](repeating: 0, count: 784), shape: [1, 784], to: input)
        let result = try Self.run([Self.script.path, "reconstruct", file.path, input.path,
                                   folder.appendingPathComponent("out.npy").path])
        #expect(result.status == 1)
        #expect(result.error.split(separator: "\n").count == 1, "\(result.error)")
        #expect(result.error.contains("format version 1"), "\(result.error)")
    }
}
