import AutoencoderErrors
import Foundation

/// How one sample's anomaly score is measured from a model's reconstruction of it: the
/// larger, the less the sample looks like the data the model was trained on.
public enum ReconstructionErrorKind: String, Sendable, Codable, CaseIterable {
    /// The mean squared difference over the sample's features.
    case mse
    /// The mean absolute difference over the sample's features.
    case mae
    /// The model's own training loss for the sample alone (its loss kind and reduction; for a
    /// variational autoencoder with the weighted KL term added), with the codes' means at
    /// inference rather than sampled codes, so the score does not depend on a random draw.
    case loss
    /// A variational autoencoder's negative evidence lower bound: the reconstruction loss
    /// summed over the features plus the KL divergence of the code from N(0, 1) (weight 1),
    /// the reconstruction decoded from the codes' means. Only for variational models.
    case elbo
}

/// A scoring request that cannot be carried out, in one sentence.
public struct ScoringError: Error, AutoencoderError, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// The sentence.
    public let description: String
    /// Creates the error from its sentence.
    public init(_ description: String) { self.description = description }
    /// The same sentence, for Foundation's `localizedDescription`.
    public var errorDescription: String? { description }
}
