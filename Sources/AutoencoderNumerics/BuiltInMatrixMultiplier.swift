import AutoencoderKernels
import CAutoencoderKernels

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Matrix multiply with the package's own single-precision GEMM, used when no BLAS
/// library can be loaded (or when `AUTOENCODER_BLAS=builtin` asks for it).
///
/// The work is done by C code in the `CAutoencoderKernels` target: a register-blocked
/// micro-kernel (16×16 or 8×32 tiles on AVX-512, 6×16 on AVX2+FMA, 4×8 in portable C)
/// inside a cache-blocked loop nest that reads `A` and row-major `B` in place and packs
/// only transposed `B`, into per-thread buffers allocated once. The instruction set is
/// chosen at run time, so the package is built for baseline x86-64 yet uses AVX-512 or
/// AVX2+FMA where the CPU has them. Large products are split by columns (or rows) of `C`
/// over the machine's cores, on persistent worker threads; small ones run on the calling
/// thread. After the first calls, a product performs no heap allocation at all.
///
/// On a Zen 4 core this reaches about 110 GFLOP/s on the shapes of a batch-256
/// autoencoder (the FMA peak is about 117), and about 215 GFLOP/s on two cores.
public struct BuiltInMatrixMultiplier: MatrixMultiplier {
    /// The instruction-set variants of the micro-kernel.
    public enum Kernel: Sendable, Equatable, CaseIterable, CustomStringConvertible {
        /// Plain C in 4-lane vectors for the build's baseline (SSE2 on x86-64, NEON on arm64).
        case portable
        /// x86-64 AVX2 with fused multiply-add (Haswell and Zen or later).
        case avx2FMA
        /// x86-64 AVX-512F (Skylake-SP, Ice Lake, Zen 4 or later).
        case avx512

        /// The name used in ``BuiltInMatrixMultiplier/name``: `"AVX-512"`, `"AVX2+FMA"` or `"portable"`.
        public var description: String {
            String(cString: ae_sgemm_kernel_name(cValue))
        }

        /// Whether this kernel was compiled into this build and the running CPU and
        /// operating system support it (within ``InstructionSet/active``: `AUTOENCODER_ISA`
        /// can rule out the faster ones).
        public var isSupported: Bool { ae_sgemm_kernel_supported(cValue) != 0 }

        /// The fastest supported kernel, decided once by CPUID (and `AUTOENCODER_ISA`).
        public static var best: Kernel { Kernel(ae_sgemm_best_kernel()) }

        /// The C kernels' name of this kernel, for the layers that call them directly.
        package var cValue: ae_sgemm_kernel {
            switch self {
            case .portable: return AE_SGEMM_KERNEL_PORTABLE
            case .avx2FMA: return AE_SGEMM_KERNEL_AVX2_FMA
            case .avx512: return AE_SGEMM_KERNEL_AVX512
            }
        }

        init(_ value: ae_sgemm_kernel) {
            switch value {
            case AE_SGEMM_KERNEL_AVX512: self = .avx512
            case AE_SGEMM_KERNEL_AVX2_FMA: self = .avx2FMA
            default: self = .portable
            }
        }
    }

    /// Products with fewer floating-point operations (`2·m·n·k`) than this run on the
    /// calling thread only.
    ///
    /// A worker that is still spinning after the previous product (as in a training loop)
    /// joins within a microsecond, and two threads then win from about half a million
    /// flops; one that has gone to sleep takes tens of microseconds to wake on a virtual
    /// machine, which only pays for products of several million flops. Four million
    /// (a 128×128×128 product, about 35 µs on one core) sits between the two.
    public static let parallelThreshold = 4_000_000

    /// The micro-kernel this multiplier calls.
    public let kernel: Kernel

    /// The most threads one product is split over (1 = always the calling thread only).
    public let maximumThreads: Int

    /// A short name such as `"built-in (AVX-512)"`, naming the dispatched kernel.
    public var name: String { "built-in (\(kernel))" }

    /// Creates a multiplier using the fastest kernel the CPU supports and up to
    /// `maximumThreads` threads (by default, every core the process may use).
    public init(maximumThreads: Int = BuiltInMatrixMultiplier.coreCount) {
        self.kernel = .best
        self.maximumThreads = max(1, maximumThreads)
    }

