/// The decoder of a model with a 2-D code as the page computes it: its dense layers'
/// weights and biases and the activations between them, so moving the pointer over the
/// code plane decodes that point in the browser. Only decoders the page can compute
/// exactly get one: dense layers (PyTorch's layout, weight `[out, in]` row-major, then
/// bias `[out]`, as ``Dense`` stores them), activation layers, and reshapes and flattens,
/// which leave a sample's values in place.
struct LatentExplorer {
    /// One step of the decoder: a dense layer, an elementwise activation, or nothing (a reshape).
    struct Step {
        /// `dense`, `activation` or `identity`.
        var kind: String
        /// The input and output widths.
        var inputWidth: Int, outputWidth: Int
        /// The activation's name (``Activation``'s raw value), for dense and activation steps.
        var activation: String?
        /// A dense step's weight `[out, in]` and bias `[out]`.
        var weight: [Float]?, bias: [Float]?
    }

    /// The decoder's steps, code side first.
    var steps: [Step]
    /// The plane's box in code space.
    var range: ModelFile.CodeRange

    /// Why a model gets no explorer: one sentence for the page.
    struct Refusal: Error { var reason: String }

    /// The explorer of `model`'s decoder over `range` (the model file's code range, or the
    /// codes' extent); throws ``Refusal`` saying why there is none.
    init(model: AutoencoderModel, range: ModelFile.CodeRange?) throws {
        guard model.codeWidth == 2 else {
            throw Refusal(reason: "The code is \(model.codeWidth)-dimensional; the latent explorer needs a 2-D code, a plane the pointer can move over.")
        }
        guard let range, range.isUsableBox else {
            throw Refusal(reason: "The codes span no usable box, so there is no plane to explore.")
        }
        let network = model.network
        var steps: [Step] = []
        for index in model.encoderDepth..<network.layers.count {
            let layer = network.layers[index]
            if let dense = layer as? Dense {
                steps.append(Step(kind: "dense", inputWidth: dense.inputWidth, outputWidth: dense.outputWidth,
                                  activation: dense.activation.rawValue,
                                  weight: network.tensor(layer: index, named: "weight"), bias: network.tensor(layer: index, named: "bias")))
            } else if let activation = layer as? ActivationLayer {
                steps.append(Step(kind: "activation", inputWidth: activation.width, outputWidth: activation.width,
                                  activation: activation.activation.rawValue))
            } else if layer is Reshape || layer is Flatten {
                steps.append(Step(kind: "identity", inputWidth: layer.inputWidth, outputWidth: layer.outputWidth))
            } else {
                throw Refusal(reason: "The decoder has a layer the page does not compute (\(layer.summary)); the latent explorer needs a decoder of dense layers only.")
            }
        }
        self.steps = steps
        self.range = range
    }

    /// The explorer as JSON for the page (weights and biases as base64 Float32 little-endian).
    var json: [String: Any] {
        [
            "range": ["low": range.low.map(Double.init), "high": range.high.map(Double.init)],
            "steps": steps.map { step -> [String: Any] in
                var entry: [String: Any] = ["kind": step.kind, "in": step.inputWidth, "out": step.outputWidth]
                if let activation = step.activation { entry["activation"] = activation }
                if let weight = step.weight { entry["weight"] = HTMLText.base64(floats: weight) }
                if let bias = step.bias { entry["bias"] = HTMLText.base64(floats: bias) }
                return entry
            },
        ]
    }
}
