@testable import AutoencoderCLI
import Autoencoder
import AutoencoderSerialization
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Model files for the command tests.
enum ModelFixtures {
    /// A folder holding `e2d.safetensors` (the encoder2d architecture, random weights, 28x28
    /// images, a code range), `wide.safetensors` (784-16, 16-D code), `tiny.safetensors`
    /// (100-2, 10x10 images) and `linear.safetensors` (784-2, linear throughout).
    static let folder: URL = {
        let folder = TestData.temporaryFolder()
        var generator = RandomGenerator(seed: 11)
        let e2d = try! AutoencoderModel(configuration: Preset.encoder2d.model!, generator: &generator)
        try! ModelFile(model: e2d, preset: "encoder2d", imageShape: .init(rows: 28, columns: 28),
                       codeRange: .init(low: [-3, -3], high: [3, 3]))
            .write(to: folder.appendingPathComponent("e2d.safetensors"))
        let wide = try! AutoencoderModel(configuration: ModelConfiguration(encoderWidths: [784, 16]), generator: &generator)
        try! ModelFile(model: wide).write(to: folder.appendingPathComponent("wide.safetensors"))
        let tiny = try! AutoencoderModel(configuration: ModelConfiguration(encoderWidths: [100, 2]), generator: &generator)
        try! ModelFile(model: tiny, imageShape: .init(rows: 10, columns: 10))
            .write(to: folder.appendingPathComponent("tiny.safetensors"))
        let linear = try! AutoencoderModel(configuration: ModelConfiguration(encoderWidths: [784, 2], activation: .linear,
                                                                             codeActivation: .linear), generator: &generator)
        try! ModelFile(model: linear).write(to: folder.appendingPathComponent("linear.safetensors"))
        return folder
    }()

    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
    static var testImages: String { TestData.smallFolder.appendingPathComponent("t10k-images-idx3-ubyte.gz").path }
}