    /// Creates a multiplier that uses a particular kernel, for testing and measuring,
    /// or returns `nil` when the CPU or this build cannot run it.
    public init?(kernel: Kernel, maximumThreads: Int = BuiltInMatrixMultiplier.coreCount) {
        guard kernel.isSupported else { return nil }
        self.kernel = kernel
        self.maximumThreads = max(1, maximumThreads)
    }

    /// The number of processors the process may use (at least 1): its CPU affinity
    /// (`taskset`, a container's CPU set), else the processors online.
    public static let coreCount = Int(ae_usable_cores())

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

    /// Computes `C ← α·op(A)·op(B) + β·C` (row-major, CBLAS conventions).
    ///
    /// As in BLAS, `beta == 0` overwrites `C` without reading it (NaNs in `C` do not
    /// propagate), and `alpha == 0` or `k == 0` only scales `C` by `beta`.
    package func multiply(
        _ transposeA: Transpose, _ transposeB: Transpose,
        m: Int, n: Int, k: Int,
        alpha: Float,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "Matrix dimensions cannot be negative.")
        precondition(lda >= max(1, transposeA == .none ? k : m), "lda is smaller than a stored row of A.")
        precondition(ldb >= max(1, transposeB == .none ? n : k), "ldb is smaller than a stored row of B.")
        precondition(ldc >= max(1, n), "ldc is smaller than a row of C.")
        if m == 0 || n == 0 { return }

        let transA: Int32 = transposeA == .none ? 0 : 1
        let transB: Int32 = transposeB == .none ? 0 : 1
        let cKernel = kernel.cValue

        // Decide how many threads and along which dimension of C to split.
        let flops = 2.0 * Double(m) * Double(n) * Double(k)
        let tileColumns = Int(ae_sgemm_kernel_tile_columns(cKernel))
        let tileRows = Int(ae_sgemm_kernel_tile_rows(cKernel))
        let wanted = flops >= Double(Self.parallelThreshold) ? maximumThreads : 1
        // Columns are the better split: each thread then packs only its own part of B
        // (A is read in place). Rows are used when C is too narrow to split by columns.
        let columnChunks = n / tileColumns, rowChunks = m / tileRows
        let splitColumns = columnChunks >= 2 || columnChunks >= rowChunks
        let threads = min(wanted, max(1, splitColumns ? columnChunks : rowChunks))

        if threads == 1 {
            ae_sgemm(cKernel, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            return
        }

        // Chunk boundaries are multiples of the register tile, so only the last chunk has
        // edges; whole tiles are dealt out as evenly as possible. The sub-products go to
        // ae_sgemm_batch, which runs them on persistent worker threads (the calling
        // thread takes one): unlike DispatchQueue.concurrentPerform, which allocates a
        // few blocks per call and wakes its threads anew each time, this allocates nothing
        // once the workers exist, and finds them spinning between back-to-back products.
        let unit = splitColumns ? tileColumns : tileRows
        let extent = splitColumns ? n : m
        let tiles = (extent + unit - 1) / unit
        withUnsafeTemporaryAllocation(of: ae_sgemm_problem.self, capacity: threads) { problems in
            var count = 0
            for index in 0..<threads {
                let start = min(extent, index * tiles / threads * unit)
                let end = min(extent, (index + 1) * tiles / threads * unit)
                guard end > start else { continue }
                var problem = ae_sgemm_problem(
                    trans_a: transA, trans_b: transB, m: m, n: n, k: k, alpha: alpha,
                    a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
                if splitColumns {
                    // Columns start..<end of C and of op(B).
                    problem.n = end - start
                    problem.b = transB == 0 ? b + start : b + start * ldb
                    problem.c = c + start
                } else {
                    // Rows start..<end of C and of op(A).
                    problem.m = end - start
                    problem.a = transA == 0 ? a + start * lda : a + start
                    problem.c = c + start * ldc
                }
                (problems.baseAddress! + count).initialize(to: problem)
                count += 1
            }
            ae_sgemm_batch(cKernel, problems.baseAddress!, Int32(count))
        }
    }
}
