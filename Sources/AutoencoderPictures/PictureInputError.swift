import AutoencoderErrors
/// Data given to a figure (an ``ImageGrid`` or a ``ScatterPlot``) that cannot be drawn, such as
/// an image with the wrong number of pixels or labels that do not match the points.
///
/// Its `description` is one sentence saying what is wrong, ready to show a person.
public struct PictureInputError: Error, AutoencoderError, Sendable, Equatable, CustomStringConvertible {
    /// The whole message, one sentence ending in a full stop.
    public let description: String

    /// Makes an error with its complete message.
    public init(_ description: String) {
        self.description = description
    }
}
