// x86-64 SGEMM micro-kernels (AVX-512F and AVX2+FMA) and B packers.
// They are compiled for those ISAs with per-function target attributes, so that the
// package itself stays at baseline x86-64; sgemm.c calls them only after CPUID says
// the CPU (and OS) supports them.
//
// Memory layout (see sgemm_internal.h): A in panel form a(i, p) = a[p * a_step + i]
// or direct (row-major) a(i, p) = a[i * a_step + p]; B micro-panel
// b(p, j) = b[p * b_step + j]; C row-major with leading dimension ldc. A register tile
// holds MR rows x NR consecutive columns of C, one vector per 16 (zmm) or 8 (ymm) columns.

#include "sgemm_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define AE_AVX512_TARGET __attribute__((target("avx512f")))
#define AE_AVX2_TARGET __attribute__((target("avx2,fma")))

// ---- AVX-512: 8 x 32 (16 zmm accumulators) for general shapes -------------------------

#define AE_KMR 8
#define AE_KNV 2
#define AE_KNAME ae_kernel_avx512_8x32
#define AE_KDIRECT 0
#include "sgemm_kernel_avx512_template.h"

#define AE_KMR 8
#define AE_KNV 2
#define AE_KNAME ae_kernel_avx512_direct_8x32
#define AE_KDIRECT 1
#include "sgemm_kernel_avx512_template.h"

// ---- AVX-512: 16 x 16 for narrow products (n <= 16), where a 32-wide tile would waste
// half of its multiply-adds -----------------------------------------------------------

#define AE_KMR 16
#define AE_KNV 1
#define AE_KNAME ae_kernel_avx512_16x16
#define AE_KDIRECT 0
#include "sgemm_kernel_avx512_template.h"

#define AE_KMR 16
#define AE_KNV 1
#define AE_KNAME ae_kernel_avx512_direct_16x16
#define AE_KDIRECT 1
#include "sgemm_kernel_avx512_template.h"

// ---- AVX2 + FMA: 6 x 16 (12 ymm accumulators) -----------------------------------------

#define AE_KMR 6
#define AE_KNV 2
#define AE_KNAME ae_kernel_avx2_6x16
#define AE_KDIRECT 0
#include "sgemm_kernel_avx2_template.h"

#define AE_KMR 6
#define AE_KNV 2
#define AE_KNAME ae_kernel_avx2_direct_6x16
#define AE_KDIRECT 1
#include "sgemm_kernel_avx2_template.h"

// ---- AVX-512 packing of op(B) = B^T ---------------------------------------------------
// Source: B stored n x k row-major (op(B)(p, j) = b[j * ldb + p]); destination: panels
// of kc x nr_tile, element (p, j) at panel[p * nr_tile + j]. Works on 16 x 16 blocks:
// 16 source rows (16 columns j of op(B)) by 16 consecutive p, transposed in registers.

AE_AVX512_TARGET
static inline void ae_transpose16x16(__m512 r[16]) {
    __m512 t[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        r[i] = _mm512_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        r[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        r[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        r[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    // r[4g + c], 128-bit lane L = rows 4g..4g+3 of column 4L + c: transpose the lanes.
    for (int c = 0; c < 4; c++) {
        __m512 y0 = _mm512_shuffle_f32x4(r[c], r[4 + c], 0x44);
        __m512 y1 = _mm512_shuffle_f32x4(r[c], r[4 + c], 0xEE);
        __m512 y2 = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0x44);
        __m512 y3 = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0xEE);
        t[c] = _mm512_shuffle_f32x4(y0, y2, 0x88);
        t[4 + c] = _mm512_shuffle_f32x4(y0, y2, 0xDD);
        t[8 + c] = _mm512_shuffle_f32x4(y1, y3, 0x88);
        t[12 + c] = _mm512_shuffle_f32x4(y1, y3, 0xDD);
    }
    for (int i = 0; i < 16; i++) r[i] = t[i];
}

AE_AVX512_TARGET
static void ae_pack_b_transposed_avx512(int nr_tile, long kc, long nc, const float *b, long ldb,
                                        float *dst) {
    for (long jr = 0; jr < nc; jr += nr_tile, dst += (long)nr_tile * kc) {
        const long nr = nc - jr < nr_tile ? nc - jr : nr_tile;
        for (long j0 = 0; j0 < nr_tile; j0 += 16) {
            const long rows = nr - j0 >= 16 ? 16 : nr - j0 <= 0 ? 0 : nr - j0;
            const float *src = b + (jr + j0) * ldb;
            for (long p0 = 0; p0 < kc; p0 += 16) {
                const long cols = kc - p0 >= 16 ? 16 : kc - p0;
                const __mmask16 mask = cols == 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << cols) - 1u);
                __m512 r[16];
                for (int q = 0; q < 16; q++)
                    r[q] = q < rows ? _mm512_maskz_loadu_ps(mask, src + q * ldb + p0) : _mm512_setzero_ps();
                ae_transpose16x16(r);
                float *d = dst + p0 * nr_tile + j0;
                for (int q = 0; q < cols; q++) _mm512_storeu_ps(d + (long)q * nr_tile, r[q]);
            }
        }
    }
}

