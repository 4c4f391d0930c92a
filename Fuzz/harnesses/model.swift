// libFuzzer harness for the model file reader (compiled by Fuzz/run.sh together with
// Sources/Autoencoder/*.swift into one module, so internal API is visible; the modules it
// depends on are built first, each on its own, under Fuzz/.work/modules/).
//
// Each input is a safetensors file: `SafeTensorsFile(bytes:file:)` (fuzzed on its own by
// the `safetensors` target) and then `ModelFile(safetensors:)`, the path
// `ModelFile.read(from:)` takes after reading the file. A refusal must be one
// `ModelFileError` sentence. A model that loads must keep every promise of the reader:
// a valid architecture (a tutorial configuration in format versions 1 and 2, a model
// description whose JSON reads back the same in version 3), the built layout's tensors
// copied in order and finite, widths and parameter count that agree with the layout,
// metadata in range, a network that runs on an input of its width, and a write/read round
// trip that changes nothing. (`checkJSONRoundTrip`, `checkLayout` and `isCheap` are in
// harnesses/shared/DescriptionChecks.swift, shared with the `checkpoint` and `description`
// targets.)

import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let file = try? SafeTensorsFile(bytes: bytes, file: "fuzz-input") else { return 0 }
    let model: ModelFile
    do {
        model = try ModelFile(safetensors: file)
    } catch let error as ModelFileError {
        checkSentence("\(error)", prefix: "The model file 'fuzz-input' is invalid: ")
        return 0
    } catch {
        preconditionFailure("the reader threw \(type(of: error)), not a ModelFileError: \(error)")
    }
    checkPromises(model, file: file)

    // Written again (as `ModelFile.write(to:)` does) and read back, nothing changes.
    let again: ModelFile
    do {
        let written = try SafeTensors.encode(model.tensors(), metadata: model.metadata())
        again = try ModelFile(safetensors: SafeTensorsFile(bytes: written, file: "round-trip"))
    } catch {
        preconditionFailure("a model that loaded does not load again after writing: \(error)")
    }
    precondition(again.model.configuration == model.model.configuration && again.model.architecture == model.model.architecture,
                 "the architecture changed in a round trip")
    precondition(again.model.network.parameters.map(\.bitPattern) == model.model.network.parameters.map(\.bitPattern),
                 "the parameters changed in a round trip")
    precondition(again.preset == model.preset, "the preset changed in a round trip")
    precondition(again.training == model.training, "the training settings changed in a round trip")
    precondition(again.epochsCompleted == model.epochsCompleted, "the epoch count changed in a round trip")
    precondition(again.imageShape == model.imageShape, "the image shape changed in a round trip")
    precondition(again.codeRange == model.codeRange, "the code range changed in a round trip")
    precondition(again.dataFolder == model.dataFolder && again.notes == model.notes, "the data folder or notes changed in a round trip")
    precondition(try! again.metadata() == model.metadata(), "the metadata changed in a round trip")
    return 0
}

