import AutoencoderKernels

/// Whether a matrix operand of a product is used as stored or transposed.
public enum Transpose: Sendable, Equatable {
    /// The operand is used as stored.
    case none
    /// The operand's transpose is used; no copy is made.
    case transposed
}

/// Something that computes the general matrix product `C ← α·op(A)·op(B) + β·C`
/// on row-major single-precision matrices, as CBLAS's `sgemm` does.
///
/// Users pick a backend (``MatrixMultiplication/preferred``, ``BuiltInMatrixMultiplier``,
/// ``CBLASMatrixMultiplier``) and pass it on; the products themselves are taken on
/// ``Matrix`` values (``product(_:_:)``) or, in layers and kernels, on the borrowed views
/// of the low-level `AutoencoderKernels` module. Writing a backend means importing that module.
public protocol MatrixMultiplier: Sendable {
    /// A short human-readable name of the backend, such as `"OpenBLAS (libopenblas.so.0)"`.
    var name: String { get }

    /// Computes `c ← α·op(a)·op(b) + β·c` in place in `c`, where `op(a)` is `m × k`,
    /// `op(b)` is `k × n` and `c` is `m × n`. Callers check the shapes first (the
    /// `multiply(_:_:_:_:into:alpha:beta:)` extension does); each view's rows are contiguous.
    /// As in BLAS, `beta == 0` overwrites `c` without reading it.
    func multiply(
        _ transposeA: Transpose, _ transposeB: Transpose,
        alpha: Float, a: MatrixView, b: MatrixView,
        beta: Float, c: MutableMatrixView
    )
}