@Suite(.serialized) struct ModelCommandTests {
    @Test func encodeDecodeReconstructEvaluateInspect() throws {
        let out = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let model = ModelFixtures.path("e2d.safetensors")
        let data = TestData.smallFolder.path

        var r = try Executable.run(["encode", "--model", model, "--data", data, "--output", out.appendingPathComponent("codes.npy").path])
        #expect(r.status == 0, "\(r.error)")
        let codes = try NPY.read(from: out.appendingPathComponent("codes.npy"))
        #expect(codes.shape == [50, 2] && codes.dtype == .float32)
        let file = try ModelFile.read(from: URL(fileURLWithPath: model))
        let expected = file.model.encode(try MNIST.load(from: data).test.matrix())
        #expect(codes.floats() == expected.storage)

        r = try Executable.run(["encode", "--model", model, "--input", ModelFixtures.testImages, "--output", out.appendingPathComponent("codes.csv").path])
        #expect(r.status == 0, "\(r.error)")
        let csv = try String(contentsOf: out.appendingPathComponent("codes.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("code_1,code_2\n"))
        #expect(try CodeFile.read(out.appendingPathComponent("codes.csv").path) == expected)

        r = try Executable.run(["decode", "--model", model, "--codes", out.appendingPathComponent("codes.npy").path,
                                "--output", out.appendingPathComponent("decoded.png").path, "--columns", "10"])
        #expect(r.status == 0, "\(r.error)")
        #expect(try PNG.read(from: out.appendingPathComponent("decoded.png")).width > 10 * 56)

        r = try Executable.run(["decode", "--model", model, "--grid", "15", "--output", out.appendingPathComponent("grid.png").path])
        #expect(r.status == 0, "\(r.error)")
        #expect(r.output.contains("15x15 sweep over [-3, 3] x [-3, 3]"))
        let grid = try PNG.read(from: out.appendingPathComponent("grid.png"))
        #expect(grid.width == grid.height && grid.width > 15 * 56)

        r = try Executable.run(["reconstruct", "--model", model, "--data", data, "--indices", "0,3", "7",
                                "--output", out.appendingPathComponent("rec.png").path])
        #expect(r.status == 0, "\(r.error)")
        let picture = try PNG.read(from: out.appendingPathComponent("rec.png"))
        #expect(picture.width > 3 * 84 && picture.height > 2 * 84 && picture.height < 3 * 84)

        r = try Executable.run(["evaluate", "--model", model, "--data", data, "--output", out.appendingPathComponent("eval.json").path])
        #expect(r.status == 0, "\(r.error)")
        #expect(r.output.contains("PCA-2") && r.output.contains("mean image") && r.output.contains("kNN (k=5)"))
        let report = try JSONDecoder().decode(EvaluationReport.self, from: Data(contentsOf: out.appendingPathComponent("eval.json")))
        #expect(report.testImages == 50 && report.trainingImages == 512 && report.comparison.count == 3)

        r = try Executable.run(["inspect", "--model", model])
        #expect(r.status == 0, "\(r.error)")
        for line in ["Architecture: 784-128-64-10-2-10-64-128-784", "Parameters: 219598", "encoder.6", "Dense(10 → 2, linear)",
                     "Preset: encoder2d", "format_version: 1",
                     "Code: 2 wide, linear; output layer sigmoid; hidden layers sigmoid"] {
            #expect(r.output.contains(line), "\(line)")
        }
    }

    /// Each bad input: exit status non-zero and one line on stderr, `Error: <sentence>`.
    @Test(arguments: [
        (["reconstruct", "--model", "e2d.safetensors", "--data", "<data>", "--output", "<out>/new/"],
         "--output '<out>/new/' cannot be written: it ends in /, so it names a folder, not a file."),
        (["encode", "--model", "e2d.safetensors", "--data", "<data>", "--output", "<out>/c.npy/"],
         "--output '<out>/c.npy/' cannot be written: it ends in /, so it names a folder, not a file."),
        (["evaluate", "--model", "e2d.safetensors", "--data", "<data>", "--output", "<out>/e.json/"],
         "--output '<out>/e.json/' cannot be written: it ends in /, so it names a folder, not a file."),
        (["train", "--data", "<data>", "--epochs", "1", "--output", ""], "--output must not be empty."),
        (["encode", "--model", "e2d.safetensors", "--input", "", "--output", "<out>/c.npy"], "--input must not be empty."),
        (["decode", "--model", "e2d.safetensors", "--codes", "<wide-codes>"],
         "'<wide-codes>' holds codes of width 16 but the code of the model '<e2d>' is 2 wide."),
        (["encode", "--model", "tiny.safetensors", "--input", "<images>", "--output", "<out>/c.npy"],
         "The model '<tiny>' takes 100 values per image but '<images>' has 784 (28x28) per image."),
        (["evaluate", "--model", "tiny.safetensors", "--data", "<data>"],
         "The model '<tiny>' takes 100 values per image but the test set has 784 (28x28) per image."),
        (["reconstruct", "--model", "tiny.safetensors", "--data", "<data>"],
         "The model '<tiny>' takes 100 values per image but the test set has 784 (28x28) per image."),
        (["reconstruct", "--model", "e2d.safetensors", "--data", "<data>", "--indices", "3,50"],
         "--indices 50 is out of range: the test set has 50 images (indices 0 to 49)."),
        (["reconstruct", "--model", "e2d.safetensors", "--data", "<data>", "--indices", "x"],
         "--indices must be whole numbers such as 0,1,2, not 'x'."),
        (["reconstruct", "--model", "e2d.safetensors", "--data", "<data>", "--indices", "99999999999999999999"],
         "--indices 99999999999999999999 is too large to be an image's index."),
        (["encode", "--model", "e2d.safetensors", "--input", "<labels>", "--output", "<out>/c.npy"],
         "'<labels>' holds an IDX array of 1 dimension; images must have 2 ([n, width]) or 3 ([n, rows, columns])."),
        (["reconstruct", "--model", "e2d.safetensors", "--data", "<data>", "--indices", "-1"],
         "--indices must not be negative, not -1."),
        (["reconstruct", "--model", "e2d.safetensors", "--data", "<data>", "--indices", "2", "-3", "4", "--colormap", "gray"],
         "--indices must not be negative, not -3."),
        (["decode", "--model", "wide.safetensors", "--grid", "15"],
         "--grid needs a model with a 2-D code, but the code of '<wide>' is 16 wide."),
        (["decode", "--model", "e2d.safetensors"], "Give --codes FILE, or --grid N for a 2-D code."),
        (["encode", "--model", "e2d.safetensors", "--output", "codes.txt"], "--output must end in .npy or .csv, not 'codes.txt'."),
        (["encode", "--model", "missing.safetensors", "--data", "<data>", "--output", "<out>/c.npy"],
         "Could not access the file '<missing>' while opening it for reading: No such file or directory."),
        (["inspect", "--model", "<cut>"], "The safetensors file '<cut>' is invalid: "),
        (["inspect", "--model", "<nometa>"],
         "The model file '<nometa>' is invalid: its metadata has no 'format' entry, so it is not a swift-autoencoder model file."),
        (["inspect", "--model", "<shape>"],
         "The model file '<shape>' is invalid: tensor 'encoder.0.weight' has shape [16, 784] but its architecture needs [2, 784]."),
        (["train", "--resume", "<out>"],
         "Cannot resume from the checkpoint '<out>/checkpoint.safetensors': the file does not exist (runs write it with --checkpoint-every N)."),
        (["train", "--resume", "<out>", "--epochs", "3"],
         "--epochs cannot be combined with --resume, which takes every setting from the checkpoint."),
        (["train", "--checkpoint-every", "0"], "--checkpoint-every must be at least 1, not 0."),
        (["decode", "--model", "e2d.safetensors", "--grid", "3", "--range=-3e38,3e38"],
         "--range spans more than a Float can hold, not '-3e38,3e38'."),
        (["decode", "--model", "linear.safetensors", "--codes", "<huge-codes>", "--output", "<out>/d.png"],
         "The decoder of '<linear>' gives NaN or infinite pixels for the codes in '<huge-codes>'; they are too far from the codes it was trained on."),
        (["decode", "--model", "e2d.safetensors", "--codes", "<bad-csv>"],
         "Line 4 of the codes file '<bad-csv>' has 1 values but the first code has 2."),
        (["decode", "--model", "e2d.safetensors", "--codes", "<latin1-csv>"], "The codes file '<latin1-csv>' is neither a .npy array nor CSV text (line "),
        (["encode", "--model", "e2d.safetensors", "--input", "<no-images>", "--output", "<out>/c.npy"],
         "'<no-images>' holds no images."),
        (["reconstruct", "--model", "e2d.safetensors", "--input", "<no-images>", "--output", "<out>/r.png"],
         "'<no-images>' holds no images."),
        (["evaluate", "--model", "e2d.safetensors", "--data", "<data>", "--output", "<out>/missing/e.json"],
         "--output '<out>/missing/e.json' cannot be written: the folder <out>/missing does not exist."),
        (["reconstruct", "--model", "e2d.safetensors", "--data", "<data>", "--output", "<out>"],
         "--output '<out>' cannot be written: it is a folder."),
        (["evaluate", "--model", "<out>/missing/m.safetensors", "--data", "<data>"],
         "Could not access the file '<out>/missing/m.safetensors' while opening it for reading: No such file or directory."),
        (["evaluate", "--model", "e2d.safetensors", "--data", "<data>", "--output", "-"],
         "--output '-' cannot be written: - would be a file named '-', not standard output; give a file name."),
        (["evaluate", "--model", "<copy>", "--data", "<data>", "--output", "<copy>"],
         "--output '<copy>' is the file given with --model; writing it would replace it."),
        (["decode", "--model", "<copy>", "--grid", "3", "--output", "<out>/../<out-name>/copy.safetensors"],
         "--output '<out>/../<out-name>/copy.safetensors' is the file given with --model; writing it would replace it."),
        (["encode", "--model", "e2d.safetensors", "--input", "<codes-named-npy>", "--output", "<codes-named-npy>"],
         "--output '<codes-named-npy>' is the file given with --input; writing it would replace it."),
        (["reconstruct", "--model", "e2d.safetensors", "--data", "<data-copy>", "--output", "<data-copy>/t10k-images-idx3-ubyte.gz"],
         "--output '<data-copy>/t10k-images-idx3-ubyte.gz' is the file given with --data; writing it would replace it."),
        (["evaluate", "--model", "e2d.safetensors", "--data", "<data-copy>", "--output", "<data-copy>/t10k-labels-idx1-ubyte"],
         "--output '<data-copy>/t10k-labels-idx1-ubyte' is the file given with --data; writing it would replace it."),
        (["reconstruct", "--model", "<link>", "--data", "<data>", "--output", "<copy>"],
         "--output '<copy>' is the file given with --model; writing it would replace it."),
        (["reconstruct", "--model", "e2d.safetensors", "--data", "<data>", "--output", "<copy>/r.png"],
         "--output '<copy>/r.png' cannot be written: <copy> is a file, not a folder."),
        (["decode", "--model", "e2d.safetensors", "--codes", "<typo-csv>", "--output", "<out>/d.png"],
         "Line 1 of the codes file '<typo-csv>' is not a list of finite numbers."),
        (["reconstruct", "--model", "e2d.safetensors", "--input", "<reshaped>", "--output", "<out>/r.png"],
         "'<reshaped>' holds images of 16x49 but the model '<e2d>' was trained on 28x28 images."),
        (["reconstruct", "--model", "e2d.safetensors", "--input", "<too-bright>", "--output", "<out>/r.png"],
         "'<too-bright>' holds pixel value 2.0 (image 1, pixel 5); float images must be scaled to [0, 1], as the models were trained."),
    ])
    func badInputGetsOneSentence(arguments: [String], expected: String) throws {
        let out = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        // Files for the cases: 16-wide codes, a cut model, a model without metadata, one whose
        // metadata says 784-2 while the tensors are 784-16.
        let wideCodes = out.appendingPathComponent("wide.npy")
        try NPY.write([Float](repeating: 0.5, count: 3 * 16), shape: [3, 16], to: wideCodes)
        let whole = try Data(contentsOf: URL(fileURLWithPath: ModelFixtures.path("wide.safetensors")))
        let cut = out.appendingPathComponent("cut.safetensors")
        try whole.prefix(whole.count - 10).write(to: cut)
        let wide = try ModelFile.read(from: URL(fileURLWithPath: ModelFixtures.path("wide.safetensors")))
        let nometa = out.appendingPathComponent("nometa.safetensors")
        try SafeTensors.write(wide.tensors(), to: nometa)
        var metadata = try wide.metadata()
        metadata["architecture"] = try String(decoding: JSONEncoder().encode(ModelConfiguration(encoderWidths: [784, 2])), as: UTF8.self)
        let shape = out.appendingPathComponent("shape.safetensors")
        try SafeTensors.write(wide.tensors(), metadata: metadata, to: shape)

        let hugeCodes = out.appendingPathComponent("huge.npy")
        try NPY.write([3e38, -3e38], shape: [1, 2], to: hugeCodes)
        let noImages = out.appendingPathComponent("none.npy")
        try NPY.write([], shape: [0, 784], to: noImages)
        let badCSV = out.appendingPathComponent("bad.csv"), latin1CSV = out.appendingPathComponent("latin1.csv")
        try Data("x,y\n1,2\n\n3\n".utf8).write(to: badCSV)   // the short code is on the file's line 4
        try Data([0x31, 0x2C, 0xE9, 0x0A]).write(to: latin1CSV)
        let copy = out.appendingPathComponent("copy.safetensors")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: ModelFixtures.path("e2d.safetensors")), to: copy)
        let modelBytes = try Data(contentsOf: copy)
        defer { #expect((try? Data(contentsOf: copy)) == modelBytes, "an output overwrote the model") }
        let imagesNpy = out.appendingPathComponent("images.npy")
        try NPY.write([Float](repeating: 0.5, count: 2 * 784), shape: [2, 784], to: imagesNpy)
        let imagesBytes = try Data(contentsOf: imagesNpy)
        defer { #expect((try? Data(contentsOf: imagesNpy)) == imagesBytes, "an output overwrote the images") }
        let dataCopy = out.appendingPathComponent("data")
        try FileManager.default.copyItem(at: TestData.smallFolder, to: dataCopy)
        let dataBytes = try FileManager.default.contentsOfDirectory(atPath: dataCopy.path).sorted()
            .map { try Data(contentsOf: dataCopy.appendingPathComponent($0)) }
        defer {
            let after = (try? FileManager.default.contentsOfDirectory(atPath: dataCopy.path).sorted()
                .map { try Data(contentsOf: dataCopy.appendingPathComponent($0)) }) ?? []
            #expect(after == dataBytes, "an output overwrote the data")
        }
        let link = out.appendingPathComponent("link.safetensors")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: copy)
        let typoCSV = out.appendingPathComponent("typo.csv")
        try Data("0.1,O.2\n0.3,0.4\n".utf8).write(to: typoCSV)
        let reshaped = out.appendingPathComponent("reshaped.npy")
        try NPY.write([Float](repeating: 0.5, count: 2 * 784), shape: [2, 16, 49], to: reshaped)
        let tooBright = out.appendingPathComponent("bright.npy")
        var pixels = [Float](repeating: 0.25, count: 3 * 784)
        pixels[784 + 5] = 2
        try NPY.write(pixels, shape: [3, 784], to: tooBright)

        let substitutions = [
            "<wide-codes>": wideCodes.path, "<images>": ModelFixtures.testImages, "<data>": TestData.smallFolder.path,
            "<out>": out.path, "<cut>": cut.path, "<nometa>": nometa.path, "<shape>": shape.path,
            "<e2d>": ModelFixtures.path("e2d.safetensors"), "<tiny>": ModelFixtures.path("tiny.safetensors"),
            "<wide>": ModelFixtures.path("wide.safetensors"), "<missing>": ModelFixtures.path("missing.safetensors"),
            "<linear>": ModelFixtures.path("linear.safetensors"), "<huge-codes>": hugeCodes.path,
            "<no-images>": noImages.path, "<bad-csv>": badCSV.path, "<latin1-csv>": latin1CSV.path,
            "<copy>": copy.path, "<out-name>": out.lastPathComponent, "<codes-named-npy>": imagesNpy.path,
            "<too-bright>": tooBright.path, "<data-copy>": dataCopy.path, "<link>": link.path, "<typo-csv>": typoCSV.path,
            "<reshaped>": reshaped.path, "<labels>": TestData.smallFolder.appendingPathComponent("t10k-labels-idx1-ubyte.gz").path,
        ]
        func fill(_ text: String) -> String {
            substitutions.reduce(text) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
        }
        let filled = arguments.enumerated().map { index, argument in
            index > 0 && arguments[index - 1] == "--model" && argument.hasSuffix(".safetensors") && !argument.hasPrefix("<")
                ? ModelFixtures.path(argument) : fill(argument)
        }
        let result = try Executable.run(filled, in: out)
        #expect(result.status != 0)
        let lines = result.error.split(separator: "\n").filter { !$0.isEmpty }
        #expect(lines.first?.hasPrefix("Error: " + fill(expected)) == true, "\(result.error)")
        // Run-time errors stand alone; option errors are followed by ArgumentParser's usage lines.
        #expect(lines.count == 1 || lines[1].hasPrefix("Usage:"), "\(result.error)")
    }

    /// A small model file whose architecture claims 157 million parameters (within the
    /// limit) is refused for its tensors before any memory is set aside for them: under a
    /// 400 MB address-space limit, `inspect` reported a failed 628 MB allocation and trapped.
    @Test func aHugeArchitectureWithSmallTensorsIsRefusedBeforeAllocating() throws {
        let out = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let linear = try ModelFile.read(from: URL(fileURLWithPath: ModelFixtures.path("linear.safetensors")))
        var metadata = try linear.metadata()
        metadata["architecture"] = metadata["architecture"]!.replacingOccurrences(of: "[784,2]", with: "[784,100000]")
        let huge = out.appendingPathComponent("huge.safetensors")
        try SafeTensors.write(linear.tensors(), metadata: metadata, to: huge)
        let result = try Self.inspectUnderAddressLimit(kilobytes: 400_000, model: huge)
        #expect(result.status == 1)
        #expect(result.error == "Error: The model file '\(huge.path)' is invalid: tensor 'encoder.0.weight' has shape "
                + "[2, 784] but its architecture needs [100000, 784].\n")
    }

