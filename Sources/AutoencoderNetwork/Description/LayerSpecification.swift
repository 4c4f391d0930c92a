import AutoencoderErrors
/// One layer of a model description, as data: a kind (Keras's class name, such as
/// `"Conv2D"`) and its fields (Keras's names, such as `filters` and `kernel_size`).
///
/// A specification checks that it fits the shape it is given and builds the ``Layer``
/// that computes it. Adding a layer kind to the package means one new file with the layer
/// and its specification, plus the specification's type in the description's list of
/// kinds (`ModelDescription.layerKinds`).
///
/// Specifications are read from JSON whose keys are converted from snake case
/// (`kernel_size` arrives as `kernelSize`), and each one refuses fields it does not know
/// (see `LayerFields.check(_:known:)`), so a misspelt field is an error, not a default.
public protocol LayerSpecification: Codable, Sendable {
    /// The kind's name in a description, such as `"Dense"`.
    static var kind: String { get }

    /// The activation applied to the layer's output, for kinds that have one (`nil`
    /// otherwise; setting it on a kind without one does nothing).
    var activation: Activation? { get set }

    /// The shape of the layer's output for one input sample of `input`, or a
    /// ``LayerShapeProblem`` saying why this layer cannot take that shape.
    func outputShape(for input: SampleShape) throws(LayerShapeProblem) -> SampleShape

    /// The layer for inputs of `input`, a shape ``outputShape(for:)`` accepted.
    func makeLayer(for input: SampleShape) -> any Layer

    /// How many modules the layer becomes in a PyTorch `nn.Sequential` (a layer with an
    /// activation is two: `nn.Conv2d` and `nn.ReLU`, or `nn.Identity` for a linear one), so
    /// that tensor names follow the module indices of a `state_dict`.
    var moduleCount: Int { get }
}

extension LayerSpecification {
    /// Kinds with an activation become two modules; others one.
    public var moduleCount: Int { activation == nil ? 1 : 2 }
}

/// Why a layer cannot take the shape it is given, as the end of a sentence that names the
/// layer (such as "a 3x3 kernel does not fit a 2x2 map with valid padding").
public struct LayerShapeProblem: Error, AutoencoderError, Sendable, Equatable, CustomStringConvertible {
    /// The reason, lower case, without a final full stop.
    public var reason: String

    /// Creates the problem.
    public init(_ reason: String) {
        self.reason = reason
    }

    /// The reason.
    public var description: String { reason }
}

/// A field of a description (a layer's, an optimizer's, a schedule's) that cannot be used,
/// raised while decoding or creating it.
public struct LayerFieldError: Error, AutoencoderError, Sendable, Equatable, CustomStringConvertible {
    /// The field the error is about.
    public var subject: String? { field }

    /// The field's name as written in JSON (`kernel_size`).
    public var field: String
    /// Why it cannot be used (`"is not a field of Conv2D"`, `"must be positive, not 0"`).
    public var reason: String

    /// Creates the error.
    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    /// `'kernel_size' must be positive, not 0`.
    public var description: String { "'\(field)' \(reason)" }
}

/// Helpers for decoding specifications strictly.
public enum LayerFields {
    /// A coding key for any field name, to list the fields a JSON object has.
    public struct AnyKey: CodingKey {
        /// The field's name.
        public var stringValue: String
        /// None: JSON objects have named fields only.
        public var intValue: Int? { nil }
        /// The key of the field `stringValue`.
        public init(stringValue: String) { self.stringValue = stringValue }
        /// None: JSON objects have named fields only.
        public init?(intValue: Int) { nil }
    }

    /// Throws ``LayerFieldError`` for the first field of the object being decoded that is
    /// not in `known` (camel-case names, as the decoder converts them) or `kind`.
    public static func check(_ decoder: any Decoder, known: [String], kind: String) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        let allowed = Set(known + ["kind"])
        if let unknown = container.allKeys.map(\.stringValue).sorted().first(where: { !allowed.contains($0) }) {
            throw LayerFieldError(field: snakeCase(unknown), reason: "is not a field of \(kind)")
        }
    }

    /// `kernelSize` as `kernel_size`: the name a user wrote.
    public static func snakeCase(_ name: String) -> String {
        var result = ""
        for character in name {
            if character.isUppercase {
                result += "_" + character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// Throws unless `value` is positive.
    public static func requirePositive(_ value: Int, _ field: String) throws {
        guard value > 0 else { throw LayerFieldError(field: field, reason: "must be positive, not \(value)") }
    }
}

/// A size given as one number for both sides or as `[height, width]`, as Keras takes a
/// `kernel_size`, `strides`, `pool_size` or `size`.
public struct PairOfSizes: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The size along the image's height.
    public var height: Int
    /// The size along the image's width.
    public var width: Int

    /// Creates a size of `height × width`.
    public init(_ height: Int, _ width: Int) {
        self.height = height
        self.width = width
    }

    /// The same size on both sides.
    public init(_ both: Int) {
        self.init(both, both)
    }

    /// Reads `3` or `[3, 3]`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let both = try? container.decode(Int.self) {
            self.init(both)
            return
        }
        let pair = try container.decode([Int].self)
        guard pair.count == 2 else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected a number or [height, width]")
        }
        self.init(pair[0], pair[1])
    }

    /// Writes one number when both sides are equal, else `[height, width]`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if height == width { try container.encode(height) } else { try container.encode([height, width]) }
    }

    /// `3x3`.
    public var description: String { "\(height)x\(width)" }

    /// Throws unless both sides are positive.
    public func requirePositive(_ field: String) throws {
        guard height > 0, width > 0 else {
            throw LayerFieldError(field: field, reason: "must be positive, not \(height == width ? "\(height)" : "[\(height), \(width)]")")
        }
    }
}

/// How a convolution treats the image's border, as Keras names it.
public enum Padding: String, Sendable, Codable, CaseIterable {
    /// No padding: the output shrinks by the kernel size minus one.
    case valid
    /// Zero padding so that, with stride 1, the output has the input's size.
    case same
}
