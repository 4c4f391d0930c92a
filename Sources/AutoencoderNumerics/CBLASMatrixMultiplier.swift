#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import AutoencoderKernels

/// Matrix multiply through a CBLAS library's `cblas_sgemm`, found at run time
/// with `dlopen`, so that the package builds and runs on machines without a BLAS.
///
/// The libraries tried, in order, are listed in ``CBLASMatrixMultiplier/candidateLibraries``:
/// OpenBLAS first (Debian's `libopenblas0-pthread`), then other CBLAS libraries by name,
/// then Accelerate on macOS.
public final class CBLASMatrixMultiplier: MatrixMultiplier, @unchecked Sendable {
    // The C signature of cblas_sgemm (CBLAS_ORDER, CBLAS_TRANSPOSE are C enums = Int32).
    private typealias SGEMM = @convention(c) (
        Int32, Int32, Int32, Int32, Int32, Int32, Float,
        UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32, Float,
        UnsafeMutablePointer<Float>?, Int32
    ) -> Void

    private let sgemm: SGEMM
    private let handle: UnsafeMutableRawPointer

    /// The library file this multiplier was loaded from.
    public let libraryPath: String

    /// A short name such as `"CBLAS (libopenblas.so.0)"`.
    public var name: String { "CBLAS (\(libraryPath))" }

    /// The shared libraries tried by ``load()``, in order.
    public static let candidateLibraries: [String] = {
        #if canImport(Darwin)
        return ["/System/Library/Frameworks/Accelerate.framework/Accelerate", "libopenblas.dylib"]
        #else
        return [
            "libopenblas.so.0", "libopenblas.so",
            "libblis.so.4", "libblis.so",
            "libmkl_rt.so.2", "libmkl_rt.so",
            "libcblas.so.3", "libblas.so.3",
        ]
        #endif
    }()

    /// Loads `cblas_sgemm` from the given shared library.
    ///
    /// Returns `nil` when the library cannot be opened or has no `cblas_sgemm`.
    public init?(library: String) {
        guard let handle = dlopen(library, RTLD_NOW | RTLD_LOCAL) else { return nil }
        guard let symbol = dlsym(handle, "cblas_sgemm") else {
            dlclose(handle)
            return nil
        }
        self.handle = handle
        self.sgemm = unsafeBitCast(symbol, to: SGEMM.self)
        self.libraryPath = library
    }

    /// Loads the first of ``candidateLibraries`` that provides `cblas_sgemm`, or returns `nil`.
    public static func load() -> CBLASMatrixMultiplier? {
        for library in candidateLibraries {
            if let multiplier = CBLASMatrixMultiplier(library: library) { return multiplier }
        }
        return nil
    }

    /// Computes `c ← α·op(a)·op(b) + β·c` on whole views (see ``MatrixMultiplier``).
    public func multiply(
        _ transposeA: Transpose, _ transposeB: Transpose,
        alpha: Float, a: MatrixView, b: MatrixView,
        beta: Float, c: MutableMatrixView
    ) {
        multiply(transposeA, transposeB, m: c.rows, n: c.columns, k: transposeA == .none ? a.columns : a.rows,
                 alpha: alpha, a: a.base, lda: max(a.columns, 1), b: b.base, ldb: max(b.columns, 1),
                 beta: beta, c: c.base, ldc: max(c.columns, 1))
    }

    /// `C ← alpha·op(A)·op(B) + beta·C` through the loaded library's `cblas_sgemm` (row-major).
    package func multiply(
        _ transposeA: Transpose, _ transposeB: Transpose,
        m: Int, n: Int, k: Int,
        alpha: Float,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if m == 0 || n == 0 { return }
        let rowMajor: Int32 = 101, noTrans: Int32 = 111, trans: Int32 = 112
        sgemm(
            rowMajor,
            transposeA == .none ? noTrans : trans,
            transposeB == .none ? noTrans : trans,
            Int32(m), Int32(n), Int32(k), alpha,
            a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
