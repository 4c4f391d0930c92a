import AutoencoderErrors
/// An optimizer's complete state as plain data, for checkpoints: what it is, its settings,
/// its counters and its per-parameter tensors.
///
/// `Float` values that are running products (such as Adam's `β^t`) are kept in ``counters``
/// as their bit patterns, so that they round-trip exactly through any encoding; ``settings``
/// hold values a user chose, and booleans as 0 or 1. ``Optimizer/init(state:)`` refuses a
/// state with a missing or unknown entry, so a checkpoint cannot silently lose part of it.
public struct OptimizerState: Codable, Sendable, Equatable {
    /// The optimizer: `"adam"`, `"adamw"`, `"sgd"` or `"rmsprop"`.
    public var kind: String
    /// The chosen hyperparameters by name (`learningRate`, `beta1`, `momentum`, …).
    public var settings: [String: Float]
    /// Counts (`step`) and `Float` running products as bit patterns (`beta1PowerBits`).
    public var counters: [String: UInt64]
    /// Per-parameter tensors (moments, momentum buffers), all of one length; empty before
    /// the first update.
    public var tensors: [String: [Float]]

    /// Creates a state from its parts.
    public init(kind: String, settings: [String: Float], counters: [String: UInt64] = [:],
                tensors: [String: [Float]] = [:]) {
        self.kind = kind
        self.settings = settings
        self.counters = counters
        self.tensors = tensors
    }

    /// The optimizer this state belongs to, restored by its ``Optimizer/init(state:)``, for a
    /// checkpoint that does not know in advance which optimizer it holds.
    public func makeOptimizer() throws(OptimizerStateError) -> any Optimizer {
        switch kind {
        case "adam": try Adam(state: self)
        case "adamw": try AdamW(state: self)
        case "sgd": try SGD(state: self)
        case "rmsprop": try RMSProp(state: self)
        default: throw .unknownKind(kind)
        }
    }
}

/// Why an ``OptimizerState`` cannot be restored; its description is one sentence naming
/// the entry at fault, for a checkpoint's error message.
public enum OptimizerStateError: Error, AutoencoderError, Sendable, Equatable, CustomStringConvertible {
    /// The state belongs to another optimizer.
    case wrongKind(expected: String, found: String)
    /// The state's kind names no optimizer of this package.
    case unknownKind(String)
    /// A setting, counter or tensor the optimizer needs is absent (`"setting 'beta1'"`).
    case missingEntry(String)
    /// The state has an entry the optimizer does not know (`"counter 'foo'"`).
    case unknownEntry(String)
    /// A setting or counter lies outside the values the optimizer can use.
    case outOfRange(name: String, value: String, requirement: String)
    /// Two tensors differ in length (each tensor holds one value per parameter).
    case unequalTensorLengths(first: String, firstCount: Int, second: String, secondCount: Int)
    /// A tensor holds NaN, an infinity, or a negative value where only squares belong.
    case invalidTensor(name: String, requirement: String)

    /// One sentence saying what is wrong.
    public var description: String {
        switch self {
        case let .wrongKind(expected, found):
            "The optimizer state is for \"\(found)\", not \"\(expected)\"."
        case let .unknownKind(kind):
            "The optimizer state's kind \"\(kind)\" is none of adam, adamw, sgd, rmsprop."
        case let .missingEntry(entry):
            "The optimizer state lacks its \(entry)."
        case let .unknownEntry(entry):
            "The optimizer state has an unknown \(entry)."
        case let .outOfRange(name, value, requirement):
            "The optimizer state's '\(name)' is \(value), but must be \(requirement)."
        case let .unequalTensorLengths(first, firstCount, second, secondCount):
            "The optimizer state's tensors '\(first)' (\(firstCount) values) and '\(second)' (\(secondCount) values) differ in length."
        case let .invalidTensor(name, requirement):
            "The optimizer state's tensor '\(name)' must hold only \(requirement)."
        }
    }
}

/// The values an optimizer setting may take; shared by ``OptimizerState`` restoring and
/// ``OptimizerSpecification`` decoding so both refuse the same values.
enum SettingRule {
    /// A learning rate or weight decay: finite and at least 0.
    case nonNegative
    /// An ε: finite and above 0.
    case positive
    /// A decay rate (β, α, momentum): in [0, 1).
    case unitInterval
    /// A boolean stored as a number: 0 or 1.
    case flag

