/// A trained or untrained autoencoder: its architecture and its network.
public struct AutoencoderModel: Sendable {
    /// The architecture.
    public let configuration: ModelConfiguration
    /// The layers and parameters.
    public var network: Network

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

    /// The codes of `inputs` (one sample per row).
    public func encode(_ inputs: Matrix) -> Matrix {
        network.apply(inputs, layers: 0..<configuration.encoderDepth)
    }

    /// The outputs the decoder makes of `codes` (one code per row).
    public func decode(_ codes: Matrix) -> Matrix {
        network.apply(codes, layers: configuration.encoderDepth..<network.layers.count)
    }

    /// Encodes and decodes `inputs`.
    public func reconstruct(_ inputs: Matrix) -> Matrix {
        network.apply(inputs)
    }
}
