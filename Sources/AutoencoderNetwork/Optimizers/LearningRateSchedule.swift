#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the learning rate changes from epoch to epoch: an optional linear warm-up, then a
/// decay (none, steps, or a cosine).
///
/// The trainer asks `learningRate(base:epoch:)` for each epoch, counting from 0, and
/// sets the optimizer's ``Optimizer/learningRate`` to it before the epoch's first batch.
///
/// - Warm-up: during the first `warmup_epochs` epochs the rate is `base·(epoch + 1)/warmup`,
///   rising linearly from `base/warmup` to `base` in the last warm-up epoch, so that no
///   epoch trains at rate 0.
/// - Decay: after warm-up the decay runs on its own epoch count `e = epoch − warmup`, which
///   starts at 0 with the full `base` rate (as in PyTorch's `SequentialLR` of the two):
///   - `constant`: `base`;
///   - `step`: `base·gamma^⌊e/step_size⌋` (PyTorch's `StepLR`);
///   - `cosine`: `minimum + (base − minimum)·(1 + cos(π·e/total_epochs))/2` (PyTorch's
///     `CosineAnnealingLR`), held at `minimum` from `e = total_epochs` on rather than
///     rising again, so `total_epochs` counts the decay's epochs, not the warm-up's;
///     without `total_epochs`, the run's epochs less the warm-up (so a run given more
///     epochs keeps the curve's shape).
///
/// In JSON (keys converted from snake case): `{"kind": "constant"}`,
/// `{"kind": "step", "step_size": 10, "gamma": 0.5}`,
/// `{"kind": "cosine", "total_epochs": 50, "minimum": 0.0001}`, each with an optional
/// `"warmup_epochs"`; `gamma` defaults to 0.1 and `minimum` to 0 as in PyTorch. Unknown
/// fields and fields of another kind are refused with a ``TrainingFieldError``.
public struct LearningRateSchedule: Codable, Sendable, Equatable {
    /// The decay after warm-up.
    public enum Decay: Sendable, Equatable {
        /// The base rate throughout.
        case constant
        /// The rate multiplied by `gamma` every `size` epochs.
        case step(size: Int, gamma: Float)
        /// Half a cosine from the base rate down to `minimum` over `totalEpochs` epochs, or,
        /// when `nil`, over the run's epochs after the warm-up (so `--epochs` keeps the shape).
        case cosine(totalEpochs: Int?, minimum: Float)

        /// The kind's name in JSON.
        var kind: String {
            switch self {
            case .constant: "constant"
            case .step: "step"
            case .cosine: "cosine"
            }
        }
    }

    /// The decay after warm-up.
    public private(set) var decay: Decay
    /// The number of linear warm-up epochs (0 for none).
    public private(set) var warmupEpochs: Int

    /// The base rate throughout, without warm-up: what training did before schedules.
    public static let constant = LearningRateSchedule(uncheckedDecay: .constant, warmupEpochs: 0)

    /// Creates a schedule, refusing a step size, total or warm-up count below its minimum
    /// and a `gamma` or `minimum` that is negative or not finite.
    public init(_ decay: Decay, warmupEpochs: Int = 0) throws(TrainingFieldError) {
        switch decay {
        case .constant:
            break
        case let .step(size, gamma):
            guard size >= 1 else { throw TrainingFieldError(field: "step_size", reason: "must be at least 1, not \(size)") }
            guard gamma.isFinite, gamma > 0 else {
                throw TrainingFieldError(field: "gamma", reason: "must be a finite number above 0, not \(gamma)")
            }
        case let .cosine(totalEpochs, minimum):
            if let totalEpochs, totalEpochs < 1 {
                throw TrainingFieldError(field: "total_epochs", reason: "must be at least 1, not \(totalEpochs)")
            }
            guard minimum.isFinite, minimum >= 0 else {
                throw TrainingFieldError(field: "minimum", reason: "must be a finite number of at least 0, not \(minimum)")
            }
        }
        guard warmupEpochs >= 0 else {
            throw TrainingFieldError(field: "warmup_epochs", reason: "must be at least 0, not \(warmupEpochs)")
        }
        self.init(uncheckedDecay: decay, warmupEpochs: warmupEpochs)
    }

