// Portable SGEMM micro-kernel in plain C: what runs when the CPU has neither AVX-512
// nor AVX2+FMA, and on other architectures (arm64), in 4-lane vectors that the compiler
// lowers to the baseline ISA (SSE2 on x86-64, NEON on arm64).
//
// Memory layout (see sgemm_internal.h): A in panel form a(i, p) = a[p * a_step + i]
// or direct (row-major) a(i, p) = a[i * a_step + p], MR = 4 rows; B micro-panel
// b(p, j) = b[p * b_step + j], NR = 8 columns read in full (partial_b = 0: the driver
// packs and zero-pads partial panels); C row-major with leading dimension ldc.

#include "sgemm_internal.h"

#include <string.h>

#define PMR 4
#define PNR 8

// Two 4-lane vectors per row of the tile: clang's vector extension, lowered to SSE2 or
// NEON. Written out rather than left to the auto-vectoriser, which at the -O2 SwiftPM
// uses for C kept the 4 x 8 accumulators in memory (11.8 GFLOP/s on one Zen 4 core, 35
// at -O3 or with these vectors).
typedef float v4 __attribute__((ext_vector_type(4)));

static inline v4 load4(const float *p) { v4 v; memcpy(&v, p, sizeof v); return v; }

static inline void ae_portable_store(v4 acc[PMR][2], float *restrict c, long ldc,
                                     float alpha, float beta, long mr, long nr) {
    for (long i = 0; i < mr; i++) {
        float row[PNR];
        memcpy(row, &acc[i][0], sizeof(v4));
        memcpy(row + 4, &acc[i][1], sizeof(v4));
        float *cr = c + i * ldc;
        if (beta == 0.0f) {
            for (long j = 0; j < nr; j++) cr[j] = alpha * row[j];
        } else {
            for (long j = 0; j < nr; j++) cr[j] = alpha * row[j] + beta * cr[j];
        }
    }
}

// a(i, p) = a_row[i][p * a_col_step]: the panel form has rows 1 apart and columns a_step
// apart, the direct form rows a_step apart and columns 1 apart.
static inline void ae_portable_tile(long kc, const float *const a_row[PMR], long a_col_step,
                                    const float *restrict b, long b_step,
                                    float *restrict c, long ldc, float alpha, float beta, long mr, long nr) {
    v4 acc[PMR][2];
    for (int i = 0; i < PMR; i++) acc[i][0] = acc[i][1] = (v4)0.0f;
    for (long p = 0; p < kc; p++) {
        const v4 b0 = load4(b), b1 = load4(b + 4);
        for (int i = 0; i < PMR; i++) {
            const v4 ai = (v4)a_row[i][p * a_col_step];
            acc[i][0] += ai * b0;
            acc[i][1] += ai * b1;
        }
        b += b_step;
    }
    ae_portable_store(acc, c, ldc, alpha, beta, mr, nr);
}

static void ae_kernel_portable_4x8(long kc, const float *restrict a, long a_step,
                                   const float *restrict b, long b_step,
                                   float *restrict c, long ldc,
                                   float alpha, float beta, long mr, long nr) {
    const float *const rows[PMR] = {a, a + 1, a + 2, a + 3};
    ae_portable_tile(kc, rows, a_step, b, b_step, c, ldc, alpha, beta, mr, nr);
}

static void ae_kernel_portable_direct_4x8(long kc, const float *restrict a, long a_step,
                                          const float *restrict b, long b_step,
                                          float *restrict c, long ldc,
                                          float alpha, float beta, long mr, long nr) {
    const float *rows[PMR];
    for (int i = 0; i < PMR; i++) rows[i] = a + (i < mr ? i : mr - 1) * a_step;
    ae_portable_tile(kc, rows, 1, b, b_step, c, ldc, alpha, beta, mr, nr);
}

const ae_kernel_desc ae_kernel_desc_portable = {
    .wide = {PMR, PNR, 0, ae_kernel_portable_4x8, ae_kernel_portable_direct_4x8},
    .narrow = {0, 0, 0, 0, 0},
    .pack_b_transposed = 0,
    .pack_b_rows = 0,
    .pack_b = 1,
};
