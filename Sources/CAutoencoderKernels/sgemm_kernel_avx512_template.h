// Template of an AVX-512F SGEMM micro-kernel; included by sgemm_kernels_x86.c once
// per tile shape, with AE_KMR (rows), AE_KNV (zmm vectors per row, NR = 16 * AE_KNV),
// AE_KNAME and AE_KDIRECT (0 or 1) defined. No include guard on purpose.
//
// Memory layout (see sgemm_internal.h): when AE_KDIRECT == 0, a(i, p) = a[p * a_step + i]
// (MR-tall column-interleaved panel: packed, or A^T read in place); when AE_KDIRECT == 1,
// a(i, p) = a[i * a_step + p] (row-major A read in place, a_step = lda; rows i >= mr are
// never read), b(p, j) = b[p * b_step + j] (row-major panel),
// C row-major with leading dimension ldc. Accumulators: AE_KMR x AE_KNV zmm registers,
// each holding 16 consecutive columns of one row of the C tile.

AE_AVX512_TARGET
static void AE_KNAME(long kc, const float *restrict a, long a_step,
                     const float *restrict b, long b_step,
                     float *restrict c, long ldc,
                     float alpha, float beta, long mr, long nr) {
    __m512 acc[AE_KMR][AE_KNV];
#pragma unroll
    for (int i = 0; i < AE_KMR; i++)
#pragma unroll
        for (int v = 0; v < AE_KNV; v++) acc[i][v] = _mm512_setzero_ps();

    __mmask16 mask[AE_KNV];
#pragma unroll
    for (int v = 0; v < AE_KNV; v++) {
        long rest = nr - 16L * v;
        mask[v] = rest >= 16 ? (__mmask16)0xFFFF : rest <= 0 ? (__mmask16)0 : (__mmask16)((1u << rest) - 1u);
    }

#if AE_KDIRECT
    const float *arow[AE_KMR];
#pragma unroll
    for (int i = 0; i < AE_KMR; i++) arow[i] = a + (i < mr ? i : mr - 1) * a_step;
#define AE_A(i) arow[i][p]
#define AE_A_NEXT() ((void)0)
#else
#define AE_A(i) a[i]
#define AE_A_NEXT() (a += a_step)
#endif

    // Warm the C tile while the k loop runs.
    for (long i = 0; i < mr; i++) {
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + 16 * AE_KNV - 1), _MM_HINT_T0);
    }

    if (nr == 16 * AE_KNV) {
        for (long p = 0; p < kc; p++) {
            __m512 bv[AE_KNV];
#pragma unroll
            for (int v = 0; v < AE_KNV; v++) bv[v] = _mm512_loadu_ps(b + 16 * v);
#pragma unroll
            for (int i = 0; i < AE_KMR; i++) {
                __m512 av = _mm512_set1_ps(AE_A(i));
#pragma unroll
                for (int v = 0; v < AE_KNV; v++) acc[i][v] = _mm512_fmadd_ps(av, bv[v], acc[i][v]);
            }
            AE_A_NEXT();
            b += b_step;
        }
    } else {
        for (long p = 0; p < kc; p++) {
            __m512 bv[AE_KNV];
#pragma unroll
            for (int v = 0; v < AE_KNV; v++) bv[v] = _mm512_maskz_loadu_ps(mask[v], b + 16 * v);
#pragma unroll
            for (int i = 0; i < AE_KMR; i++) {
                __m512 av = _mm512_set1_ps(AE_A(i));
#pragma unroll
                for (int v = 0; v < AE_KNV; v++) acc[i][v] = _mm512_fmadd_ps(av, bv[v], acc[i][v]);
            }
            AE_A_NEXT();
            b += b_step;
        }
    }

    const __m512 valpha = _mm512_set1_ps(alpha);
    const __m512 vbeta = _mm512_set1_ps(beta);
#pragma unroll
    for (int i = 0; i < AE_KMR; i++) {
        if (i < mr) {
            float *cr = c + (long)i * ldc;
#pragma unroll
            for (int v = 0; v < AE_KNV; v++) {
                __m512 r = _mm512_mul_ps(acc[i][v], valpha);
                if (beta != 0.0f) r = _mm512_fmadd_ps(vbeta, _mm512_maskz_loadu_ps(mask[v], cr + 16 * v), r);
                _mm512_mask_storeu_ps(cr + 16 * v, mask[v], r);
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
