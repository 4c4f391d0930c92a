import AutoencoderErrors
/// A model description that cannot be built, in one sentence naming the layer (its part,
/// index and kind) and the shapes involved.
public struct DescriptionError: Error, AutoencoderError, Sendable, Equatable, CustomStringConvertible {
    /// The sentence.
    public var description: String

    /// Creates the error from its sentence; control characters quoted from the description
    /// (a field name with a line break) are written as escapes, so the sentence stays one line.
    public init(_ description: String) {
        self.description = description.unicodeScalars.map { scalar in
            scalar.properties.generalCategory == .control ? scalar.escaped(asASCII: true) : String(scalar)
        }.joined()
    }
}