    private init(uncheckedDecay decay: Decay, warmupEpochs: Int) {
        self.decay = decay
        self.warmupEpochs = warmupEpochs
    }

    /// The learning rate for `epoch` (counting from 0) given the `base` rate, computed in
    /// `Double` and rounded once to `Float`. `base` is the configured rate, not the
    /// optimizer's current one, which an earlier epoch's schedule has already changed.
    /// A cosine without `total_epochs` spans `epochs` (the run's) less the warm-up.
    public func learningRate(base: Float, epoch: Int, epochs: Int? = nil) -> Float {
        precondition(epoch >= 0, "Epochs count from 0.")
        let base = Double(base)
        if epoch < warmupEpochs { return Float(base * Double(epoch + 1) / Double(warmupEpochs)) }
        let e = epoch - warmupEpochs
        switch decay {
        case .constant:
            return Float(base)
        case let .step(size, gamma):
            return Float(base * pow(Double(gamma), Double(e / size)))
        case let .cosine(total, minimum):
            let totalEpochs = max(total ?? ((epochs ?? (warmupEpochs + 1)) - warmupEpochs), 1)
            let minimum = Double(minimum)
            if e >= totalEpochs { return Float(minimum) }
            return Float(minimum + (base - minimum) * (1 + cos(Double.pi * Double(e) / Double(totalEpochs))) / 2)
        }
    }

    private enum CodingKeys: String, CodingKey {
        case kind, stepSize, gamma, totalEpochs, minimum, warmupEpochs
    }

    /// Reads a schedule, refusing unknown fields and fields of another kind.
    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: LayerFields.AnyKey.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard container.contains(.kind) else {
            throw TrainingFieldError(field: "kind", reason: "is missing from the learning-rate schedule")
        }
        let kind = try container.decode(String.self, forKey: .kind)
        let known: [String]
        switch kind {
        case "constant": known = []
        case "step": known = ["stepSize", "gamma"]
        case "cosine": known = ["totalEpochs", "minimum"]
        default:
            throw TrainingFieldError(field: "kind", reason: "must be one of constant, step, cosine, not \"\(kind)\"")
        }
        let allowed = Set(known + ["kind", "warmupEpochs"])
        if let other = fields.allKeys.map(\.stringValue).sorted().first(where: { !allowed.contains($0) }) {
            throw TrainingFieldError(field: LayerFields.snakeCase(other), reason: "is not a field of the \(kind) schedule")
        }
        let decay: Decay
        switch kind {
        case "step":
            guard container.contains(.stepSize) else {
                throw TrainingFieldError(field: "step_size", reason: "is missing from the step schedule")
            }
            decay = .step(size: try container.decode(Int.self, forKey: .stepSize),
                          gamma: try container.decodeIfPresent(Float.self, forKey: .gamma) ?? 0.1)
        case "cosine":
            decay = .cosine(totalEpochs: try container.decodeIfPresent(Int.self, forKey: .totalEpochs),
                            minimum: try container.decodeIfPresent(Float.self, forKey: .minimum) ?? 0)
        default:
            decay = .constant
        }
        try self.init(decay, warmupEpochs: try container.decodeIfPresent(Int.self, forKey: .warmupEpochs) ?? 0)
    }

    /// Writes the kind, every field of the kind, and `warmup_epochs` when there is a warm-up.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(decay.kind, forKey: .kind)
        switch decay {
        case .constant:
            break
        case let .step(size, gamma):
            try container.encode(size, forKey: .stepSize)
            try container.encode(gamma, forKey: .gamma)
        case let .cosine(totalEpochs, minimum):
            try container.encodeIfPresent(totalEpochs, forKey: .totalEpochs)
            try container.encode(minimum, forKey: .minimum)
        }
        if warmupEpochs > 0 { try container.encode(warmupEpochs, forKey: .warmupEpochs) }
    }
}
