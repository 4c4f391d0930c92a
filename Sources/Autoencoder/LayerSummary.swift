/// One row of a model's layer table, like Keras's `summary()`: a layer of the description
/// (its module path, kind and activation), its output shape and its parameter count.
/// `autoencoder inspect` prints the rows as text and `report.html` as an HTML table, so
/// both show the same layers.
public struct LayerSummary: Sendable, Equatable {
    /// The module path and kind, such as `encoder.0 Dense (relu)`, or `input`.
    public var layer: String
    /// The shape of one sample after the layer, such as `[128]`.
    public var outputShape: String
    /// The layer's trainable parameters.
    public var parameters: Int

    /// Creates a row.
    public init(layer: String, outputShape: String, parameters: Int) {
        self.layer = layer
        self.outputShape = outputShape
        self.parameters = parameters
    }
}

extension AutoencoderModel {
    /// The model's layer table: the input, then one row per layer of the description (the
    /// network layers one specification builds, such as a dense layer and its activation,
    /// share a row).
    public var layerSummary: [LayerSummary] {
        var rows = [LayerSummary(layer: "input", outputShape: "\(layout.shapes[0])", parameters: 0)]
        var index = 0
        while index < layout.layers.count {
            let origin = layout.origins[index]
            let specification = origin.part == "encoder" ? architecture.encoder[origin.index] : architecture.decoder[origin.index]
            var parameters = 0, last = index
            while last < layout.layers.count, layout.origins[last].part == origin.part, layout.origins[last].index == origin.index {
                parameters += layout.layers[last].parameterCount
                last += 1
            }
            let kind = type(of: specification).kind + (specification.activation.map { " (\($0.rawValue))" } ?? "")
            rows.append(LayerSummary(layer: "\(layout.tensorPrefixes[index]) \(kind)", outputShape: "\(layout.shapes[last])",
                                     parameters: parameters))
            index = last
        }
        return rows
    }

    /// The code's line under the layer table: its shape, width and activation.
    public var codeSummary: String {
        "Code: \(layout.codeShape) (\(codeWidth) values), \(codeActivation.rawValue)"
    }
}
