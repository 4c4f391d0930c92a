#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Chooses the matrix-multiply backend used by default.
///
/// The choice is made once per process: a CBLAS library if one loads, else the
/// built-in kernel. The environment variable `AUTOENCODER_BLAS` overrides it:
/// `builtin` forces the built-in kernel, any other value names the shared
/// library to load (for example `libblis.so.4`).
public enum MatrixMultiplication {
    /// The process-wide default backend.
    public static let preferred: any MatrixMultiplier = {
        if let requested = getenv("AUTOENCODER_BLAS").map({ String(cString: $0) }), !requested.isEmpty {
            if requested == "builtin" || requested == "none" { return BuiltInMatrixMultiplier() }
            if let blas = CBLASMatrixMultiplier(library: requested) { return blas }
        }
        return CBLASMatrixMultiplier.load() ?? BuiltInMatrixMultiplier()
    }()
}
