import CAutoencoderKernels

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How many threads the kernels may use, process-wide: the `--threads` option of the tools.
///
/// The built-in matrix products, the elementwise passes, the first layer's zero-skipping
/// products and the convolutions all run on one shared worker pool; ``setLimit(_:)`` caps
/// the threads that pool runs a parallel section on (the calling thread included). The
/// work is still split into the same parts, so results are the same bit for bit whatever
/// the limit. A CBLAS library is told too: OpenBLAS through `openblas_set_num_threads`
/// when it is already loaded, and through `OPENBLAS_NUM_THREADS` (read when it loads) otherwise.
///
/// A limit above the usable cores (``BuiltInMatrixMultiplier/coreCount``) changes nothing:
/// the kernels never split work into more parts than there are cores.
public enum KernelThreads {
    /// The limit set by ``setLimit(_:)``, or `nil` when the kernels use every usable core.
    public static var limit: Int? {
        let value = Int(ae_parallel_thread_limit())
        return value > 0 ? value : nil
    }

    /// The threads a parallel section runs on: the limit, at most the usable cores.
    public static var effective: Int {
        min(limit ?? BuiltInMatrixMultiplier.coreCount, BuiltInMatrixMultiplier.coreCount)
    }

    /// Caps the kernels' threads at `threads` (at least 1), or removes the cap (`nil`: every
    /// usable core, and a CBLAS library told so when an earlier call had capped it). Meant
    /// to be called once, before the first product; calling it again is safe.
    public static func setLimit(_ threads: Int?) {
        precondition(threads.map { $0 >= 1 } ?? true, "The thread limit must be at least 1.")
        let wasCapped = limit != nil
        ae_parallel_set_thread_limit(Int32(clamping: threads ?? 0))
        guard threads != nil || wasCapped else { return }
        let count = min(threads ?? BuiltInMatrixMultiplier.coreCount, BuiltInMatrixMultiplier.coreCount)
        setenv("OPENBLAS_NUM_THREADS", String(count), 1)
        #if !canImport(Darwin)
        // An OpenBLAS the process has loaded already reads the variable no more.
        typealias SetThreads = @convention(c) (Int32) -> Void
        for library in CBLASMatrixMultiplier.candidateLibraries where library.contains("openblas") {
            guard let handle = dlopen(library, RTLD_NOW | RTLD_NOLOAD) else { continue }
            defer { dlclose(handle) }
            if let symbol = dlsym(handle, "openblas_set_num_threads") {
                unsafeBitCast(symbol, to: SetThreads.self)(Int32(clamping: count))
            }
        }
        #endif
    }
}
