/// A field of an optimizer or learning-rate schedule description that cannot be used,
/// raised while decoding or creating one: the same error as a layer's field
/// (`'nesterov' is not a field of the adam optimizer`).
public typealias TrainingFieldError = LayerFieldError

/// The optimizer of a model description, as data: a kind and its settings, with
/// PyTorch's and Keras's names in snake case.
///
/// In JSON: `{"kind": "adam" | "adamw" | "sgd" | "rmsprop", "learning_rate": 0.001, …}` with,
/// by kind, `beta1`, `beta2`, `epsilon` (adam); those and `weight_decay` (adamw);
/// `momentum`, `nesterov`, `weight_decay` (sgd); `rho`, `epsilon`, `momentum`,
/// `weight_decay` (rmsprop), and `learning_rate` for all, which is usually left to the
/// training settings' `learning_rate` (given here, it wins); a field left out takes the
/// optimizer's own default.
/// The decoder is expected to convert keys from snake case (`learning_rate` arrives as
/// `learningRate`); a field the kind does not have is an error, not something to ignore.
public struct OptimizerSpecification: Codable, Sendable, Equatable {
    /// An optimizer's name in a description.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// ``Adam`` in TensorFlow 1's form.
        case adam
        /// ``AdamW``, Adam with decoupled weight decay.
        case adamw
        /// ``SGD``, with optional momentum and weight decay.
        case sgd
        /// ``RMSProp``.
        case rmsprop