    /// A model whose finite weights overflow on real images (linear, every weight 1e37) gets
    /// one sentence from every command that uses its output, and nothing is written: `encode`
    /// wrote infinite codes, `reconstruct` drew NaN as yellow and `evaluate` reported an
    /// infinite error, each with exit status 0.
    @Test func aModelThatOverflowsIsRefusedByEveryCommand() throws {
        let out = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let configuration = ModelConfiguration(encoderWidths: [784, 2], activation: .linear, codeActivation: .linear)
        let count = 2 * 784 + 2 + 784 * 2 + 784   // two dense layers' weights and biases
        let model = try AutoencoderModel(configuration: configuration, parameters: [Float](repeating: 1e37, count: count))
        let file = out.appendingPathComponent("overflow.safetensors")
        try ModelFile(model: model, imageShape: .init(rows: 28, columns: 28)).write(to: file)
        let images = ModelFixtures.testImages, data = TestData.smallFolder.path
        let cases: [([String], String)] = [
            (["encode", "--input", images, "--output", "c.npy"],
             "The encoder of '\(file.path)' gives NaN or infinite codes for '\(images)'; its weights are too large for these images."),
            (["reconstruct", "--input", images, "--output", "r.png"],
             "The model '\(file.path)' gives NaN or infinite pixels reconstructing '\(images)'; its weights are too large for these images."),
            (["evaluate", "--data", data, "--no-baselines", "--output", "e.json"],
             "The model '\(file.path)' gives NaN or infinite pixels reconstructing the test set; its weights are too large for these images."),
        ]
        for (arguments, sentence) in cases {
            let result = try Executable.run([arguments[0], "--model", file.path] + arguments.dropFirst(), in: out)
            #expect(result.status == 1)
            #expect(result.error == "Error: \(sentence)\n")
        }
        // A sigmoid output layer turns infinite codes into finite pixels: evaluate refuses the
        // codes too (it used to report a kNN accuracy computed from them).
        let saturating = ModelConfiguration(encoderWidths: [784, 2], activation: .linear, codeActivation: .linear,
                                            outputActivation: .sigmoid)
        let squashed = out.appendingPathComponent("squashed.safetensors")
        try ModelFile(model: AutoencoderModel(configuration: saturating, parameters: [Float](repeating: 1e37, count: count)),
                      imageShape: .init(rows: 28, columns: 28)).write(to: squashed)
        let result = try Executable.run(["evaluate", "--model", squashed.path, "--data", data, "--no-baselines",
                                         "--output", "e.json"], in: out)
        #expect(result.status == 1)
        #expect(result.error == "Error: The model '\(squashed.path)' gives NaN or infinite codes for the training set; "
                + "its weights are too large for these images.\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() == ["overflow.safetensors", "squashed.safetensors"])
    }

