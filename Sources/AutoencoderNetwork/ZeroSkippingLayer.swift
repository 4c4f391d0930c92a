import AutoencoderKernels
import AutoencoderNumerics

/// A layer whose passes can skip the zeros of a mostly-zero input (MNIST images are four
/// fifths zeros), used by the trainer and ``Network`` for a network's first layer. The
/// results agree with the dense passes up to rounding. ``Dense`` is the one such layer.
protocol ZeroSkippingLayer: Layer {
    /// Writes the weight transposed to `[in, out]` into `destination` (`inputWidth × outputWidth` floats).
    func transposeWeight(_ parameters: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>)

    /// The forward pass over the non-zero inputs, with the weight transposed by ``transposeWeight(_:into:)``.
    func forward(sparse input: MatrixView, transposedWeight: UnsafePointer<Float>, parameters: UnsafePointer<Float>,
                 into output: MutableMatrixView)

    /// The parameter gradients without an input gradient, skipping blocks of zeros, the
    /// input's columns optionally in `inputColumnOrder` (see ``PixelPatches``).
    func backward(sparseInput input: MatrixView, inputColumnOrder: UnsafeBufferPointer<Int32>?, output: MatrixView,
                  outputGradient: MutableMatrixView, parameterGradients: UnsafeMutablePointer<Float>)
}