        /// The settings the kind takes besides `kind` and `learningRate`, in camel case.
        var fields: [String] {
            switch self {
            case .adam: ["beta1", "beta2", "epsilon"]
            case .adamw: ["beta1", "beta2", "epsilon", "weightDecay"]
            case .sgd: ["momentum", "nesterov", "weightDecay"]
            case .rmsprop: ["rho", "epsilon", "momentum", "weightDecay"]
            }
        }
    }

    /// Which optimizer.
    public private(set) var kind: Kind
    /// The learning rate (at least 0), or `nil` for the training settings' learning rate.
    public var learningRate: Float?
    /// The first-moment decay of adam and adamw, in [0, 1); `nil` for the default 0.9.
    public private(set) var beta1: Float?
    /// The second-moment decay of adam and adamw, in [0, 1); `nil` for the default 0.999.
    public private(set) var beta2: Float?
    /// The stability term of adam, adamw and rmsprop, above 0; `nil` for the default 1e-8.
    public private(set) var epsilon: Float?
    /// The weight decay of adamw (decoupled; default 0.01), sgd and rmsprop (added to the
    /// gradient; default 0).
    public private(set) var weightDecay: Float?
    /// The momentum of sgd and rmsprop, in [0, 1); `nil` for none.
    public private(set) var momentum: Float?
    /// Whether sgd uses Nesterov momentum (needs a momentum above 0); `nil` for no.
    public private(set) var nesterov: Bool?
    /// RMSProp's decay of the squared-gradient average (PyTorch's `alpha`), in [0, 1);
    /// `nil` for the default 0.99.
    public private(set) var rho: Float?

    /// Creates a specification, refusing a field the kind does not have or a value out
    /// of range with the same errors as decoding.
    public init(kind: Kind, learningRate: Float? = nil, beta1: Float? = nil, beta2: Float? = nil, epsilon: Float? = nil,
                weightDecay: Float? = nil, momentum: Float? = nil, nesterov: Bool? = nil,
                rho: Float? = nil) throws(TrainingFieldError) {
        self.kind = kind
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.nesterov = nesterov
        self.rho = rho
        try validate()
    }

    private enum CodingKeys: String, CodingKey {
        case kind, learningRate, beta1, beta2, epsilon, weightDecay, momentum, nesterov, rho
    }

    /// Reads a specification, refusing unknown fields, fields of other kinds and values
    /// out of range with a ``TrainingFieldError``.
    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: LayerFields.AnyKey.self)
        guard let kindKey = fields.allKeys.first(where: { $0.stringValue == "kind" }) else {
            throw TrainingFieldError(field: "kind", reason: "is missing from the optimizer")
        }
        let name = try fields.decode(String.self, forKey: kindKey)
        guard let kind = Kind(rawValue: name) else {
            throw TrainingFieldError(
                field: "kind", reason: "must be one of \(Kind.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(name)\"")
        }
        let allowed = Set(["kind", "learningRate"] + kind.fields)
        if let other = fields.allKeys.map(\.stringValue).sorted().first(where: { !allowed.contains($0) }) {
            throw TrainingFieldError(field: LayerFields.snakeCase(other), reason: "is not a field of the \(kind.rawValue) optimizer")
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            kind: kind, learningRate: container.decodeIfPresent(Float.self, forKey: .learningRate),
            beta1: container.decodeIfPresent(Float.self, forKey: .beta1),
            beta2: container.decodeIfPresent(Float.self, forKey: .beta2),
            epsilon: container.decodeIfPresent(Float.self, forKey: .epsilon),
            weightDecay: container.decodeIfPresent(Float.self, forKey: .weightDecay),
            momentum: container.decodeIfPresent(Float.self, forKey: .momentum),
            nesterov: container.decodeIfPresent(Bool.self, forKey: .nesterov),
            rho: container.decodeIfPresent(Float.self, forKey: .rho))
    }

    /// Writes the kind, the learning rate and the fields that were given.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encodeIfPresent(learningRate, forKey: .learningRate)
        try container.encodeIfPresent(beta1, forKey: .beta1)
        try container.encodeIfPresent(beta2, forKey: .beta2)
        try container.encodeIfPresent(epsilon, forKey: .epsilon)
        try container.encodeIfPresent(weightDecay, forKey: .weightDecay)
        try container.encodeIfPresent(momentum, forKey: .momentum)
        try container.encodeIfPresent(nesterov, forKey: .nesterov)
        try container.encodeIfPresent(rho, forKey: .rho)
    }

    /// Throws for the first field the kind does not have, then for the first value out of
    /// range (the ranges ``Optimizer/init(state:)`` also enforces).
    private func validate() throws(TrainingFieldError) {
        let given: [(String, Any?)] = [
            ("beta1", beta1), ("beta2", beta2), ("epsilon", epsilon), ("weightDecay", weightDecay),
            ("momentum", momentum), ("nesterov", nesterov), ("rho", rho),
        ]
        for (name, value) in given where value != nil && !kind.fields.contains(name) {
            throw TrainingFieldError(field: LayerFields.snakeCase(name), reason: "is not a field of the \(kind.rawValue) optimizer")
        }
        let ranged: [(String, Float?, SettingRule)] = [
            ("learningRate", learningRate, .positive), ("beta1", beta1, .unitInterval), ("beta2", beta2, .unitInterval),
            ("epsilon", epsilon, .positive), ("weightDecay", weightDecay, .nonNegative),
            ("momentum", momentum, .unitInterval), ("rho", rho, .unitInterval),
        ]
        for case let (name, value?, rule) in ranged where !rule.admits(value) {
            throw TrainingFieldError(field: LayerFields.snakeCase(name), reason: "must be \(rule.requirement), not \(value)")
        }
        if nesterov == true, (momentum ?? 0) == 0 {
            throw TrainingFieldError(field: "nesterov", reason: "needs a 'momentum' above 0")
        }
    }

    /// The optimizer described, fresh (no updates yet), with ``learningRate`` or else
    /// `defaultLearningRate`; `"adam"` builds the TensorFlow-form ``Adam``.
    public func makeOptimizer(defaultLearningRate: Float) -> any Optimizer {
        let learningRate = self.learningRate ?? defaultLearningRate
        return switch kind {
        case .adam:
            Adam(learningRate: learningRate, beta1: beta1 ?? 0.9, beta2: beta2 ?? 0.999, epsilon: epsilon ?? 1e-8)
        case .adamw:
            AdamW(learningRate: learningRate, beta1: beta1 ?? 0.9, beta2: beta2 ?? 0.999, epsilon: epsilon ?? 1e-8,
                  weightDecay: weightDecay ?? 0.01)
        case .sgd:
            SGD(learningRate: learningRate, momentum: momentum ?? 0, nesterov: nesterov ?? false,
                weightDecay: weightDecay ?? 0)
        case .rmsprop:
            RMSProp(learningRate: learningRate, alpha: rho ?? 0.99, epsilon: epsilon ?? 1e-8, momentum: momentum ?? 0,
                    weightDecay: weightDecay ?? 0)
        }
    }
}