    /// `autoencoder inspect --model model` with the process's address space limited
    /// (`ulimit -v`), where reserving memory the file does not justify fails.
    static func inspectUnderAddressLimit(kilobytes: Int, model: URL) throws -> Executable.Result {
        try Executable.run(["-c", "ulimit -v \(kilobytes); exec \"$0\" \"$@\"", Executable.url.path, "inspect", "--model", model.path],
                           program: URL(fileURLWithPath: "/bin/sh"))
    }

    /// Extends `file` with zeros to `size` bytes, sparse on disk.
    static func extend(_ file: URL, to size: UInt64) throws {
        let handle = try FileHandle(forWritingTo: file)
        try handle.truncate(atOffset: size)
        try handle.close()
    }

    /// A large file that is no safetensors (3 GB of zeros, sparse on disk) is refused from its
    /// header, not read whole first: under a 1.5 GB address-space limit `inspect` trapped.
    @Test func aHugeNonModelFileIsRefusedFromItsHeader() throws {
        let out = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let big = out.appendingPathComponent("big.bin")
        #expect(FileManager.default.createFile(atPath: big.path, contents: nil))
        try Self.extend(big, to: 3 << 30)
        let result = try Self.inspectUnderAddressLimit(kilobytes: 1_500_000, model: big)
        #expect(result.status == 1)
        #expect(result.error == "Error: The safetensors file '\(big.path)' is invalid: its header does not start with a JSON object.\n")
        // A real model followed by 3 GB: refused from its header and the file's size.
        let padded = out.appendingPathComponent("padded.safetensors")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: ModelFixtures.path("e2d.safetensors")), to: padded)
        let size = try FileManager.default.attributesOfItem(atPath: padded.path)[.size] as! Int
        try Self.extend(padded, to: 3 << 30)
        let second = try Self.inspectUnderAddressLimit(kilobytes: 1_500_000, model: padded)
        #expect(second.status == 1)
        #expect(second.error == "Error: The safetensors file '\(padded.path)' is invalid: its last \((3 << 30) - size) bytes belong to no tensor.\n")
    }

    /// A picture libpng cannot write (a side over 1,000,000 pixels) is refused before any
    /// code is decoded, in one sentence (it used to fail at the end: "libpng failed (Invalid
    /// IHDR data)").
    @Test func aDecodedColumnTooTallForPNGIsRefusedFirst() throws {
        let out = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let codes = out.appendingPathComponent("codes.npy")
        try NPY.write([Float](repeating: 0.5, count: 2 * 20_000), shape: [20_000, 2], to: codes)
        let result = try Executable.run(["decode", "--model", ModelFixtures.path("e2d.safetensors"), "--codes", codes.path,
                                         "--limit", "20000", "--columns", "1", "--output", "tall.png"], in: out)
        #expect(result.status == 1)
        #expect(result.error == "Error: An image grid of 20000x1 images of 28x28 pixels at scale 2 would have 68x1160010 "
                + "pixels, a side longer than the 1000000 a PNG may have; draw fewer or smaller images.\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["codes.npy"])
    }

    /// A .npy file of no codes, or of codes 0 wide, is refused as a CSV file of none is.
    @Test(arguments: [[0, 2], [3, 0], [0, 0]])
    func emptyNPYCodesAreRefused(shape: [Int]) throws {
        let out = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let file = out.appendingPathComponent("codes.npy")
        try NPY.write([], shape: shape, to: file)
        #expect(throws: ArrayFileError("The codes file '\(file.path)' holds no codes.")) { try CodeFile.read(file.path) }
    }

    /// Codes written on Windows (\r\n) or old Macs (\r) read like any others, header or not.
    /// With a UTF-8 byte-order mark too (Excel's "CSV UTF-8"), header or not.
    @Test(arguments: ["0.1,0.2\r\n0.3,0.4\r\n", "x,y,label\r\n0.1,0.2,3\r\n0.3,0.4,5\r\n", "0.1,0.2\r0.3,0.4\r",
                      "\u{FEFF}0.1,0.2\n0.3,0.4", "\u{FEFF}x,y\n0.1,0.2\n0.3,0.4\n"])
    func codesWithAnyLineEnding(text: String) throws {
        let out = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let csv = out.appendingPathComponent("codes.csv")
        try Data(text.utf8).write(to: csv)
        #expect(try CodeFile.read(csv.path) == Matrix([[0.1, 0.2], [0.3, 0.4]]))
    }

    /// Inputs given as pipes (bash's `<(…)`, which `encode` used to refuse as "63 could not be
    /// read: Illegal seek") and files named otherwise are recognised by their bytes: IDX raw
    /// or gzip, `.npy` images, `.npy` or CSV codes. `inspect` shows no size for a pipe (it
    /// showed the 64 bytes the pipe held at that moment).
    @Test func pipesAndUnnamedFilesAreReadByTheirContents() throws {
        let out = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let model = ModelFixtures.path("e2d.safetensors")
        let binary = Executable.url.path
        func bash(_ line: String) throws -> Executable.Result {
            try Executable.run(["-c", line, "bash", binary, model, ModelFixtures.testImages], in: out,
                               program: URL(fileURLWithPath: "/bin/bash"))
        }
        var r = try Executable.run(["encode", "--model", model, "--input", ModelFixtures.testImages, "--output", "file.npy"], in: out)
        #expect(r.status == 0, "\(r.error)")
        let expected = try Data(contentsOf: out.appendingPathComponent("file.npy"))
        for input in ["<(cat \"$3\")", "<(gzip -dc \"$3\")", "/dev/stdin < \"$3\""] {
            r = try bash("\"$1\" encode --model \"$2\" --input \(input) --output piped.npy")
            #expect(r.status == 0, "\(input): \(r.error)")
            #expect(try Data(contentsOf: out.appendingPathComponent("piped.npy")) == expected, "\(input)")
        }

        // .npy images under another name, from a file and from a pipe.
        let images = try MNIST.load(from: TestData.smallFolder.path).test.matrix()
        try NPY.write(images.storage, shape: [images.rows, images.columns], to: out.appendingPathComponent("images.bin"))
        r = try bash("\"$1\" encode --model \"$2\" --input images.bin --output a.npy"
                     + " && \"$1\" encode --model \"$2\" --input <(cat images.bin) --output b.npy")
        #expect(r.status == 0, "\(r.error)")
        #expect(try Data(contentsOf: out.appendingPathComponent("a.npy")) == expected)
        #expect(try Data(contentsOf: out.appendingPathComponent("b.npy")) == expected)

        // Codes as .npy or CSV through a pipe decode as from their files.
        r = try bash("\"$1\" encode --model \"$2\" --input \"$3\" --output codes.csv"
                     + " && \"$1\" decode --model \"$2\" --codes file.npy --output file.png"
                     + " && \"$1\" decode --model \"$2\" --codes <(cat file.npy) --output npy.png"
                     + " && \"$1\" decode --model \"$2\" --codes <(cat codes.csv) --output csv.png")
        #expect(r.status == 0, "\(r.error)")
        let picture = try Data(contentsOf: out.appendingPathComponent("file.png"))
        #expect(try Data(contentsOf: out.appendingPathComponent("npy.png")) == picture)
        #expect(try Data(contentsOf: out.appendingPathComponent("csv.png")) == picture)

        // Named pipes (mkfifo) are opened once: a first look that opened and closed them lost
        // the writer's data, or hung, for images and for a model.
        r = try bash("mkfifo images.fifo model.fifo && (cat \"$3\" > images.fifo &) && (cat \"$2\" > model.fifo &)"
                     + " && timeout 60 \"$1\" encode --model model.fifo --input images.fifo --output fifo.npy")
        #expect(r.status == 0, "\(r.error)")
        #expect(try Data(contentsOf: out.appendingPathComponent("fifo.npy")) == expected)
        r = try bash("(cat \"$2\" > model.fifo &) && timeout 60 \"$1\" inspect --model model.fifo")
        #expect(r.status == 0 && r.output.hasPrefix("File: \(out.appendingPathComponent("model.fifo").path)\n"), "\(r.output)\(r.error)")

        // A terminal as input would wait for typing: refused (script gives the command one).
        for (option, rest) in [("--input", "encode --model \"$2\" --output t.npy"), ("--codes", "decode --model \"$2\" --output t.png"),
                               ("--model", "inspect")] {
            r = try bash("timeout 60 script -qec \"\\\"$1\\\" \(rest.replacingOccurrences(of: "\"", with: "\\\"")) \(option) /dev/stdin\" /dev/null < /dev/null")
            #expect(r.output.contains("Error: \(option) /dev/stdin is a terminal; pipe or redirect the file into standard input instead (\(option) /dev/stdin < FILE)."),
                    "\(option): \(r.output)\(r.error)")
        }

        // `-` is not standard input (a one-letter name used to crash Foundation's path code).
        r = try bash("\"$1\" encode --model \"$2\" --input a --output x.npy")
        #expect(r.status == 1)
        #expect(r.error == "Error: a does not exist in the current directory.\n")
        #expect(IDXError(path: "-", kind: .anyArray, reason: .missing).description
                == "- does not exist in the current directory (standard input is /dev/stdin).")
        for (option, command) in [("--input", "encode --model \"$2\" --output x.npy"), ("--codes", "decode --model \"$2\" --output x.png")] {
            r = try bash("\"$1\" \(command) \(option) -")
            #expect(r.status == 1)
            #expect(r.error == "Error: \(option) - names no file; standard input is /dev/stdin (\(option) /dev/stdin < FILE).\n")
        }

        // An output that is a device, a pipe or a symbolic link is refused: the write's rename
        // would have replaced /dev/null or the /dev/stdout link (as root) by a file. (A pipe
        // here, not /dev/null: a regression must not damage the machine running the tests.)
        r = try bash("mkfifo pipe.png && \"$1\" reconstruct --model \"$2\" --input \"$3\" --output pipe.png")
        #expect(r.error == "Error: --output 'pipe.png' cannot be written: it is not a regular file (a device or a pipe).\n")
        r = try bash("touch target.png && ln -s target.png link.png && \"$1\" reconstruct --model \"$2\" --input \"$3\" --output link.png")
        #expect(r.error == "Error: --output 'link.png' cannot be written: it is a symbolic link, which writing would replace by a file (give the file it points to).\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out.appendingPathComponent("link.png").path) == "target.png")

        // A gzip pipe of endless other bytes is given up on once its start inflates, also when
        // what it inflates to starts 00 00 but is no IDX this reader takes.
        r = try bash("timeout 60 \"$1\" encode --model \"$2\" --input <( (gzip -c < /dev/zero) 2>/dev/null) --output y.npy")
        #expect(r.status == 1 && r.error.hasSuffix("only unsigned bytes (type 0x08) are supported.\n"), "\(r.error)")
        r = try bash("timeout 60 \"$1\" encode --model \"$2\" --input <( (yes | gzip -1) 2>/dev/null) --output y.npy")
        #expect(r.status == 1 && r.error.hasSuffix("is not an IDX file: it starts with the bytes 79 0A 79 0A instead of 00 00.\n"), "\(r.error)")
        // Endless valid CSV is refused at a bound instead of filling the memory; a line
        // longer than any code's at once.
        r = try bash("timeout 120 \"$1\" decode --model \"$2\" --codes <( (head -c 3000000 /dev/zero | tr '\\0' 1) 2>/dev/null) --output y.png")
        #expect(r.status == 1 && r.error.hasSuffix("is longer than 1 MiB, which no line of codes is.\n"), "\(r.error)")

        // A pipe of endless text is given up on at its first bad line (it was read to 2 GiB,
        // then split into strings whole: 462 s and 17 GB for 300 MB), and one of endless
        // garbage as images at its first bytes.
        // (The writers' "Broken pipe" complaints are not ours: sent away.)
        r = try bash("timeout 60 \"$1\" decode --model \"$2\" --codes <(yes 2>/dev/null) --output y.png")
        #expect(r.status == 1 && r.error.hasPrefix("Error: Line 2 of the codes file '/dev/fd/"), "\(r.error)")
        r = try bash("timeout 60 \"$1\" encode --model \"$2\" --input <( (tr '\\0' y < /dev/zero) 2>/dev/null) --output y.npy")
        #expect(r.status == 1 && r.error.hasSuffix("is not an IDX file: it starts with the bytes 79 79 79 79 instead of 00 00.\n"), "\(r.error)")
        r = try bash("timeout 60 \"$1\" decode --model \"$2\" --codes <(cat /dev/zero 2>/dev/null) --output y.png")
        #expect(r.status == 1 && r.error.hasSuffix("is neither a .npy array nor CSV text.\n"), "\(r.error)")

        // Bytes that are neither: the pipe is named whole.
        r = try bash("exec \"$1\" encode --model \"$2\" --input <(printf 'PK\\003\\004 not images') --output x.npy")
        #expect(r.status == 1)
        #expect(r.error.hasPrefix("Error: /dev/fd/") && r.error.hasSuffix(" is not an IDX file: it starts with the bytes 50 4B 03 04 instead of 00 00.\n"),
                "\(r.error)")

        // A folder that takes no file although `access` says root may write it: refused
        // before the work (evaluate used to measure, then fail to write).
        r = try bash("\"$1\" evaluate --model <(cat \"$2\") --data '\(TestData.smallFolder.path)'")
        #expect(r.status == 1)
        #expect(r.output.isEmpty, "\(r.output)")
        #expect(r.error == "Error: The default output '/dev/fd/evaluation.json' cannot be written: the folder /dev/fd takes no new file (no such file or directory); choose another with --output.\n")

        r = try bash("\"$1\" inspect --model <(cat \"$2\")")
        #expect(r.status == 0, "\(r.error)")
        #expect(r.output.hasPrefix("File: /dev/fd/") && r.output.contains("\nFormat: "), "\(r.output)")
        #expect(!r.output.components(separatedBy: "\n")[0].contains("bytes"), "\(r.output)")
        r = try Executable.run(["inspect", "--model", model])
        #expect(r.output.components(separatedBy: "\n")[0].hasSuffix(" bytes)"), "\(r.output)")
    }

    /// A file of no images whose other dimensions multiply past Int.max is refused with the
    /// array reader's sentence; `ImageFile` used to trap taking the pixels of one image.
    /// Found by the `images` fuzz target.
    @Test(arguments: [
        ("empty.idx", [0, 0, 8, 3, 0, 0, 0, 0, 0x80, 0x7F, 0x80, 0xFF, 0xFF, 0xFF, 0xFF, 0x04],
         "empty.idx declares the sizes 0x2155839743x4294967044, which add up to more bytes than can exist."),
        ("empty.npy", [0x93] + Array("NUMPY".utf8) + [1, 0, 118, 0]
            + Array("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4294967296, 4294967296), }".utf8)
            + [UInt8](repeating: 0x20, count: 37) + [0x0A],
         "The .npy file '<file>' is invalid: the byte size of its shape overflows."),
    ])
    func imagesTooLargeToCountAreRefused(name: String, bytes: [UInt8], message: String) throws {
        let out = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let file = out.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        do {
            _ = try ImageFile.read(file.path)
            Issue.record("the file was accepted")
        } catch {
            #expect("\(error)" == message.replacingOccurrences(of: "<file>", with: file.path))
        }
    }
}

