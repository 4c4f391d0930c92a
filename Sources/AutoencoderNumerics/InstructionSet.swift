import CAutoencoderKernels

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The vector instruction sets every kernel of the package is compiled for; one is chosen
/// per process, at run time, so a build for baseline x86-64 still runs AVX-512 code.
///
/// The environment variable `AUTOENCODER_ISA` (`avx2` or `baseline`) makes the package
/// use a lower one than the CPU runs: the built-in matrix products, the elementwise passes
/// and the first layer's zero-skipping products then run the code an older CPU would, so
/// that one machine can test and time those paths end to end. With `baseline`, the default
/// matrix multiply becomes a CBLAS library when one is installed, as on such a CPU, and
/// that library runs its own code for the real CPU; `AUTOENCODER_BLAS=builtin` keeps the
/// built-in (portable) kernel.
public enum InstructionSet: Int, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// The build's baseline: SSE2 on x86-64, NEON on arm64.
    case baseline = 0
    /// x86-64 AVX2 with fused multiply-add (Haswell, Zen and later).
    case avx2FMA = 1
    /// x86-64 AVX-512F (Skylake-SP, Ice Lake, Zen 4 and later).
    case avx512 = 2

    /// The name `AUTOENCODER_ISA` takes for it: `avx512`, `avx2` or `baseline`.
    public var environmentName: String {
        switch self {
        case .baseline: "baseline"
        case .avx2FMA: "avx2"
        case .avx512: "avx512"
        }
    }

    /// A readable name: `"AVX-512"`, `"AVX2+FMA"` or `"baseline"`.
    public var description: String {
        switch self {
        case .baseline: "baseline"
        case .avx2FMA: "AVX2+FMA"
        case .avx512: "AVX-512"
        }
    }

    /// The instruction set named `name` as `AUTOENCODER_ISA` spells it (`avx2`, in any case
    /// of letters), or `nil`.
    public init?(environmentName name: String) {
        let value = ae_isa_named(name)
        guard value >= 0 else { return nil }
        self.init(rawValue: Int(value))
    }

    /// The best one this CPU and operating system run.
    public static var cpuBest: InstructionSet { InstructionSet(rawValue: Int(ae_cpu_isa().rawValue)) ?? .baseline }

    /// The one the kernels use in this process: ``cpuBest``, or lower when
    /// `AUTOENCODER_ISA` asks for it. Decided on first use.
    public static var active: InstructionSet { InstructionSet(rawValue: Int(ae_active_isa().rawValue)) ?? .baseline }

    /// The problem with `AUTOENCODER_ISA`'s value, in one sentence, or `nil` when it is
    /// unset or names an instruction set (one above the CPU's best only leaves the
    /// choice to the CPU). Tools call it before any kernel runs.
    public static func environmentProblem(_ value: String? = getenv("AUTOENCODER_ISA").map { String(cString: $0) })
        -> String? {
        guard let value, !value.isEmpty, InstructionSet(environmentName: value) == nil else { return nil }
        return "AUTOENCODER_ISA must be avx512, avx2 or baseline, not '\(value)'."
    }

    /// Whether `lhs` is a smaller instruction set than `rhs` (baseline < AVX2 < AVX-512).
    public static func < (lhs: InstructionSet, rhs: InstructionSet) -> Bool { lhs.rawValue < rhs.rawValue }
}
