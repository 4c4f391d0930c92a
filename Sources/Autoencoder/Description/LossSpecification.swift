/// The loss of a model description: `{"kind": "binary_crossentropy", "reduction": "sum_per_sample"}`.
public struct LossSpecification: Sendable, Equatable, Codable {
    /// The loss functions a description can name (Keras's names).
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// The squared error: the tutorial's.
        case meanSquaredError = "mse"
        /// Binary cross-entropy, for values in [0, 1] such as pixels; computed from logits
        /// when the model's last activation is a sigmoid.
        case binaryCrossEntropy = "binary_crossentropy"
        /// The absolute error.
        case meanAbsoluteError = "mae"
    }

    /// How element losses are combined, as a description names it.
    public enum ReductionName: String, Sendable, Codable, CaseIterable {
        /// The mean over every value of the batch.
        case mean
        /// The sum over every value of the batch.
        case sum
        /// The sum over each sample's values, averaged over the samples (a loss per example).
        case sumPerSample = "sum_per_sample"
    }

    /// Which loss.
    public var kind: Kind
    /// How it is reduced (default `mean`).
    public var reduction: ReductionName

    /// Creates a loss specification.
    public init(_ kind: Kind = .meanSquaredError, reduction: ReductionName = .mean) {
        self.kind = kind
        self.reduction = reduction
    }

    private enum CodingKeys: String, CodingKey { case kind, reduction }

    /// Reads `kind` and an optional `reduction`, refusing other fields.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: LayerFields.AnyKey.self)
        if let unknown = container.allKeys.map(\.stringValue).sorted().first(where: { !["kind", "reduction"].contains($0) }) {
            throw LayerFieldError(field: LayerFields.snakeCase(unknown), reason: "is not a field of the loss")
        }
        let known = try decoder.container(keyedBy: CodingKeys.self)
        kind = try known.decode(Kind.self, forKey: .kind)
        reduction = try known.decodeIfPresent(ReductionName.self, forKey: .reduction) ?? .mean
    }
}
