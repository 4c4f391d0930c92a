/// A trained or untrained autoencoder: its architecture and its network.
public struct AutoencoderModel: Sendable {
    /// The architecture.
    public let configuration: ModelConfiguration
    /// The layers and parameters. A network assigned here (such as a trainer's, after
    /// training) must have the configuration's layers: the model files written from this
    /// model describe it by ``configuration``, so a network of other widths or activations
    /// is a programming error that stops the program rather than a wrong file.
    public var network: Network {
        didSet {
            let expected = configuration.layers().map(\.summary), found = network.layers.map(\.summary)
            precondition(found == expected, "The network's layers \(found) are not the model's architecture \(expected).")
        }
    }

    /// Creates a model with freshly drawn parameters.
    public init(configuration: ModelConfiguration, generator: inout RandomGenerator) throws {
        try configuration.validate()
        self.configuration = configuration
        self.network = try Network(layers: configuration.layers(), generator: &generator)
    }

    /// Creates a model with the given flat parameters (see ``Network/parameters``).
    public init(configuration: ModelConfiguration, parameters: [Float]) throws {
        try configuration.validate()
        self.configuration = configuration
        self.network = try Network(layers: configuration.layers(), parameters: parameters)
    }

    /// The codes of `inputs` (one sample per row, ``ModelConfiguration/inputWidth`` columns:
    /// a precondition; ``ModelFile/checkInputWidth(_:data:shape:)`` checks data from files
    /// with an error instead).
    public func encode(_ inputs: Matrix) -> Matrix {
        network.apply(inputs, layers: 0..<configuration.encoderDepth)
    }

    /// The outputs the decoder makes of `codes` (one code per row, ``ModelConfiguration/codeWidth``
    /// columns: a precondition).
    public func decode(_ codes: Matrix) -> Matrix {
        network.apply(codes, layers: configuration.encoderDepth..<network.layers.count)
    }

    /// Encodes and decodes `inputs` (``ModelConfiguration/inputWidth`` columns: a precondition).
    public func reconstruct(_ inputs: Matrix) -> Matrix {
        network.apply(inputs)
    }
}
