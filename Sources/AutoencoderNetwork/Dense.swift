import AutoencoderNumerics
import CAutoencoderKernels

/// A fully connected layer `y = f(x·Wᵀ + b)`.
///
/// `W` is stored as PyTorch's `nn.Linear` stores it, `[out, in]` row-major, followed by
/// `b` of `[out]`, so saved models load into PyTorch without transposes. (The tutorial
/// writes `xW` with `W` of `[in, out]`; the product is the same, the BLAS reads the
/// transpose through its flags, never a copy.)
public struct Dense: Layer, Equatable {
    public let inputWidth: Int
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

    public var parameterShapes: [ParameterShape] {
        [ParameterShape(name: "weight", shape: [outputWidth, inputWidth]),
         ParameterShape(name: "bias", shape: [outputWidth])]
    }

    public var summary: String { "Dense(\(inputWidth) → \(outputWidth), \(activation.rawValue))" }

    public func initialize(_ parameters: UnsafeMutableBufferPointer<Float>, using generator: inout RandomGenerator) {
        let weightCount = inputWidth * outputWidth
        weightInitializer.fill(UnsafeMutableBufferPointer(rebasing: parameters[0..<weightCount]),
                               fanIn: inputWidth, fanOut: outputWidth, using: &generator)
        biasInitializer.fill(UnsafeMutableBufferPointer(rebasing: parameters[weightCount...]),
                             fanIn: inputWidth, fanOut: outputWidth, using: &generator)
    }

    public func forward(
        _ input: MatrixView, parameters: UnsafePointer<Float>,
        into output: MutableMatrixView, context: inout LayerContext
    ) {
        let weight = MatrixView(parameters, rows: outputWidth, columns: inputWidth)
        context.multiplier.multiply(input, .none, weight, .transposed, into: output)
        ElementwiseKernels.addBiasAndActivate(output, bias: parameters + inputWidth * outputWidth,
                                              activation.nonlinearity)
    }

    /// The forward pass for a mostly-zero input (such as MNIST images, four fifths zeros),
    /// skipping the zeros: `transposedWeight` is `W` laid out `[in, out]`. Gives the same
    /// values as ``forward(_:parameters:into:context:)`` up to rounding, in a fraction of
    /// the time, so inference (`encode`, evaluation) uses it for the first layer.
    public func forward(
        sparse input: MatrixView, transposedWeight: UnsafePointer<Float>, parameters: UnsafePointer<Float>,
        into output: MutableMatrixView
    ) {
        precondition(input.columns == inputWidth && output.columns == outputWidth && input.rows == output.rows,
                     "Dense layer shapes disagree.")
        ae_sparse_input_product(input.base, input.rows, inputWidth, transposedWeight, outputWidth, output.base)
        ElementwiseKernels.addBiasAndActivate(output, bias: parameters + inputWidth * outputWidth,
                                              activation.nonlinearity)
    }

    /// `W` transposed to `[in, out]`, for ``forward(sparse:transposedWeight:parameters:into:)``.
    public func transposedWeight(_ parameters: UnsafePointer<Float>) -> [Float] {
        [Float](unsafeUninitializedCapacity: inputWidth * outputWidth) { buffer, initialized in
            ae_transpose(parameters, outputWidth, inputWidth, buffer.baseAddress!)
            initialized = inputWidth * outputWidth
        }
    }

    public func backward(
        input: MatrixView, output: MatrixView, outputGradient: MutableMatrixView,
        parameters: UnsafePointer<Float>, parameterGradients: UnsafeMutablePointer<Float>,
        inputGradient: MutableMatrixView?, context: inout LayerContext
    ) {
        // δ = ∂L/∂y ⊙ f'(y), in place.
        ElementwiseKernels.multiplyByDerivative(outputGradient.base, output: output.base,
                                                count: output.count, activation.nonlinearity)
        let delta = outputGradient.view
        // ∂L/∂W = δᵀ·x  ([out × batch]·[batch × in]).
        let weightGradient = MutableMatrixView(parameterGradients, rows: outputWidth, columns: inputWidth)
        context.multiplier.multiply(delta, .transposed, input, .none, into: weightGradient)
        // ∂L/∂b = Σ_rows δ.
        ElementwiseKernels.sumRows(delta, into: parameterGradients + inputWidth * outputWidth)
        // ∂L/∂x = δ·W.
        if let inputGradient {
            let weight = MatrixView(parameters, rows: outputWidth, columns: inputWidth)
            context.multiplier.multiply(delta, .none, weight, .none, into: inputGradient)
        }
    }
}
