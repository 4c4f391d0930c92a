#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Chooses the matrix-multiply backend used by default.
///
/// The choice is made once per process, for speed:
/// 1. the built-in kernel when the CPU runs its AVX-512 or AVX2+FMA micro-kernel: on the
///    tutorial's models it trains 17–22 % faster than OpenBLAS 0.3.21 with two threads, and
///    shares one allocation-free worker pool with the elementwise passes;
/// 2. otherwise a CBLAS library, if one loads (OpenBLAS first; see
///    ``CBLASMatrixMultiplier/candidateLibraries``);
/// 3. otherwise the built-in kernel's portable version.
///
/// The environment variable `AUTOENCODER_BLAS` overrides the choice: `builtin` forces the
/// built-in kernel, `cblas` the first CBLAS library found, and any other value names the
/// shared library to load (for example `libblis.so.4`). A request that cannot be met
/// falls back to the built-in kernel here; the command-line tools refuse it instead (see
/// ``environmentProblem(_:)``).
public enum MatrixMultiplication {
    /// The process-wide default backend.
    public static let preferred: any MatrixMultiplier = choose(
        requested: getenv("AUTOENCODER_BLAS").map { String(cString: $0) })

    /// The backend the rules above pick for a given `AUTOENCODER_BLAS` value.
    public static func choose(requested: String?) -> any MatrixMultiplier {
        switch Request(requested) {
        case .builtIn:
            return BuiltInMatrixMultiplier()
        case .anyCBLAS:
            return CBLASMatrixMultiplier.load() ?? BuiltInMatrixMultiplier()
        case let .library(library):
            return CBLASMatrixMultiplier(library: library) ?? BuiltInMatrixMultiplier()
        case .automatic:
            let builtIn = BuiltInMatrixMultiplier()
            if builtIn.kernel != .portable { return builtIn }
            return CBLASMatrixMultiplier.load() ?? builtIn
        }
    }

    /// Why the `AUTOENCODER_BLAS` value cannot be honoured, in one sentence, or `nil` when
    /// it is unset, asks for the built-in kernel, or names a library that provides
    /// `cblas_sgemm`. Tools call it before any work, so that a misspelt library name is an
    /// error rather than a silent fallback.
    public static func environmentProblem(
        _ value: String? = getenv("AUTOENCODER_BLAS").map { String(cString: $0) }
    ) -> String? {
        switch Request(value) {
        case .automatic, .builtIn:
            return nil
        case .anyCBLAS:
            guard CBLASMatrixMultiplier.load() == nil else { return nil }
            return "AUTOENCODER_BLAS=\(value!) asks for a CBLAS library, but none of "
                + CBLASMatrixMultiplier.candidateLibraries.joined(separator: ", ") + " loads and provides cblas_sgemm."
        case let .library(library):
            guard CBLASMatrixMultiplier(library: library) == nil else { return nil }
            return "AUTOENCODER_BLAS names \(library), which could not be loaded or has no cblas_sgemm."
        }
    }

    /// What an `AUTOENCODER_BLAS` value asks for: its keywords are read whatever their case
    /// (`BUILTIN`), a library's name or path as written.
    private enum Request {
        case automatic, builtIn, anyCBLAS
        case library(String)

        init(_ value: String?) {
            switch value?.lowercased() {
            case nil, "": self = .automatic
            case "builtin", "none": self = .builtIn
            case "cblas", "blas": self = .anyCBLAS
            default: self = .library(value!)
            }
        }
    }
}
