import AutoencoderKernels
import AutoencoderNumerics
import CAutoencoderKernels

/// A fully connected layer `y = f(x·Wᵀ + b)`.
///
/// `W` is stored as PyTorch's `nn.Linear` stores it, `[out, in]` row-major, followed by
/// `b` of `[out]`, so saved models load into PyTorch without transposes. (The tutorial
/// writes `xW` with `W` of `[in, out]`; the product is the same, the BLAS reads the
/// transpose through its flags, never a copy.)
public struct Dense: Layer, ZeroSkippingLayer, Equatable {
    /// The number of features each input row has.
    public let inputWidth: Int
    /// The number of features each output row has.
    public let outputWidth: Int
    /// The nonlinearity applied after the affine map.
    public var activation: Activation
    /// How the weights are drawn.
    public var weightInitializer: Initializer
    /// How the biases are drawn.
    public var biasInitializer: Initializer

    /// Creates a dense layer from `inputWidth` to `outputWidth` features.
    public init(
        _ inputWidth: Int, _ outputWidth: Int, activation: Activation,
        weightInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros
    ) {
        precondition(inputWidth > 0 && outputWidth > 0, "A dense layer needs positive widths.")
        self.inputWidth = inputWidth
        self.outputWidth = outputWidth
        self.activation = activation
        self.weightInitializer = weightInitializer
        self.biasInitializer = biasInitializer
    }

    /// `weight` `[out, in]`, then `bias` `[out]`.
    public var parameterShapes: [ParameterShape] {
        [ParameterShape(name: "weight", shape: [outputWidth, inputWidth]),
         ParameterShape(name: "bias", shape: [outputWidth])]
    }

    /// For example `"Dense(784 → 256, sigmoid)"`.
    public var summary: String { "Dense(\(inputWidth) → \(outputWidth), \(activation.rawValue))" }

    /// Draws the weights, then the biases, with their initialisers.
    public func initialize(_ parameters: MutableVectorView, using generator: inout RandomGenerator) {
        let parameters = parameters.buffer
        let weightCount = inputWidth * outputWidth
        weightInitializer.fill(UnsafeMutableBufferPointer(rebasing: parameters[0..<weightCount]),
                               fanIn: inputWidth, fanOut: outputWidth, using: &generator)
        biasInitializer.fill(UnsafeMutableBufferPointer(rebasing: parameters[weightCount...]),
                             fanIn: inputWidth, fanOut: outputWidth, using: &generator)
    }

    /// `output = f(input·Wᵀ + b)` for a batch.
    public func forward(
        _ input: MatrixView, parameters: VectorView,
        into output: MutableMatrixView, context: inout LayerContext
    ) {
        let parameters = parameters.base
        let weight = MatrixView(parameters, rows: outputWidth, columns: inputWidth)
        context.multiplier.multiply(input, .none, weight, .transposed, into: output)
        ElementwiseKernels.addBiasAndActivate(output, bias: parameters + inputWidth * outputWidth,
                                              activation.nonlinearity)
    }

    /// The forward pass for a mostly-zero input (such as MNIST images, four fifths zeros),
    /// skipping the zeros: `packedWeight` is `W` laid out by ``packWeight(_:into:)``. Gives
    /// the same values as ``forward(_:parameters:into:context:)`` up to rounding, in about
    /// half the time, so inference (`encode`, evaluation) and training use it for the first
    /// layer.
    package func forward(
        sparse input: MatrixView, packedWeight: UnsafePointer<Float>, parameters: UnsafePointer<Float>,
        into output: MutableMatrixView
    ) {
        precondition(input.columns == inputWidth && output.columns == outputWidth && input.rows == output.rows,
                     "Dense layer shapes disagree.")
        ae_sparse_input_product(input.base, input.rows, inputWidth, packedWeight, outputWidth, output.base)
        ElementwiseKernels.addBiasAndActivate(output, bias: parameters + inputWidth * outputWidth,
                                              activation.nonlinearity)
    }

    /// How many floats ``packWeight(_:into:)`` writes: `inputWidth` times `outputWidth`,
    /// the latter rounded up to a multiple of 16 (whole panels).
    package var packedWeightCount: Int { ae_sparse_packed_weight_count(outputWidth, inputWidth) }

    /// Writes `W` into `destination` (``packedWeightCount`` floats) as the zero-skipping
    /// forward pass reads it: `Wᵀ` in panels of 16 outputs, each `[in, 16]`, so that a pass
    /// over 16 outputs reads one contiguous panel. Does not allocate: a training step
    /// refreshes its copy this way.
    package func packWeight(_ parameters: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>) {
        ae_sparse_pack_weight(parameters, outputWidth, inputWidth, destination)
    }

    /// The backward pass of a first layer whose input is mostly zeros: as
    /// ``backward(input:output:outputGradient:parameters:parameterGradients:inputGradient:context:)``
    /// without an input gradient, with the weight gradient `δᵀ·x` skipping the blocks of
    /// 16 inputs that are all zero in a sample: each element is the dense product's sum
    /// without its terms that are exactly zero, for about 58 % of the arithmetic on MNIST.
    package func backward(
        sparseInput input: MatrixView, output: MatrixView, outputGradient: MutableMatrixView,
        parameterGradients: UnsafeMutablePointer<Float>
    ) {
        backward(sparseInput: input, inputColumnOrder: nil, output: output, outputGradient: outputGradient,
                 parameterGradients: parameterGradients)
    }

