// Which vector instruction set the kernels use: the best this CPU runs, or a lower one
// named by the environment variable AUTOENCODER_ISA, so that one machine can run (and
// time) the code paths older CPUs take.

#ifndef AE_CPU_H
#define AE_CPU_H

#ifdef __cplusplus
extern "C" {
#endif

/// The instruction sets every kernel is compiled for, in increasing order.
typedef enum {
    /// The build's baseline (SSE2 on x86-64, NEON on arm64).
    AE_ISA_BASELINE = 0,
    /// x86-64 AVX2 with fused multiply-add (Haswell, Zen and later).
    AE_ISA_AVX2_FMA = 1,
    /// x86-64 AVX-512F (Skylake-SP, Ice Lake, Zen 4 and later).
    AE_ISA_AVX512 = 2,
} ae_isa;

/// The best instruction set this CPU and operating system run, whatever AUTOENCODER_ISA says.
ae_isa ae_cpu_isa(void);

/// The instruction set the kernels use in this process: ae_cpu_isa(), or less when
/// AUTOENCODER_ISA names a lower one (`avx2`, `baseline`). A name the CPU cannot run
/// (`avx512` on an AVX2 CPU) or does not know changes nothing; the command-line tools
/// reject unknown names before any kernel runs. Decided at the first call.
ae_isa ae_active_isa(void);

/// The instruction set named `name` (`avx512`, `avx2` or `baseline`, as AUTOENCODER_ISA
/// takes them, in any case of letters), or -1 for any other string.
int ae_isa_named(const char *name);

/// The number of processors this process may run on (at least 1): its CPU affinity, so
/// `taskset -c 0,1` or a container's CPU set limits the threads the kernels use, else the
/// processors online.
int ae_usable_cores(void);

#ifdef __cplusplus
}
#endif

#endif
