import Foundation

// The network's errors as Foundation errors, so that `localizedDescription` (what apps and
// `print(error.localizedDescription)` show) is their one-sentence description rather than
// "The operation could not be completed". AutoencoderNetwork itself does not import
// Foundation, so the conformances live here, in the umbrella module.

extension TrainingError: LocalizedError {
    /// The one-sentence `description`.
    public var errorDescription: String? { description }
}

extension Network.ShapeError: LocalizedError {
    /// The one-sentence `description`.
    public var errorDescription: String? { description }
}

extension ConfigurationError: LocalizedError {
    /// The one-sentence ``description``.
    public var errorDescription: String? { description }
}