    /// The same, with `input` holding the layer's input with its columns in the order
    /// `inputColumnOrder` (column `j` is input `inputColumnOrder[j]`, as
    /// `ae_permute_columns` writes it), so that the blocks of 16 are taken in that order:
    /// ``PixelPatches``' order for images leaves about 36 % of the arithmetic on MNIST.
    /// The gradient is the same, bit for bit, when δ is finite. The order must be a
    /// permutation of `0 ..< inputWidth` (the trainer builds it); internal, so no caller
    /// can hand the C kernel anything else.
    func backward(
        sparseInput input: MatrixView, inputColumnOrder: UnsafeBufferPointer<Int32>?, output: MatrixView,
        outputGradient: MutableMatrixView, parameterGradients: UnsafeMutablePointer<Float>
    ) {
        precondition(input.columns == inputWidth && output.columns == outputWidth && input.rows == output.rows
                     && outputGradient.rows == output.rows && outputGradient.columns == outputWidth,
                     "Dense layer shapes disagree.")
        precondition(inputColumnOrder.map { $0.count == inputWidth } ?? true, "The column order must cover the input.")
        let delta = outputDelta(outputGradient, output: output, biasGradient: parameterGradients + inputWidth * outputWidth)
        if let inputColumnOrder {
            ae_sparse_weight_gradient_permuted(delta.base, delta.rows, outputWidth, input.base, inputWidth,
                                               inputColumnOrder.baseAddress!, parameterGradients)
        } else {
            ae_sparse_weight_gradient(delta.base, delta.rows, outputWidth, input.base, inputWidth, parameterGradients)
        }
    }

    /// δ = ∂L/∂y ⊙ f'(y), in place in `outputGradient`, and the bias gradient Σ_rows δ.
    private func outputDelta(
        _ outputGradient: MutableMatrixView, output: MatrixView, biasGradient: UnsafeMutablePointer<Float>
    ) -> MatrixView {
        ElementwiseKernels.multiplyByDerivativeAndSumRows(outputGradient, output: output, activation.nonlinearity,
                                                          into: biasGradient)
        return outputGradient.view
    }

    /// The weight, bias and (when asked) input gradients of a batch (see ``Layer``).
    public func backward(
        input: MatrixView, output: MatrixView, outputGradient: MutableMatrixView,
        parameters: VectorView, parameterGradients: MutableVectorView,
        inputGradient: MutableMatrixView?, context: inout LayerContext
    ) {
        let parameters = parameters.base
        let parameterGradients = parameterGradients.base
        let delta = outputDelta(outputGradient, output: output, biasGradient: parameterGradients + inputWidth * outputWidth)
        // ∂L/∂W = δᵀ·x  ([out × batch]·[batch × in]).
        let weightGradient = MutableMatrixView(parameterGradients, rows: outputWidth, columns: inputWidth)
        context.multiplier.multiply(delta, .transposed, input, .none, into: weightGradient)
        // ∂L/∂x = δ·W.
        if let inputGradient {
            let weight = MatrixView(parameters, rows: outputWidth, columns: inputWidth)
            context.multiplier.multiply(delta, .none, weight, .none, into: inputGradient)
        }
    }
}

extension Dense {
    /// A dense layer in a model description: `{"kind": "Dense", "units": 128,
    /// "activation": "relu"}`, with Keras's field names. The input must be a vector (put a
    /// `Flatten` after images).
    public struct Specification: LayerSpecification, Equatable {
        /// `"Dense"`.
        public static let kind = "Dense"
        /// The number of outputs.
        public var units: Int
        /// The output's activation (default linear, as Keras's).
        public var activation: Activation?
        /// How the weights are drawn (default Glorot uniform, as Keras's).
        public var kernelInitializer: Initializer?
        /// How the biases are drawn (default zeros).
        public var biasInitializer: Initializer?

        /// Creates a specification.
        public init(units: Int, activation: Activation = .linear, kernelInitializer: Initializer? = nil,
                    biasInitializer: Initializer? = nil) {
            self.units = units
            self.activation = activation
            self.kernelInitializer = kernelInitializer
            self.biasInitializer = biasInitializer
        }

        private enum CodingKeys: String, CodingKey { case units, activation, kernelInitializer, biasInitializer }

        /// Reads the fields, refusing unknown ones and non-positive units.
        public init(from decoder: any Decoder) throws {
            try LayerFields.check(decoder, known: ["units", "activation", "kernelInitializer", "biasInitializer"], kind: Self.kind)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            units = try container.decode(Int.self, forKey: .units)
            activation = try container.decodeIfPresent(Activation.self, forKey: .activation) ?? .linear
            kernelInitializer = try container.decodeIfPresent(Initializer.self, forKey: .kernelInitializer)
            biasInitializer = try container.decodeIfPresent(Initializer.self, forKey: .biasInitializer)
            try LayerFields.requirePositive(units, "units")
        }

        /// `units` outputs from a vector.
        public func outputShape(for input: SampleShape) throws(LayerShapeProblem) -> SampleShape {
            guard input.dimensions.count == 1 else {
                throw LayerShapeProblem("it takes a vector but is given \(input) (put a Flatten before it)")
            }
            return .vector(units)
        }

        /// The dense layer.
        public func makeLayer(for input: SampleShape) -> any Layer {
            Dense(input.width, units, activation: activation ?? .linear,
                  weightInitializer: kernelInitializer ?? .glorotUniform, biasInitializer: biasInitializer ?? .zeros)
        }
    }
}
