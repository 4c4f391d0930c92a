import AutoencoderKernels
import AutoencoderNumerics

/// An identity layer that adds a penalty on the values passing through it to the loss:
/// `l1·Σ|y| + l2·Σy²` per sample, averaged over the batch (Keras's
/// `ActivityRegularization`, whose activity penalties are divided by the batch size). Put
/// after a code layer, an L1 penalty gives a sparse autoencoder.
///
/// The penalty is added to ``LayerContext/addedLoss`` in every forward pass (training and
/// inference alike, as Keras computes it; only the trainer reads it), and its gradient
/// `(l1·sign(y) + 2·l2·y) / batch` in the backward pass. In PyTorch the layer is an
/// `nn.Identity`, the penalty being part of the training loop.
public struct ActivityRegularization: Layer, Equatable {
    /// The number of values per sample, in and out.
    public let width: Int
    /// The weight of the sum of absolute values.
    public var l1: Float
    /// The weight of the sum of squares.
    public var l2: Float

    /// Creates the layer for samples of `width` values; `l1` and `l2` must be finite and
    /// not negative.
    public init(width: Int, l1: Float = 0, l2: Float = 0) {
        precondition(width > 0, "An activity regularization layer needs a positive width.")
        precondition(l1 >= 0 && l2 >= 0 && l1.isFinite && l2.isFinite, "The penalty weights must be finite and not negative.")
        self.width = width
        self.l1 = l1
        self.l2 = l2
    }

    /// The number of features each input row has: ``width``.
    public var inputWidth: Int { width }
    /// The number of features each output row has: ``width``.
    public var outputWidth: Int { width }
    /// None.
    public var parameterShapes: [ParameterShape] { [] }
    /// For example `"ActivityRegularization(l1 0.001, l2 0.0)"`.
    public var summary: String { "ActivityRegularization(l1 \(l1), l2 \(l2))" }

    /// Nothing to draw.
    public func initialize(_ parameters: MutableVectorView, using generator: inout RandomGenerator) {}

    /// Copies the input and adds the batch's mean penalty to ``LayerContext/addedLoss``.
    public func forward(
        _ input: MatrixView, parameters: VectorView,
        into output: MutableMatrixView, context: inout LayerContext
    ) {
        precondition(input.rows == output.rows && input.columns == width && output.columns == width,
                     "Activity regularization layer shapes disagree.")
        output.base.update(from: input.base, count: input.count)
        guard input.rows > 0, l1 != 0 || l2 != 0 else { return }
        var absolute: Double = 0, squares: Double = 0
        for i in 0..<input.count {
            let y = Double(input.base[i])
            absolute += abs(y)
            squares += y * y
        }
        context.addedLoss += (Double(l1) * absolute + Double(l2) * squares) / Double(input.rows)
    }

    /// `∂L/∂input = ∂L/∂output + (l1·sign(y) + 2·l2·y) / batch`, sign(0) being 0.
    public func backward(
        input: MatrixView, output: MatrixView, outputGradient: MutableMatrixView,
        parameters: VectorView, parameterGradients: MutableVectorView,
        inputGradient: MutableMatrixView?, context: inout LayerContext
    ) {
        guard let inputGradient else { return }
        precondition(inputGradient.count == outputGradient.count && output.count == outputGradient.count,
                     "Activity regularization layer shapes disagree.")
        guard output.rows > 0 else { return }
        let a = l1 / Float(output.rows), b = 2 * l2 / Float(output.rows)
        for i in 0..<output.count {
            let y = output.base[i]
            let sign: Float = y > 0 ? 1 : y < 0 ? -1 : 0
            inputGradient.base[i] = outputGradient.base[i] + a * sign + b * y
        }
    }
}

extension ActivityRegularization {
    /// The layer in a model description: `{"kind": "ActivityRegularization", "l1": 0.001}`,
    /// with Keras's fields `l1` and `l2` (both default 0, neither negative). It takes any
    /// shape and keeps it.
    public struct Specification: LayerSpecification, Equatable {
        /// `"ActivityRegularization"`.
        public static let kind = "ActivityRegularization"
        /// The weight of the sum of absolute values.
        public var l1: Float
        /// The weight of the sum of squares.
        public var l2: Float

        /// Creates a specification.
        public init(l1: Float = 0, l2: Float = 0) {
            self.l1 = l1
            self.l2 = l2
        }

        /// The kind has no activation: always `nil`, and setting it does nothing.
        public var activation: Activation? {
            get { nil }
            set {}
        }

        private enum CodingKeys: String, CodingKey { case l1, l2 }

        /// Reads the weights, refusing unknown fields and negative or non-finite weights.
        public init(from decoder: any Decoder) throws {
            try LayerFields.check(decoder, known: ["l1", "l2"], kind: Self.kind)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            l1 = try container.decodeIfPresent(Float.self, forKey: .l1) ?? 0
            l2 = try container.decodeIfPresent(Float.self, forKey: .l2) ?? 0
            for (value, field) in [(l1, "l1"), (l2, "l2")] where !(value >= 0 && value.isFinite) {
                throw LayerFieldError(field: field, reason: "must be a finite number not below 0, not \(value)")
            }
        }

        /// The input's shape.
        public func outputShape(for input: SampleShape) throws(LayerShapeProblem) -> SampleShape { input }

        /// The layer over all of a sample's values.
        public func makeLayer(for input: SampleShape) -> any Layer {
            ActivityRegularization(width: input.width, l1: l1, l2: l2)
        }

        /// One module: an `nn.Identity`.
        public var moduleCount: Int { 1 }
    }
}