/// Kill a real training process with SIGKILL after a checkpoint, resume it, and compare
/// the final model bit for bit with an uninterrupted run.
@Suite(.serialized) struct ResumeTests {
    static let settings = ["train", "--preset", "encoder2d", "--epochs", "24", "--batch-size", "32", "--seed", "3"]

    /// The epoch of the checkpoint in `folder`, or nil while there is none.
    static func checkpointEpoch(in folder: URL) -> Int? {
        guard let file = try? SafeTensors.read(from: folder.appendingPathComponent(Checkpoint.fileName)),
              let text = file.metadata["checkpoint"],
              let state = try? JSONDecoder().decode(Checkpoint.State.self, from: Data(text.utf8)) else { return nil }
        return state.epoch
    }

    @Test func killedAndResumedRunEndsBitIdentical() throws {
        let data = TestData.smallFolder.path
        let straight = TestData.temporaryFolder(), interrupted = TestData.temporaryFolder()
        defer {
            try? FileManager.default.removeItem(at: straight)
            try? FileManager.default.removeItem(at: interrupted)
        }
        let reference = try Executable.run(Self.settings + ["--data", data, "--output", straight.path])
        #expect(reference.status == 0, "\(reference.error)")

        // Start the same run with a checkpoint after every epoch, and SIGKILL it once the
        // checkpoint of epoch 2 or later is there.
        let process = Process()
        process.executableURL = Executable.url
        process.arguments = Self.settings + ["--data", data, "--output", interrupted.path, "--checkpoint-every", "1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        var seen: Int?
        while Date() < deadline, process.isRunning {
            if let epoch = Self.checkpointEpoch(in: interrupted), epoch >= 2 {
                seen = epoch
                break
            }
            usleep(2000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL,
                "the run finished before it could be killed")
        let killedAt = try #require(seen)
        #expect(killedAt < 24)
        #expect(!FileManager.default.fileExists(atPath: interrupted.appendingPathComponent("model.safetensors").path))
        let checkpointEpoch = try #require(Self.checkpointEpoch(in: interrupted))

        // Resume with no other option: the checkpoint holds the settings and the data folder.
        let resumed = try Executable.run(["train", "--resume", interrupted.path])
        #expect(resumed.status == 0, "\(resumed.error)")
        #expect(resumed.output.hasPrefix("Resuming after epoch \(checkpointEpoch) of 24"), "\(resumed.output)")
        #expect(resumed.output.contains(String(format: "Epoch: %04d cost=", checkpointEpoch + 1)))

        let a = try SafeTensors.read(from: straight.appendingPathComponent("model.safetensors"))
        let b = try SafeTensors.read(from: interrupted.appendingPathComponent("model.safetensors"))
        #expect(a.tensorNames == b.tensorNames)
        for name in a.tensorNames {
            #expect(try a.tensor(named: name).data.elementsEqual(b.tensor(named: name).data), "\(name) differs")
        }
        // Same weights, same metadata: the files are byte-identical.
        #expect(try Data(contentsOf: straight.appendingPathComponent("model.safetensors"))
                == Data(contentsOf: interrupted.appendingPathComponent("model.safetensors")))
        let metrics = try JSONDecoder().decode(RunMetrics.self, from: Data(contentsOf: interrupted.appendingPathComponent("metrics.json")))
        #expect(metrics.resumedAfterEpoch == checkpointEpoch && metrics.epochCosts.count == 24)
        let straightMetrics = try JSONDecoder().decode(RunMetrics.self, from: Data(contentsOf: straight.appendingPathComponent("metrics.json")))
        #expect(metrics.epochCosts == straightMetrics.epochCosts && metrics.testMSE == straightMetrics.testMSE)
    }
}

/// Python (numpy + safetensors in .venv) reads our files and we read Python's.
@Suite(.serialized) struct PythonInteropTests {
    static let python = TestData.repository.appendingPathComponent(".venv/bin/python3")
    static let script = TestData.repository.appendingPathComponent("scripts/interop/autoencoder_interop.py")

