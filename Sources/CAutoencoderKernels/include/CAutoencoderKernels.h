// CAutoencoderKernels: the built-in single-precision matrix multiply (SGEMM) declared
// here, the fused elementwise kernels of ae_elementwise.h, the convolution loops of
// ae_convolution.h and the convolution passes through the SGEMM of
// ae_convolution_unfolded.h (included at the end, after the SGEMM's declarations).
//
// SGEMM memory layout: every matrix is ROW-MAJOR, as in CBLAS with CblasRowMajor.
// Element (i, j) of a matrix stored with leading dimension ld is at p[i * ld + j];
// ld is the distance in floats between consecutive stored rows (ld >= stored width).
// The routine computes C <- alpha * op(A) * op(B) + beta * C where op(A) is m x k,
// op(B) is k x n and C is m x n. When trans_a is non-zero A is stored k x m and
// op(A) = A^T (no copy is made by the caller); likewise for B (stored n x k).
// When beta == 0, C's previous contents are never read (NaN in C is overwritten),
// and when alpha == 0 or k == 0, A and B are not read, exactly as BLAS does.

#ifndef C_AUTOENCODER_KERNELS_H
#define C_AUTOENCODER_KERNELS_H

#include "ae_elementwise.h"
#include "ae_convolution.h"
#include "ae_parallel.h"
#include "ae_sparse.h"
#include "ae_bytes.h"
#include "ae_cpu.h"
#include "ae_files.h"

#ifdef __cplusplus
extern "C" {
#endif

/// The micro-kernel variants of the built-in SGEMM.
typedef enum {
    /// Plain C in 4-lane vectors for the build's baseline (SSE2 / NEON), 4 x 8 tile.
    AE_SGEMM_KERNEL_PORTABLE = 0,
    /// x86-64 AVX2 + FMA3, 6 x 16 register tile.
    AE_SGEMM_KERNEL_AVX2_FMA = 1,
    /// x86-64 AVX-512F, 8 x 32 register tile (16 x 16 when n <= 16).
    AE_SGEMM_KERNEL_AVX512 = 2,
} ae_sgemm_kernel;

/// The fastest kernel that both this build and the running CPU (and OS) support.
/// Decided once (CPUID at first call, lowered by AUTOENCODER_ISA: see ae_cpu.h) and cached.
ae_sgemm_kernel ae_sgemm_best_kernel(void);

/// Non-zero when `kernel` can run on this CPU/OS in this build.
int ae_sgemm_kernel_supported(ae_sgemm_kernel kernel);

/// A short human-readable name of `kernel`, e.g. "AVX-512". Static storage.
const char *ae_sgemm_kernel_name(ae_sgemm_kernel kernel);

/// A multiple of the height (rows of C) of each of `kernel`'s register tiles.
/// Callers that split C into row blocks for threads should use multiples of it.
int ae_sgemm_kernel_tile_rows(ae_sgemm_kernel kernel);

/// The width (columns of C) of `kernel`'s general register tile. Callers that split C
/// into column blocks for threads should use multiples of it.
int ae_sgemm_kernel_tile_columns(ae_sgemm_kernel kernel);

/// Row-major C <- alpha * op(A) * op(B) + beta * C with the given kernel
/// (an unsupported kernel falls back to ae_sgemm_best_kernel()).
///
/// Single-threaded; safe to call from several threads at once on disjoint C.
/// The packing buffers are per thread, allocated on the thread's first call
/// and reused: later calls do no heap allocation.
void ae_sgemm(ae_sgemm_kernel kernel,
              int trans_a, int trans_b,
              long m, long n, long k,
              float alpha,
              const float *a, long lda,
              const float *b, long ldb,
              float beta,
              float *c, long ldc);

/// One row-major product C <- alpha * op(A) * op(B) + beta * C, with the arguments of
/// ae_sgemm (trans_a / trans_b non-zero for a transposed operand).
typedef struct {
    int trans_a, trans_b;
    long m, n, k;
    float alpha;
    const float *a;
    long lda;
    const float *b;
    long ldb;
    float beta;
    float *c;
    long ldc;
} ae_sgemm_problem;

/// Runs ae_sgemm(kernel, ...) on each of `count` problems whose C blocks do not overlap,
/// in parallel: the calling thread takes part, and persistent worker threads (started
/// on first use, never more than count - 1, reused afterwards: no allocation) run the
/// rest. Workers spin for 0.2 ms after their last problem (yielding the core to any
/// other runnable thread) before they sleep, so back-to-back batches start at once.
/// If another thread's batch occupies the workers, the problems run serially on the
/// calling thread instead. Returns when every problem is done.
void ae_sgemm_batch(ae_sgemm_kernel kernel, const ae_sgemm_problem *problems, int count);

#ifdef __cplusplus
}
#endif

#include "ae_convolution_unfolded.h"

#endif
