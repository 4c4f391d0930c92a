// Checks of a model description and of the layers it builds, shared by the `model`,
// `checkpoint` and `description` harnesses (Fuzz/run.sh compiles this file with each).

import Foundation

/// A description's JSON, pretty (`json()`) and compact (`compactJSON()`), decodes to an
/// equal description.
func checkJSONRoundTrip(_ description: ModelDescription) {
    for text in [description.json(), description.compactJSON()] {
        let again: ModelDescription
        do {
            again = try ModelDescription.decode(json: Data(text.utf8))
        } catch {
            preconditionFailure("a description's JSON does not decode again: \(error)\n\(text)")
        }
        precondition(again == description, "a description's JSON decodes to another description:\n\(text)\n\(again.json())")
    }
}

/// The layers a description built agree with each other and with the description: one
/// shape more than layers, positive shapes, the input's shape first, the decoder's output as
/// wide as the input, each layer taking and giving its shapes' widths, one tensor prefix per
/// layer from the right part, distinct tensor names.
func checkBuilt(_ layout: ModelDescription.Architecture, of description: ModelDescription) {
    precondition(layout.shapes.count == layout.layers.count + 1 && layout.tensorPrefixes.count == layout.layers.count
                 && layout.origins.count == layout.layers.count, "the layout's lists are of different lengths")
    precondition(layout.encoderDepth >= 1 && layout.encoderDepth < layout.layers.count, "the encoder depth is out of range")
    precondition(layout.shapes.allSatisfy { shape in
        !shape.dimensions.isEmpty && shape.dimensions.allSatisfy { $0 > 0 } && shape.count.map { $0 <= ModelDescription.maximumSampleWidth } == true
    }, "a built shape is empty, uncountable or too large")
    precondition(layout.shapes[0] == description.inputShape, "the first shape is not the input's")
    precondition(layout.shapes.last!.width == layout.shapes[0].width, "the output is not as wide as the input")
    for (index, layer) in layout.layers.enumerated() {
        precondition(layer.inputWidth == layout.shapes[index].width && layer.outputWidth == layout.shapes[index + 1].width,
                     "layer \(index) (\(layer.summary)) does not take and give its shapes' widths")
        let part = index < layout.encoderDepth ? "encoder" : "decoder"
        let origin = layout.origins[index]
        precondition(origin.part == part && layout.tensorPrefixes[index].hasPrefix(part + ".")
                     && origin.index >= 0 && origin.index < (part == "encoder" ? description.encoder : description.decoder).count,
                     "layer \(index)'s origin \(origin) or prefix \(layout.tensorPrefixes[index]) is not in the \(part)")
    }
    let tensors = ModelFile.tensorLayout(of: layout)
    precondition(Set(tensors.map(\.name)).count == tensors.count, "two tensors have one name")
    precondition(tensors.allSatisfy { $0.shape.allSatisfy { $0 > 0 } }, "a tensor has an empty dimension")
    precondition(tensors.reduce(0) { $0 + $1.shape.reduce(1, *) } == layout.layers.reduce(0) { $0 + $1.parameterCount },
                 "the tensors do not hold the layers' parameters")
}

/// ``checkBuilt(_:of:)`` for a model's layout, and the model's widths and network are the
/// layout's.
func checkLayout(_ model: AutoencoderModel) {
    let layout = model.layout
    let network = model.network
    checkBuilt(layout, of: model.architecture)
    precondition(model.inputWidth == layout.shapes[0].width && model.inputWidth == model.architecture.inputWidth
                 && network.inputWidth == model.inputWidth && network.outputWidth == model.inputWidth,
                 "the input width is not the layout's")
    precondition(model.codeWidth == layout.shapes[layout.encoderDepth].width
                 && model.codeWidth == layout.layers[layout.encoderDepth - 1].outputWidth, "the code width is not the layout's")
    precondition(network.layers.map(\.summary) == layout.layers.map(\.summary), "the network's layers are not the layout's")
    precondition(layout.layers.reduce(0) { $0 + $1.parameterCount } == network.parameterCount
                 && network.parameters.count == network.parameterCount, "the parameter count is not the layout's")
}

/// Whether applying the network to one sample is quick: at most 2^16 parameters, no sample
/// wider than 2^20 values, and about 2^22 multiply-adds (a layer's parameters times the
/// positions of its output map).
func isCheap(_ layout: ModelDescription.Architecture) -> Bool {
    guard layout.layers.reduce(0, { $0 + $1.parameterCount }) <= 1 << 16,
          layout.shapes.allSatisfy({ $0.width <= 1 << 20 }) else { return false }
    var cost = 0
    for (index, layer) in layout.layers.enumerated() {
        let output = layout.shapes[index + 1]
        let positions = output.dimensions.count == 3 ? output.dimensions[1] * output.dimensions[2] : 1
        cost += max(layer.parameterCount, output.width) * positions
        if cost > 1 << 22 { return false }
    }
    return true
}