    static func runPython(_ arguments: [String]) throws -> Executable.Result {
        try Executable.run([script.path] + arguments, program: python)
    }

    static func requirePython() throws {
        let hint = "run scripts/setup-python.sh to create the venv with numpy and safetensors"
        try #require(FileManager.default.isExecutableFile(atPath: python.path), "\(python.path) is missing: \(hint).")
        let check = try Executable.run(["-c", "import numpy, safetensors"], program: python)
        try #require(check.status == 0, "\(python.path) cannot import numpy and safetensors: \(hint).")
    }

    @Test func pythonReproducesOurCodes() throws {
        try Self.requirePython()
        let out = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        // A trained model, as `train` writes it.
        let run = out.appendingPathComponent("run")
        let trained = try Executable.run(["train", "--preset", "encoder2d", "--epochs", "1", "--batch-size", "64",
                                          "--data", TestData.smallFolder.path, "--output", run.path])
        #expect(trained.status == 0, "\(trained.error)")
        let model = run.appendingPathComponent("model.safetensors").path
        let ours = out.appendingPathComponent("ours.npy").path, theirs = out.appendingPathComponent("theirs.npy").path
        let encoded = try Executable.run(["encode", "--model", model, "--input", ModelFixtures.testImages, "--output", ours])
        #expect(encoded.status == 0, "\(encoded.error)")
        let python = try Self.runPython(["encode", model, ModelFixtures.testImages, theirs])
        #expect(python.status == 0, "\(python.error)")
        let compared = try Self.runPython(["compare", ours, theirs, "--tolerance", "1e-5"])
        #expect(compared.status == 0, "\(compared.output)\(compared.error)")
    }

