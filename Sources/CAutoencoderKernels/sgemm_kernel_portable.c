// Portable SGEMM micro-kernel in plain C: what runs when the CPU has neither AVX-512
// nor AVX2+FMA, and on other architectures (arm64). The compiler vectorises the
// fixed-size inner loops for the baseline ISA (SSE2 on x86-64, NEON on arm64).
//
// Memory layout (see sgemm_internal.h): A in panel form a(i, p) = a[p * a_step + i]
// or direct (row-major) a(i, p) = a[i * a_step + p], MR = 4 rows; B micro-panel
// b(p, j) = b[p * b_step + j], NR = 8 columns read in full (partial_b = 0: the driver
// packs and zero-pads partial panels); C row-major with leading dimension ldc.

#include "sgemm_internal.h"

#define PMR 4
#define PNR 8

static inline void ae_portable_store(float acc[PMR][PNR], float *restrict c, long ldc,
                                     float alpha, float beta, long mr, long nr) {
    for (long i = 0; i < mr; i++) {
        float *cr = c + i * ldc;
        if (beta == 0.0f) {
            for (long j = 0; j < nr; j++) cr[j] = alpha * acc[i][j];
        } else {
            for (long j = 0; j < nr; j++) cr[j] = alpha * acc[i][j] + beta * cr[j];
        }
    }
}

static void ae_kernel_portable_4x8(long kc, const float *restrict a, long a_step,
                                   const float *restrict b, long b_step,
                                   float *restrict c, long ldc,
                                   float alpha, float beta, long mr, long nr) {
    float acc[PMR][PNR] = {{0}};
    for (long p = 0; p < kc; p++) {
        for (int i = 0; i < PMR; i++) {
            const float ai = a[i];
            for (int j = 0; j < PNR; j++) acc[i][j] += ai * b[j];
        }
        a += a_step;
        b += b_step;
    }
    ae_portable_store(acc, c, ldc, alpha, beta, mr, nr);
}

static void ae_kernel_portable_direct_4x8(long kc, const float *restrict a, long a_step,
                                          const float *restrict b, long b_step,
                                          float *restrict c, long ldc,
                                          float alpha, float beta, long mr, long nr) {
    const float *arow[PMR];
    for (int i = 0; i < PMR; i++) arow[i] = a + (i < mr ? i : mr - 1) * a_step;
    float acc[PMR][PNR] = {{0}};
    for (long p = 0; p < kc; p++) {
        for (int i = 0; i < PMR; i++) {
            const float ai = arow[i][p];
            for (int j = 0; j < PNR; j++) acc[i][j] += ai * b[j];
        }
        b += b_step;
    }
    ae_portable_store(acc, c, ldc, alpha, beta, mr, nr);
}

const ae_kernel_desc ae_kernel_desc_portable = {
    .wide = {PMR, PNR, 0, ae_kernel_portable_4x8, ae_kernel_portable_direct_4x8},
    .narrow = {0, 0, 0, 0, 0},
    .pack_b_transposed = 0,
    .pack_b = 1,
};