const ae_kernel_desc ae_kernel_desc_avx512 = {
    .wide = {8, 32, 1, ae_kernel_avx512_8x32, ae_kernel_avx512_direct_8x32},
    .narrow = {16, 16, 1, ae_kernel_avx512_16x16, ae_kernel_avx512_direct_16x16},
    .pack_b_transposed = ae_pack_b_transposed_avx512,
    .pack_b = 0,
};

// ---- AVX2 packing of op(B) = B^T ------------------------------------------------------
// Same source and destination as the AVX-512 packer above, in 8 x 8 blocks: 8 source rows
// (8 columns j of op(B)) by 8 consecutive p, transposed in registers. It only copies, so the
// packed panels (and every product's bits) are those of the generic C packer; it replaces
// that packer's one-float stores 64 bytes apart.

AE_AVX2_TARGET
static inline void ae_transpose8x8(__m256 r[8]) {
    __m256 t[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    __m256 u[8];
    for (int i = 0; i < 8; i += 4) {
        u[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    // u[4g + c], 128-bit lane L = rows 4g..4g+3 of column 4L + c.
    for (int c = 0; c < 4; c++) {
        r[c] = _mm256_permute2f128_ps(u[c], u[4 + c], 0x20);
        r[4 + c] = _mm256_permute2f128_ps(u[c], u[4 + c], 0x31);
    }
}

AE_AVX2_TARGET
static void ae_pack_b_transposed_avx2(int nr_tile, long kc, long nc, const float *b, long ldb, float *dst) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (long jr = 0; jr < nc; jr += nr_tile, dst += (long)nr_tile * kc) {
        const long nr = nc - jr < nr_tile ? nc - jr : nr_tile;
        for (long j0 = 0; j0 < nr_tile; j0 += 8) {
            const long rows = nr - j0 >= 8 ? 8 : nr - j0 <= 0 ? 0 : nr - j0;
            const float *src = b + (jr + j0) * ldb;
            float *d = dst + j0;
            long p0 = 0;
            if (rows == 8) {
                for (; p0 + 8 <= kc; p0 += 8) {
                    __m256 r[8];
                    for (int q = 0; q < 8; q++) r[q] = _mm256_loadu_ps(src + q * ldb + p0);
                    ae_transpose8x8(r);
                    for (int q = 0; q < 8; q++) _mm256_storeu_ps(d + (p0 + q) * nr_tile, r[q]);
                }
            }
            for (; p0 < kc; p0 += 8) {
                const long cols = kc - p0 >= 8 ? 8 : kc - p0;
                const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)cols), lane);
                __m256 r[8];
                for (int q = 0; q < 8; q++)
                    r[q] = q < rows ? _mm256_maskload_ps(src + q * ldb + p0, mask) : _mm256_setzero_ps();
                ae_transpose8x8(r);
                for (int q = 0; q < cols; q++) _mm256_storeu_ps(d + (p0 + q) * nr_tile, r[q]);
            }
        }
    }
}

// Row-major B into NR-wide panels, as sgemm.c's generic ae_pack_b, a whole 16-float row of
// a panel moved as two ymm vectors (the generic loop, compiled for the baseline, moves 16
// bytes at a time and cannot know NR). The autoencoder's products with row-major B (its
// weight gradients), one Zen 3 core, B in the caches: 0.5-3 % faster, three alternating
// runs; within the noise of a whole epoch.
AE_AVX2_TARGET
static void ae_pack_b_rows_avx2(int nr_tile, long kc, long nc, const float *b, long ldb, float *dst) {
    for (long jr = 0; jr < nc; jr += nr_tile, dst += (long)nr_tile * kc) {
        const long nr = nc - jr < nr_tile ? nc - jr : nr_tile;
        const float *src = b + jr;
        if (nr_tile == 16 && nr == 16) {
            for (long p = 0; p < kc; p++) {
                _mm256_storeu_ps(dst + p * 16, _mm256_loadu_ps(src + p * ldb));
                _mm256_storeu_ps(dst + p * 16 + 8, _mm256_loadu_ps(src + p * ldb + 8));
            }
        } else {
            for (long p = 0; p < kc; p++) {
                for (long j = 0; j < nr; j++) dst[p * nr_tile + j] = src[p * ldb + j];
                for (long j = nr; j < nr_tile; j++) dst[p * nr_tile + j] = 0.0f;
            }
        }
    }
}

const ae_kernel_desc ae_kernel_desc_avx2 = {
    .wide = {6, 16, 1, ae_kernel_avx2_6x16, ae_kernel_avx2_direct_6x16},
    .narrow = {0, 0, 0, 0, 0},
    .pack_b_transposed = ae_pack_b_transposed_avx2,
    .pack_b_rows = ae_pack_b_rows_avx2,
    // 16-float (64-byte) rows of B read in place straddle two cache lines; packed
    // panels keep them aligned: about 15% faster on Zen 4 with ymm loads.
    .pack_b = 1,
};
#endif