    /// Whether `value` is allowed.
    func admits(_ value: Float) -> Bool {
        switch self {
        case .nonNegative: value.isFinite && value >= 0
        case .positive: value.isFinite && value > 0
        case .unitInterval: value >= 0 && value < 1
        case .flag: value == 0 || value == 1
        }
    }

    /// The requirement, to end a sentence ("must be …").
    var requirement: String {
        switch self {
        case .nonNegative: "a finite number of at least 0"
        case .positive: "a finite number above 0"
        case .unitInterval: "at least 0 and below 1"
        case .flag: "0 or 1"
        }
    }
}

/// Reads an ``OptimizerState`` strictly for one optimizer's `init(state:)`: each entry it
/// is asked for must be present and valid, and ``finish()`` refuses any entry nobody asked for.
struct OptimizerStateReader {
    private let state: OptimizerState
    private var usedSettings: Set<String> = []
    private var usedCounters: Set<String> = []
    private var usedTensors: Set<String> = []

    /// Starts reading, refusing a state of another kind.
    init(_ state: OptimizerState, kind: String) throws(OptimizerStateError) {
        guard state.kind == kind else { throw .wrongKind(expected: kind, found: state.kind) }
        self.state = state
    }

    /// The setting `name`, which must be present and obey `rule`.
    mutating func setting(_ name: String, _ rule: SettingRule) throws(OptimizerStateError) -> Float {
        guard let value = state.settings[name] else { throw .missingEntry("setting '\(name)'") }
        guard rule.admits(value) else { throw .outOfRange(name: name, value: "\(value)", requirement: rule.requirement) }
        usedSettings.insert(name)
        return value
    }

    /// The counter `name`, which must be present and at most `maximum`.
    mutating func counter(_ name: String, maximum: UInt64 = UInt64(Int.max)) throws(OptimizerStateError) -> UInt64 {
        guard let value = state.counters[name] else { throw .missingEntry("counter '\(name)'") }
        guard value <= maximum else { throw .outOfRange(name: name, value: "\(value)", requirement: "at most \(maximum)") }
        usedCounters.insert(name)
        return value
    }

    /// The `Float` whose bit pattern is the counter `name`.
    mutating func floatCounter(_ name: String) throws(OptimizerStateError) -> Float {
        Float(bitPattern: UInt32(try counter(name, maximum: UInt64(UInt32.max))))
    }

    /// The tensors `names`, all present or all absent (absent: empty arrays, as before the
    /// first update), of one length and finite; those in `nonNegative` also at least 0.
    mutating func tensors(_ names: [String], nonNegative: Set<String> = []) throws(OptimizerStateError) -> [[Float]] {
        let present = names.filter { state.tensors[$0] != nil }
        if present.isEmpty { return names.map { _ in [] } }
        if let absent = names.first(where: { state.tensors[$0] == nil }) { throw .missingEntry("tensor '\(absent)'") }
        let values = names.map { state.tensors[$0]! }
        for (name, tensor) in zip(names, values) {
            if tensor.count != values[0].count {
                throw .unequalTensorLengths(first: names[0], firstCount: values[0].count, second: name, secondCount: tensor.count)
            }
            if nonNegative.contains(name) {
                guard tensor.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                    throw .invalidTensor(name: name, requirement: "finite values of at least 0")
                }
            } else {
                guard tensor.allSatisfy(\.isFinite) else { throw .invalidTensor(name: name, requirement: "finite values") }
            }
            usedTensors.insert(name)
        }
        return values
    }

    /// Throws for the first entry of the state that was not read, in name order.
    func finish() throws(OptimizerStateError) {
        if let name = state.settings.keys.sorted().first(where: { !usedSettings.contains($0) }) {
            throw .unknownEntry("setting '\(name)'")
        }
        if let name = state.counters.keys.sorted().first(where: { !usedCounters.contains($0) }) {
            throw .unknownEntry("counter '\(name)'")
        }
        if let name = state.tensors.keys.sorted().first(where: { !usedTensors.contains($0) }) {
            throw .unknownEntry("tensor '\(name)'")
        }
    }
}
