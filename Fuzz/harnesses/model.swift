// libFuzzer harness for the model file reader (compiled by Fuzz/run.sh together with
// Sources/Autoencoder/*.swift into one module, so internal API is visible; the modules it
// depends on are built first, each on its own, under Fuzz/.work/modules/).
//
// Each input is a safetensors file: `SafeTensorsFile(bytes:file:)` (fuzzed on its own by
// the `safetensors` target) and then `ModelFile(safetensors:)`, the path
// `ModelFile.read(from:)` takes after reading the file. A refusal must be one
// `ModelFileError` sentence. A model that loads must keep every promise of the reader:
// a valid architecture, the architecture's tensors copied in order and finite, metadata in
// range, a network that runs on an input of its width, and a write/read round trip that
// changes nothing.

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
    precondition(again.model.configuration == model.model.configuration, "the architecture changed in a round trip")
    precondition(again.model.network.parameters.map(\.bitPattern) == model.model.network.parameters.map(\.bitPattern),
                 "the parameters changed in a round trip")
    precondition(again.preset == model.preset, "the preset changed in a round trip")
    precondition(again.training == model.training, "the training settings changed in a round trip")
    precondition(again.epochsCompleted == model.epochsCompleted, "the epoch count changed in a round trip")
    precondition(again.imageShape == model.imageShape, "the image shape changed in a round trip")
    precondition(again.codeRange == model.codeRange, "the code range changed in a round trip")
    precondition(try! again.metadata() == model.metadata(), "the metadata changed in a round trip")
    return 0
}

/// What `ModelFile`'s documentation promises about a model that loads.
func checkPromises(_ model: ModelFile, file: SafeTensorsFile) {
    let configuration = model.model.configuration
    precondition((try? configuration.validate()) != nil, "accepted an architecture that does not validate")
    precondition(onlyKnownFields(file.metadata["architecture"]!), "accepted an architecture with an unknown field")
    let network = model.model.network
    precondition(network.parameterCount == configuration.parameterCount, "the network's size is not the architecture's")
    precondition(network.layers.map(\.summary) == configuration.layers().map(\.summary),
                 "the network's layers are not the architecture's")
    precondition(network.parameters.allSatisfy(\.isFinite), "accepted NaN or infinite parameters")

    // Every tensor of the layout, F32 and of its shape, copied in network order.
    var offset = 0
    for (name, shape) in ModelFile.tensorLayout(of: configuration) {
        let tensor = try! file.tensor(named: name)
        precondition(tensor.dtype == .float32 && tensor.shape == shape, "accepted tensor \(name) of another dtype or shape")
        let values = try! tensor.floats()
        precondition(values.map(\.bitPattern) == network.parameters[offset..<(offset + values.count)].map(\.bitPattern),
                     "tensor \(name) is not where the network has it")
        offset += values.count
    }
    precondition(offset == network.parameterCount)
    let names = Set(ModelFile.tensorLayout(of: configuration).map(\.name))
    let checkpoint = file.metadata["checkpoint"] != nil
    precondition(file.tensorNames.allSatisfy { names.contains($0) || (checkpoint && $0.hasPrefix(Checkpoint.tensorPrefix)) },
                 "accepted a tensor the architecture does not have")

    // Metadata in range.
    precondition(file.metadata["format"] == ModelFile.formatName
                 && [ModelFile.formatVersion, ModelFile.denoisingFormatVersion].contains(file.metadata["format_version"]))
    precondition(file.metadata["normalization"].map { $0 == ModelFile.pixelNormalization } ?? true)
    if let training = model.training { precondition((try? training.validate()) != nil, "accepted invalid training settings") }
    if let epochs = model.epochsCompleted { precondition(epochs >= 0, "accepted a negative epoch count") }
    for shape in [model.imageShape, model.inferredImageShape].compactMap({ $0 }) {
        precondition(shape.rows > 0 && shape.columns > 0 && shape.pixelCount == configuration.inputWidth,
                     "accepted an image shape \(shape) that does not fit the input width \(configuration.inputWidth)")
    }
    if let range = model.codeRange {
        precondition(range.low.count == configuration.codeWidth && range.isUsableBox, "accepted an unusable code range")
    }
    precondition(model.rawMetadata == file.metadata)

    // A model that loads can be applied (small ones only, to keep the fuzzer fast).
    if network.parameterCount <= 1 << 16 {
        let output = model.model.reconstruct(Matrix(rows: 1, columns: configuration.inputWidth, repeating: 0.5))
        precondition(output.rows == 1 && output.columns == configuration.inputWidth)
        let codes = model.model.encode(Matrix(rows: 1, columns: configuration.inputWidth))
        precondition(codes.columns == configuration.codeWidth)
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
