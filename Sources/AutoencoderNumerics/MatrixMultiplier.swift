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
/// `op(A)` is `m × k`, `op(B)` is `k × n` and `C` is `m × n`. The leading
/// dimensions (`lda`, `ldb`, `ldc`) are the distances in elements between
/// consecutive rows of the matrices *as stored*. Two implementations exist:
/// ``CBLASMatrixMultiplier`` (a system BLAS loaded at run time) and
/// ``BuiltInMatrixMultiplier`` (portable code in this package).
public protocol MatrixMultiplier: Sendable {
    /// A short human-readable name of the backend, such as `"OpenBLAS (libopenblas.so.0)"`.
    var name: String { get }

    /// Computes `C ← α·op(A)·op(B) + β·C` in place in `c`.
    func multiply(
        _ transposeA: Transpose, _ transposeB: Transpose,
        m: Int, n: Int, k: Int,
        alpha: Float,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int
    )
}
