/// A trained or untrained autoencoder: its description, its layers and its parameters.
public struct AutoencoderModel: Sendable {
    /// The model as data: input shape, encoder and decoder layers, loss.
    public let architecture: ModelDescription
    /// The tutorial's kind of architecture (a mirrored stack of dense layers) when the model
    /// was made from one; `nil` for any other description. Model files of such models keep
    /// the format they always had.
    public let configuration: ModelConfiguration?
    /// The layers the description built, with their shapes and tensor names.
    public let layout: ModelDescription.Architecture
    /// The layers and parameters. A network assigned here (such as a trainer's, after
    /// training) must have the description's layers: the model files written from this
    /// model describe it by ``architecture``, so a network of other layers is a programming
    /// error that stops the program rather than a wrong file.
    public var network: Network {
        didSet {
            let expected = layout.layers.map(\.summary), found = network.layers.map(\.summary)
            precondition(found == expected, "The network's layers \(found) are not the model's architecture \(expected).")
        }
    }

    /// Creates a model of the tutorial's kind with freshly drawn parameters.
    public init(configuration: ModelConfiguration, generator: inout RandomGenerator) throws {
        try configuration.validate()
        try self.init(architecture: configuration.architecture, configuration: configuration, generator: &generator)
    }

    /// Creates a model of the tutorial's kind with the given flat parameters (see `Network.parameters`).
    public init(configuration: ModelConfiguration, parameters: [Float]) throws {
        try configuration.validate()
        try self.init(architecture: configuration.architecture, configuration: configuration, parameters: parameters)
    }

    /// Creates a preset's model with freshly drawn parameters, as `autoencoder train --preset`
    /// does: the tutorial's two from their ``Preset/model`` configuration (so their model
    /// files keep the tutorial's format), every other preset from its ``Preset/architecture``.
    public init(preset: Preset, generator: inout RandomGenerator) throws {
        if let configuration = preset.model {
            try self.init(configuration: configuration, generator: &generator)
        } else {
            try self.init(architecture: preset.architecture, generator: &generator)
        }
    }

    /// Creates a model of any description with freshly drawn parameters; throws
    /// ``DescriptionError`` when the description cannot be built.
    public init(architecture: ModelDescription, generator: inout RandomGenerator) throws {
        try self.init(architecture: architecture, configuration: nil, generator: &generator)
    }

    /// Creates a model of any description with the given flat parameters.
    public init(architecture: ModelDescription, parameters: [Float]) throws {
        try self.init(architecture: architecture, configuration: nil, parameters: parameters)
    }

    private init(architecture: ModelDescription, configuration: ModelConfiguration?, generator: inout RandomGenerator) throws {
        self.architecture = architecture
        self.configuration = configuration
        layout = try architecture.build()
        network = try Network(layers: layout.layers, generator: &generator)
    }

    private init(architecture: ModelDescription, configuration: ModelConfiguration?, parameters: [Float]) throws {
        self.architecture = architecture
        self.configuration = configuration
        layout = try architecture.build()
        network = try Network(layers: layout.layers, parameters: parameters)
    }

    /// The width of one input sample.
    public var inputWidth: Int { layout.shapes[0].width }
    /// The width of a code.
    public var codeWidth: Int { layout.codeShape.width }
    /// The number of the network's layers that are the encoder's.
    public var encoderDepth: Int { layout.encoderDepth }
    /// The values a code can take: those of the encoder's last activation, looking back
    /// through layers that keep their input's range (pooling, reshaping, an activity
    /// penalty); every number after a sampling layer or with no activation at all.
    public var codeActivation: Activation {
        for specification in architecture.encoder.reversed() {
            if specification is Sampling.Specification { return .linear }
            if let activation = specification.activation { return activation }
        }
        return .linear
    }

    /// The codes of `inputs` (one sample per row, ``inputWidth`` columns: a precondition;
    /// ``ModelFile/checkInputWidth(_:data:shape:)`` checks data from files with an error instead).
    public func encode(_ inputs: Matrix) -> Matrix {
        network.apply(inputs, layers: 0..<encoderDepth)
    }

    /// The outputs the decoder makes of `codes` (one code per row, ``codeWidth`` columns: a precondition).
    public func decode(_ codes: Matrix) -> Matrix {
        network.apply(codes, layers: encoderDepth..<network.layers.count)
    }

    /// Encodes and decodes `inputs` (``inputWidth`` columns: a precondition).
    public func reconstruct(_ inputs: Matrix) -> Matrix {
        network.apply(inputs)
    }

    /// The reconstruction of `inputs`, as `reconstruct` does: a model is callable,
    /// `model(images)`, as a layer or a network is.
    public func callAsFunction(_ inputs: Matrix) -> Matrix {
        reconstruct(inputs)
    }
}

/// The same on the arrays a program has: one sample as `[Float]`, several as `[[Float]]`.
extension AutoencoderModel {
    /// The code of one sample of ``inputWidth`` values (a precondition).
    public func encode(_ sample: [Float]) -> [Float] {
        encode(Matrix(row: sample)).storage
    }

    /// The codes of samples of ``inputWidth`` values each (a precondition), in their order.
    public func encode(_ samples: [[Float]]) -> [[Float]] {
        encode(Matrix(rows: samples, columns: inputWidth)).rowArrays
    }

    /// The decoder's output for one code of ``codeWidth`` values (a precondition).
    public func decode(_ code: [Float]) -> [Float] {
        decode(Matrix(row: code)).storage
    }

    /// The decoder's outputs for codes of ``codeWidth`` values each (a precondition).
    public func decode(_ codes: [[Float]]) -> [[Float]] {
        decode(Matrix(rows: codes, columns: codeWidth)).rowArrays
    }

    /// The reconstruction of one sample of ``inputWidth`` values (a precondition).
    public func reconstruct(_ sample: [Float]) -> [Float] {
        reconstruct(Matrix(row: sample)).storage
    }

    /// The reconstructions of samples of ``inputWidth`` values each (a precondition).
    public func reconstruct(_ samples: [[Float]]) -> [[Float]] {
        reconstruct(Matrix(rows: samples, columns: inputWidth)).rowArrays
    }

    /// The reconstruction of one sample, as `reconstruct` does: `model(sample)`.
    public func callAsFunction(_ sample: [Float]) -> [Float] {
        reconstruct(sample)
    }

    /// The reconstructions of several samples: `model(samples)`.
    public func callAsFunction(_ samples: [[Float]]) -> [[Float]] {
        reconstruct(samples)
    }
}
