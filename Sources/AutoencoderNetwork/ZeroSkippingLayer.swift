import AutoencoderKernels
import AutoencoderNumerics

/// A layer whose passes can skip the zeros of a mostly-zero input (MNIST images are four
/// fifths zeros), used by the trainer and ``Network`` for a network's first layer. The
/// results agree with the dense passes up to rounding. ``Dense`` is the one such layer.
protocol ZeroSkippingLayer: Layer {
    /// How many floats ``packWeight(_:into:)`` writes.
    var packedWeightCount: Int { get }

    /// Writes the weight laid out for the zero-skipping forward pass into `destination`
    /// (``packedWeightCount`` floats).
    func packWeight(_ parameters: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>)

    /// The forward pass over the non-zero inputs, with the weight packed by ``packWeight(_:into:)``.
    func forward(sparse input: MatrixView, packedWeight: UnsafePointer<Float>, parameters: UnsafePointer<Float>,
                 into output: MutableMatrixView)

    /// The parameter gradients without an input gradient, skipping blocks of zeros, the
    /// input's columns optionally in `inputColumnOrder` (see ``PixelPatches``).
    func backward(sparseInput input: MatrixView, inputColumnOrder: UnsafeBufferPointer<Int32>?, output: MatrixView,
                  outputGradient: MutableMatrixView, parameterGradients: UnsafeMutablePointer<Float>)
}
