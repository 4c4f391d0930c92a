/// A model description that cannot be built, in one sentence naming the layer (its part,
/// index and kind) and the shapes involved.
public struct DescriptionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The sentence.
    public var description: String

    /// Creates the error from its sentence.
    public init(_ description: String) {
        self.description = description
    }
}
