/// How a parameter tensor's initial values are drawn.
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

    /// Fills `values` with fresh draws from `generator`; `fanIn` and `fanOut` are the
    /// layer's input and output widths (used by Glorot uniform).
    public func fill(
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
        }
    }
}