/// What `ModelFile`'s documentation promises about a model that loads: for a model of the
/// tutorial's kind (format version 1 or 2, an `architecture` entry) and for a described one
/// (version 3, a `description` entry) alike, the network is the built description's, the
/// tensors are the layout's, the metadata is in range and a small model runs.
func checkPromises(_ model: ModelFile, file: SafeTensorsFile) {
    let version = file.metadata["format_version"]
    precondition(file.metadata["format"] == ModelFile.formatName
                 && [ModelFile.formatVersion, ModelFile.denoisingFormatVersion, ModelFile.descriptionFormatVersion].contains(version))
    let description = model.model.architecture
    if let configuration = model.model.configuration {
        precondition(version != ModelFile.descriptionFormatVersion, "a version-3 file loaded as a tutorial architecture")
        precondition((try? configuration.validate()) != nil, "accepted an architecture that does not validate")
        precondition(onlyKnownFields(file.metadata["architecture"]!), "accepted an architecture with an unknown field")
        precondition(configuration.architecture == description, "the description is not the configuration's")
        precondition(model.model.network.parameterCount == configuration.parameterCount, "the network's size is not the architecture's")
        precondition(model.model.network.layers.map(\.summary) == configuration.layers().map(\.summary),
                     "the network's layers are not the architecture's")
        precondition(ModelFile.tensorLayout(of: configuration).map { "\($0.name)\($0.shape)" }
                     == ModelFile.tensorLayout(of: model.model.layout).map { "\($0.name)\($0.shape)" },
                     "the configuration's tensor layout is not its description's")
        precondition(model.model.inputWidth == configuration.inputWidth && model.model.codeWidth == configuration.codeWidth,
                     "the model's widths are not the configuration's")
    } else {
        precondition(version == ModelFile.descriptionFormatVersion, "a version-\(version ?? "?") file loaded as a description")
        // The stored description reads as the model's, and its JSON (as `model show` prints
        // it and as the file stores it) reads back as the same description.
        let stored = try? ModelDescription.decode(json: Data(file.metadata["description"]!.utf8))
        precondition(stored == description, "the model's description is not the file's")
        checkJSONRoundTrip(description)
    }
    checkLayout(model.model)

    // Every tensor of the layout, F32 and of its shape, copied in network order.
    let network = model.model.network
    precondition(network.parameters.allSatisfy(\.isFinite), "accepted NaN or infinite parameters")
    let layout = ModelFile.tensorLayout(of: model.model.layout)
    var offset = 0
    for (name, shape) in layout {
        let tensor = try! file.tensor(named: name)
        precondition(tensor.dtype == .float32 && tensor.shape == shape, "accepted tensor \(name) of another dtype or shape")
        let values = try! tensor.floats()
        precondition(values.map(\.bitPattern) == network.parameters[offset..<(offset + values.count)].map(\.bitPattern),
                     "tensor \(name) is not where the network has it")
        offset += values.count
    }
    precondition(offset == network.parameterCount, "the layout's tensors do not hold every parameter")
    let names = Set(layout.map(\.name))
    let checkpoint = file.metadata["checkpoint"] != nil
    precondition(file.tensorNames.allSatisfy { names.contains($0) || (checkpoint && $0.hasPrefix(Checkpoint.tensorPrefix)) },
                 "accepted a tensor the architecture does not have")

    // Metadata in range.
    let inputWidth = model.model.inputWidth
    precondition(file.metadata["normalization"].map { $0 == ModelFile.pixelNormalization } ?? true)
    if let training = model.training { precondition((try? training.validate()) != nil, "accepted invalid training settings") }
    if let epochs = model.epochsCompleted { precondition(epochs >= 0, "accepted a negative epoch count") }
    for shape in [model.imageShape, model.inferredImageShape].compactMap({ $0 }) {
        precondition(shape.rows > 0 && shape.columns > 0 && shape.pixelCount == inputWidth,
                     "accepted an image shape \(shape) that does not fit the input width \(inputWidth)")
    }
    if let range = model.codeRange {
        precondition(range.low.count == model.model.codeWidth && range.isUsableBox, "accepted an unusable code range")
    }
    precondition(model.dataFolder.map { !$0.isEmpty } ?? true, "accepted an empty data folder")
    precondition(model.rawMetadata == file.metadata)

    // A model that loads can be applied (small ones only, to keep the fuzzer fast).
    if isCheap(model.model.layout) {
        let output = model.model.reconstruct(Matrix(rows: 1, columns: inputWidth, repeating: 0.5))
        precondition(output.rows == 1 && output.columns == inputWidth)
        let codes = model.model.encode(Matrix(rows: 1, columns: inputWidth))
        precondition(codes.rows == 1 && codes.columns == model.model.codeWidth)
    }
}

/// Whether every key of the architecture's JSON object, as `JSONDecoder` sees it, is a field
/// of `ModelConfiguration` (the reader refuses unknown fields rather than drop them).
func onlyKnownFields(_ text: String) -> Bool {
    struct Keys: Decodable {
        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        let names: [String]
        init(from decoder: any Decoder) throws {
            names = try decoder.container(keyedBy: Key.self).allKeys.map(\.stringValue)
        }
    }
    guard let keys = try? JSONDecoder().decode(Keys.self, from: Data(text.utf8)) else { return false }
    let known = Set(ModelConfiguration.CodingKeys.allCases.map(\.stringValue))
    return keys.names.allSatisfy(known.contains)
}

/// A refusal is one sentence: the reader's prefix, one line, a full stop at the end.
func checkSentence(_ message: String, prefix: String) {
    precondition(message.hasPrefix(prefix), "unexpected message: \(message)")
    precondition(message.hasSuffix("."), "the message does not end a sentence: \(message)")
}
