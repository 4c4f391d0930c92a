/// The one protocol every error of the package conforms to: catch `any AutoencoderError` to
/// handle them all, show `description` (one sentence saying what is wrong and how to fix
/// it) to a person, and read ``subject`` for the file, field or option it is about.
public protocol AutoencoderError: Error, CustomStringConvertible {
    /// The path, metadata field, layer or option the error is about, when there is one.
    var subject: String? { get }
}

extension AutoencoderError {
    /// No particular subject: the sentence says everything.
    public var subject: String? { nil }
}
