// libFuzzer harness for model descriptions (compiled by Fuzz/run.sh together with
// Sources/Autoencoder/**/*.swift and harnesses/shared/DescriptionChecks.swift into one
// module; the modules it depends on are built first under Fuzz/.work/modules/).
//
// Each input is the JSON of a model description, as `train --model FILE` reads it and as a
// version-3 model file's `description` entry holds it: `ModelDescription.decode(json:)`,
// then `build()`. A refusal by either must be one `DescriptionError` sentence (see
// `checkSentence` for the one known exception). A description that decodes must write JSON
// (`json()`, `compactJSON()`) that decodes to an equal description; one that builds must
// give positive shapes that end as wide as the input and layers that take and give them; a
// small one must make a network that runs on one sample and gives a reconstruction of the
// input's width without NaN.

import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let json = Data(UnsafeBufferPointer(start: data, count: size))
    let description: ModelDescription
    do {
        description = try ModelDescription.decode(json: json)
    } catch let error as DescriptionError {
        checkSentence(error.description, input: json)
        return 0
    } catch {
        preconditionFailure("decode(json:) threw \(type(of: error)), not a DescriptionError: \(error)")
    }
    checkJSONRoundTrip(description)

    let built: ModelDescription.Architecture
    do {
        built = try description.build()
    } catch {
        checkSentence(error.description, input: json)
        return 0
    }
    checkBuilt(built, of: description)
    // Building is deterministic.
    let again = try! description.build()
    precondition(again.shapes == built.shapes && again.tensorPrefixes == built.tensorPrefixes
                 && again.layers.map(\.summary) == built.layers.map(\.summary), "building twice gives other layers")

    // A small model is made and runs on one zero sample.
    guard built.shapes[0].width <= 4096, isCheap(built) else { return 0 }
    var generator = RandomGenerator(seed: 1)
    let model: AutoencoderModel
    do {
        model = try AutoencoderModel(architecture: description, generator: &generator)
    } catch {
        preconditionFailure("a description that builds makes no model: \(error)")
    }
    checkLayout(model)
    precondition(model.network.parameters.allSatisfy(\.isFinite), "the initial parameters are not finite")
    let output = model.reconstruct(Matrix(rows: 1, columns: model.inputWidth))
    precondition(output.rows == 1 && output.columns == model.inputWidth, "the reconstruction is not of the input's width")
    let values = (0..<output.columns).map { output[0, $0] }
    precondition(!values.contains(where: \.isNaN), "the reconstruction of a zero sample holds NaN: \(description.compactJSON())")
    let codes = model.encode(Matrix(rows: 1, columns: model.inputWidth))
    precondition(codes.rows == 1 && codes.columns == model.codeWidth, "the code is not of the code width")
    return 0
}

/// A refusal is one sentence: one line (names quoted from the input have their control
/// characters escaped: corpus/description/bad-multiline-field-name.json), a capital first, a
/// full stop at the end.
func checkSentence(_ message: String, input: Data) {
    precondition(!message.isEmpty && message.first!.isUppercase && message.hasSuffix("."), "not one sentence: \(message)")
    precondition(!breaksLines(message), "not one line: \(message)")
}

/// Whether `text` holds a line feed or carriage return.
func breaksLines(_ text: String) -> Bool {
    text.unicodeScalars.contains { $0 == "\n" || $0 == "\r" }
}
