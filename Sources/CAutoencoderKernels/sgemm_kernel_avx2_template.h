// Template of an AVX2+FMA SGEMM micro-kernel; included by sgemm_kernels_x86.c once
// per tile shape, with AE_KMR (rows), AE_KNV (ymm vectors per row, NR = 8 * AE_KNV),
// AE_KNAME and AE_KDIRECT (0 or 1) defined. No include guard on purpose.
//
// Memory layout (see sgemm_internal.h): when AE_KDIRECT == 0, a(i, p) = a[p * a_step + i]
// (MR-tall column-interleaved panel: packed, or A^T read in place); when AE_KDIRECT == 1,
// a(i, p) = a[i * a_step + p] (row-major A read in place, a_step = lda; rows i >= mr are
// never read), b(p, j) = b[p * b_step + j] (row-major panel),
// C row-major with leading dimension ldc. Accumulators: AE_KMR x AE_KNV ymm registers,
// each holding 8 consecutive columns of one row of the C tile.

AE_AVX2_TARGET
static void AE_KNAME(long kc, const float *restrict a, long a_step,
                     const float *restrict b, long b_step,
                     float *restrict c, long ldc,
                     float alpha, float beta, long mr, long nr) {
    __m256 acc[AE_KMR][AE_KNV];
#pragma unroll
    for (int i = 0; i < AE_KMR; i++)
#pragma unroll
        for (int v = 0; v < AE_KNV; v++) acc[i][v] = _mm256_setzero_ps();

    // Lane masks for the nr valid columns (all ones for a full tile).
    __m256i mask[AE_KNV];
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
#pragma unroll
    for (int v = 0; v < AE_KNV; v++) {
        long rest = nr - 8L * v;
        int r = rest >= 8 ? 8 : rest <= 0 ? 0 : (int)rest;
        mask[v] = _mm256_cmpgt_epi32(_mm256_set1_epi32(r), lane);
    }

#if AE_KDIRECT
    const float *arow[AE_KMR];
#pragma unroll
    for (int i = 0; i < AE_KMR; i++) arow[i] = a + (i < mr ? i : mr - 1) * a_step;
#define AE_A(i) (arow[i] + p)
#define AE_A_NEXT() ((void)0)
#else
#define AE_A(i) (a + i)
#define AE_A_NEXT() (a += a_step)
#endif

    for (long i = 0; i < mr; i++) {
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + 8 * AE_KNV - 1), _MM_HINT_T0);
    }

    if (nr == 8 * AE_KNV) {
        for (long p = 0; p < kc; p++) {
            __m256 bv[AE_KNV];
#pragma unroll
            for (int v = 0; v < AE_KNV; v++) bv[v] = _mm256_loadu_ps(b + 8 * v);
#pragma unroll
            for (int i = 0; i < AE_KMR; i++) {
                __m256 av = _mm256_broadcast_ss(AE_A(i));
#pragma unroll
                for (int v = 0; v < AE_KNV; v++) acc[i][v] = _mm256_fmadd_ps(av, bv[v], acc[i][v]);
            }
            AE_A_NEXT();
            b += b_step;
        }
    } else {
        for (long p = 0; p < kc; p++) {
            __m256 bv[AE_KNV];
#pragma unroll
            for (int v = 0; v < AE_KNV; v++) bv[v] = _mm256_maskload_ps(b + 8 * v, mask[v]);
#pragma unroll
            for (int i = 0; i < AE_KMR; i++) {
                __m256 av = _mm256_broadcast_ss(AE_A(i));
#pragma unroll
                for (int v = 0; v < AE_KNV; v++) acc[i][v] = _mm256_fmadd_ps(av, bv[v], acc[i][v]);
            }
            AE_A_NEXT();
            b += b_step;
        }
    }

    const __m256 valpha = _mm256_set1_ps(alpha);
    const __m256 vbeta = _mm256_set1_ps(beta);
    if (nr == 8 * AE_KNV) {
#pragma unroll
        for (int i = 0; i < AE_KMR; i++) {
            if (i < mr) {
                float *cr = c + (long)i * ldc;
#pragma unroll
                for (int v = 0; v < AE_KNV; v++) {
                    __m256 r = _mm256_mul_ps(acc[i][v], valpha);
                    if (beta != 0.0f) r = _mm256_fmadd_ps(vbeta, _mm256_loadu_ps(cr + 8 * v), r);
                    _mm256_storeu_ps(cr + 8 * v, r);
                }
            }
        }
    } else {
        // Partial tile: through a stack row, because masked stores (vmaskmovps) are
        // microcoded and slow on AMD processors.
        float row[8 * AE_KNV];
#pragma unroll
        for (int i = 0; i < AE_KMR; i++) {
            if (i < mr) {
                float *cr = c + (long)i * ldc;
#pragma unroll
                for (int v = 0; v < AE_KNV; v++) {
                    __m256 r = _mm256_mul_ps(acc[i][v], valpha);
                    if (beta != 0.0f) r = _mm256_fmadd_ps(vbeta, _mm256_maskload_ps(cr + 8 * v, mask[v]), r);
                    _mm256_storeu_ps(row + 8 * v, r);
                }
                for (long j = 0; j < nr; j++) cr[j] = row[j];
            }
        }
    }
}

#undef AE_A
#undef AE_A_NEXT
#undef AE_KDIRECT
#undef AE_KMR
#undef AE_KNV
#undef AE_KNAME
