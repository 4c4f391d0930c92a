import Foundation

/// An autoencoder as data: the shape of one input sample, the encoder's layers, the
/// decoder's layers, the loss and, optionally, the training settings. Stored as JSON (in
/// model files, and in the files `train --model` reads), with Keras's names:
///
/// ```json
/// {
///   "input_shape": [1, 28, 28],
///   "encoder": [{"kind": "Conv2D", "filters": 16, "kernel_size": 3, "padding": "same", "activation": "relu"},
///               {"kind": "MaxPooling2D", "pool_size": 2}],
///   "decoder": [{"kind": "UpSampling2D", "size": 2},
///               {"kind": "Conv2D", "filters": 1, "kernel_size": 3, "padding": "same", "activation": "sigmoid"}],
///   "loss": {"kind": "binary_crossentropy"}
/// }
/// ```
///
/// The encoder's last layer gives the code. ``build()`` checks every layer against the
/// shape it receives and the decoder's output against the input before any memory is
/// set aside, so an impossible chain is one sentence, never a crash.
public struct ModelDescription: Sendable {
    /// The shape of one input sample: `[features]`, or `[channels, height, width]`.
    public var inputShape: SampleShape
    /// The encoder's layers, input side first; the last gives the code.
    public var encoder: [any LayerSpecification]
    /// The decoder's layers, code side first; the last gives the reconstruction.
    public var decoder: [any LayerSpecification]
    /// The loss minimised.
    public var loss: LossSpecification
    /// The training settings the description comes with (a preset's), if any: `train
    /// --model` uses them where no option says otherwise.
    public var training: TrainingConfiguration?

    /// The layer kinds a description can name. A new layer kind is added here.
    public static let layerKinds: [any LayerSpecification.Type] = [
        Dense.Specification.self,
        ActivationLayer.Specification.self,
        ActivityRegularization.Specification.self,
        Sampling.Specification.self,
        Conv2D.Specification.self,
        Conv2DTranspose.Specification.self,
        MaxPooling2D.Specification.self,
        UpSampling2D.Specification.self,
        Flatten.Specification.self,
        Reshape.Specification.self,
    ]

    /// Creates a description.
    public init(inputShape: SampleShape, encoder: [any LayerSpecification], decoder: [any LayerSpecification],
                loss: LossSpecification = LossSpecification(), training: TrainingConfiguration? = nil) {
        self.inputShape = inputShape
        self.encoder = encoder
        self.decoder = decoder
        self.loss = loss
        self.training = training
    }

    // MARK: Building

    /// The layers a description builds, with what the rest of the package needs to know
    /// about them.
    public struct Architecture: Sendable {
        /// The network's layers: the encoder's, then the decoder's.
        public var layers: [any Layer]
        /// How many of ``layers`` are the encoder's.
        public var encoderDepth: Int
        /// The input's shape, then each layer's output shape.
        public var shapes: [SampleShape]
        /// Each layer's tensor-name prefix, PyTorch's module path (`encoder.0`, `decoder.4`).
        public var tensorPrefixes: [String]
        /// For each layer, the part (`encoder`/`decoder`) and index of the description's
        /// layer it comes from.
        public var origins: [(part: String, index: Int)]

        /// The shape of a code.
        public var codeShape: SampleShape { shapes[encoderDepth] }
    }

    /// Checks the description and builds its layers; throws ``DescriptionError`` naming the
    /// first layer that does not fit.
    public func build() throws(DescriptionError) -> Architecture {
        guard [1, 3].contains(inputShape.dimensions.count),
              inputShape.dimensions.allSatisfy({ $0 > 0 }), let inputCount = inputShape.count,
              inputCount <= Self.maximumSampleWidth else {
            throw DescriptionError("The input shape \(inputShape) must be [features] or [channels, height, width] of positive sizes.")
        }
        guard !encoder.isEmpty else { throw DescriptionError("The encoder has no layers; it needs at least one to make a code.") }
        guard !decoder.isEmpty else { throw DescriptionError("The decoder has no layers; it needs at least one to reconstruct the input.") }
        var shape = inputShape
        var architecture = Architecture(layers: [], encoderDepth: 0, shapes: [inputShape], tensorPrefixes: [], origins: [])
        var parameters = 0
        let fusesLastActivation = lossFusesLastActivation
        for (part, specifications) in [("encoder", encoder), ("decoder", decoder)] {
            var module = 0
            for (index, specification) in specifications.enumerated() {
                let name = "Layer \(index) of the \(part) (\(type(of: specification).kind))"
                let output: SampleShape
                do {
                    output = try specification.outputShape(for: shape)
                } catch {
                    throw DescriptionError("\(name) cannot take an input of shape \(shape): \(error.reason).")
                }
                guard output.dimensions.allSatisfy({ $0 > 0 }), let count = output.count, count <= Self.maximumSampleWidth else {
                    throw DescriptionError("\(name) would give an output of shape \(output) from \(shape), which is empty or too large.")
                }
                let isLast = part == "decoder" && index == specifications.count - 1
                var built = specification
                if isLast && fusesLastActivation { built.activation = .linear }
                let layer = built.makeLayer(for: shape)
                let (sum, overflow) = parameters.addingReportingOverflow(layer.parameterCount)
                guard !overflow, sum <= ModelConfiguration.maximumParameterCount else {
                    throw DescriptionError("\(name) brings the model to more than the \(ModelConfiguration.maximumParameterCount) parameters allowed.")
                }
                parameters = sum
                architecture.layers.append(layer)
                architecture.shapes.append(output)
                architecture.tensorPrefixes.append("\(part).\(module)")
                architecture.origins.append((part, index))
                if isLast && fusesLastActivation, let activation = specification.activation {
                    architecture.layers.append(Self.activationLayer(activation, width: count))
                    architecture.shapes.append(output)
                    architecture.tensorPrefixes.append("\(part).\(module + 1)")
                    architecture.origins.append((part, index))
                }
                module += specification.moduleCount
                shape = output
            }
            if part == "encoder" { architecture.encoderDepth = architecture.layers.count }
        }
        guard shape.count == inputShape.count else {
            throw DescriptionError("The decoder's output has shape \(shape) but the input has shape \(inputShape); an autoencoder must give back its input's shape.")
        }
        return architecture
    }

    /// The largest sample (input, code or any layer's output) a description may have: 2^24
    /// values, so that a typo cannot ask for terabytes.
    public static let maximumSampleWidth = 1 << 24

    // MARK: Facts

    /// The width of one input sample.
    public var inputWidth: Int { inputShape.width }
}
