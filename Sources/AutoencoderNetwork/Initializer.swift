import AutoencoderKernels
/// How a parameter tensor's initial values are drawn.
///
/// Encoded as the raw values below (hyphenated, as model files have always stored them);
/// decoding also accepts Keras's `"glorot_uniform"` and `"he_uniform"`, which draw the same
/// (see ``kerasSpellings``), so a description written with those Keras names reads as meant.
public enum Initializer: String, Sendable, CaseIterable, Codable {
    /// Normal with mean 0 and standard deviation 1 (`tf.random_normal`).
    case normal
    /// Normal with mean 0 and standard deviation 1, values beyond 2 standard deviations
    /// redrawn (`tf.truncated_normal`).
    case truncatedNormal = "truncated-normal"
    /// Uniform in ±√(6 / (fanIn + fanOut)) (Glorot and Bengio, 2010).
    case glorotUniform = "glorot-uniform"
    /// All zeros.
    case zeros
    /// Uniform in ±√(6 / fanIn) (He et al., 2015; Keras's `he_uniform`, PyTorch's
    /// `kaiming_uniform_` for ReLU): keeps the variance of ReLU layers' outputs steady.
    case heUniform = "he-uniform"
    /// Normal with mean 0 and variance 2 / fanIn, not truncated (He et al., 2015; PyTorch's
    /// `kaiming_normal_` for ReLU, whereas Keras's `he_normal` truncates at 2 deviations).
    case heNormal = "he-normal"
    /// Normal with mean 0 and variance 2 / (fanIn + fanOut), not truncated (Glorot and
    /// Bengio, 2010; PyTorch's `xavier_normal_`, whereas Keras's `glorot_normal` truncates).
    case glorotNormal = "glorot-normal"

    /// Reads a raw value, or the same name with underscores for hyphens (Keras's spelling).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let initializer = Initializer(rawValue: name)
                ?? Self.kerasSpellings[name] else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "unknown initialiser \"\(name)\"; expected one of \(Self.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = initializer
    }

    /// Keras's names of the initialisers that draw as Keras's do. Keras's `he_normal`,
    /// `glorot_normal` and `truncated_normal` truncate or scale differently from
    /// ``heNormal``, ``glorotNormal`` and ``truncatedNormal``, so those spellings are refused
    /// rather than silently read as another distribution.
    static let kerasSpellings: [String: Initializer] = ["glorot_uniform": .glorotUniform, "he_uniform": .heUniform]

    /// Fills `values` with fresh draws from `generator`; `fanIn` and `fanOut` are the
    /// layer's input and output widths (used by the Glorot and He initialisers).
    public func fill(
        _ values: MutableVectorView, fanIn: Int, fanOut: Int,
        using generator: inout RandomGenerator
    ) {
        fill(values.buffer, fanIn: fanIn, fanOut: fanOut, using: &generator)
    }

    /// Fills `values` with fresh draws, as ``fill(_:fanIn:fanOut:using:)``, on a buffer.
    package func fill(
        _ values: UnsafeMutableBufferPointer<Float>, fanIn: Int, fanOut: Int,
        using generator: inout RandomGenerator
    ) {
        switch self {
        case .normal:
            for i in values.indices { values[i] = Float(generator.nextStandardNormal()) }
        case .truncatedNormal:
            for i in values.indices {
                var z = generator.nextStandardNormal()
                while abs(z) > 2 { z = generator.nextStandardNormal() }
                values[i] = Float(z)
            }
        case .glorotUniform:
            let limit = (6.0 / Double(max(fanIn + fanOut, 1))).squareRoot()
            for i in values.indices { values[i] = Float((generator.nextUnitDouble() * 2 - 1) * limit) }
        case .zeros:
            values.update(repeating: 0)
        case .heUniform:
            let limit = (6.0 / Double(max(fanIn, 1))).squareRoot()
            for i in values.indices { values[i] = Float((generator.nextUnitDouble() * 2 - 1) * limit) }
        case .heNormal:
            let deviation = (2.0 / Double(max(fanIn, 1))).squareRoot()
            for i in values.indices { values[i] = Float(generator.nextStandardNormal() * deviation) }
        case .glorotNormal:
            let deviation = (2.0 / Double(max(fanIn + fanOut, 1))).squareRoot()
            for i in values.indices { values[i] = Float(generator.nextStandardNormal() * deviation) }
        }
    }
}