    @Test func aModelWrittenFromPythonEncodesTheSame() throws {
        try Self.requirePython()
        let out = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let model = out.appendingPathComponent("python.safetensors").path
        let written = try Self.runPython(["write-model", model, "--widths", "784,64,8,3", "--activation", "tanh",
                                          "--code-activation", "linear", "--output-activation", "sigmoid", "--seed", "5"])
        #expect(written.status == 0, "\(written.error)")
        #expect(try ModelFile.read(from: URL(fileURLWithPath: model)).model.configuration?.activation(ofLayer: 5) == .sigmoid)
        let ours = out.appendingPathComponent("ours.npy").path, theirs = out.appendingPathComponent("theirs.npy").path
        let encoded = try Executable.run(["encode", "--model", model, "--input", ModelFixtures.testImages, "--output", ours])
        #expect(encoded.status == 0, "\(encoded.error)")
        let python = try Self.runPython(["encode", model, ModelFixtures.testImages, theirs])
        #expect(python.status == 0, "\(python.error)")
        let compared = try Self.runPython(["compare", ours, theirs, "--tolerance", "1e-5"])
        #expect(compared.status == 0, "\(compared.output)\(compared.error)")
        #expect(try NPY.read(from: URL(fileURLWithPath: ours)).shape == [50, 3])
    }
}
