// The unfolded convolution's two products without unfolding, for AVX2+FMA: a stride-1
// convolution's unfolded matrix has, as its row for plane c and window tap (i, j), the
// padded plane c read from offset i * row + j, so the register tiles read those shifted
// rows of the padded image directly; see convolution_internal.h for the layout and
// convolution_unfolded.c for how a sample goes through them.
//
// Why by hand: im2col copies every input value kh * kw times and col2im adds it back, which
// cost as much as the products for the few-channel layers of an image autoencoder; these
// tiles read each shifted row from the L1 cache instead.
//
// The forward tile keeps 2 filters x 48 positions in twelve ymm sums over all the taps, in
// the unfolded product's order (planes, window rows, window columns), each as one fused
// multiply-add: the same bits as the SGEMM over unfolded columns (up to 512 taps, the depth
// of one SGEMM block; deeper, the SGEMM adds its blocks' sums). The weight gradient's
// tile keeps 2 filters x 6 taps as eight-lane sums over the positions of a group of
// samples, added across lanes at the end (a different rounding from the SGEMM's, the same
// whatever the threads).

#include "convolution_internal.h"

#if defined(__x86_64__)

#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))
#define TILE_FILTERS 2   // filters of either tile
#define TILE_VECTORS 6   // ymm vectors of positions in a forward tile (AE_SHIFTED_POSITIONS / 8)
#define TILE_TAPS 6      // taps of a weight-gradient tile

// Positions [q, q + AE_SHIFTED_POSITIONS) of filters f0 and f0 + 1. Twelve sums, two
// broadcasts and one vector of the image: fifteen of the sixteen ymm registers (four
// filters of three vectors would need all sixteen, and the compiler then spills them).
AVX2 static void forward_pair(const shifted_geometry *g, const float *padded, const float *weight, long f0, long q,
                              float *flat, long ld_flat) {
    const long taps = g->channels * g->kernel_h * g->kernel_w;
    const float *w0 = weight + f0 * taps, *w1 = w0 + taps;
    __m256 acc0[TILE_VECTORS], acc1[TILE_VECTORS];
#pragma unroll
    for (int v = 0; v < TILE_VECTORS; v++) acc0[v] = acc1[v] = _mm256_setzero_ps();
    long k = 0;
    for (long c = 0; c < g->channels; c++) {
        for (long i = 0; i < g->kernel_h; i++) {
            const float *b = padded + c * g->plane + i * g->row + q;
            for (long j = 0; j < g->kernel_w; j++, k++) {
                const __m256 x0 = _mm256_broadcast_ss(w0 + k), x1 = _mm256_broadcast_ss(w1 + k);
#pragma unroll
                for (int v = 0; v < TILE_VECTORS; v++) {
                    const __m256 image = _mm256_loadu_ps(b + j + 8 * v);
                    acc0[v] = _mm256_fmadd_ps(x0, image, acc0[v]);
                    acc1[v] = _mm256_fmadd_ps(x1, image, acc1[v]);
                }
            }
        }
    }
    float *o = flat + f0 * ld_flat + q;
#pragma unroll
    for (int v = 0; v < TILE_VECTORS; v++) {
        _mm256_storeu_ps(o + 8 * v, acc0[v]);
        _mm256_storeu_ps(o + ld_flat + 8 * v, acc1[v]);
    }
}

// Positions [q, q + 8 * VECTORS) of one filter: VECTORS sums (two tiles' worth at once, so
// that enough sums are in flight to cover the multiply-adds' latency).
__attribute__((always_inline)) AVX2 static inline void forward_single(const shifted_geometry *g, const float *padded,
                                                                      const float *w, long q, float *out,
                                                                      const int VECTORS) {
    __m256 acc[2 * TILE_VECTORS];
#pragma unroll
    for (int v = 0; v < VECTORS; v++) acc[v] = _mm256_setzero_ps();
    long k = 0;
    for (long c = 0; c < g->channels; c++) {
        for (long i = 0; i < g->kernel_h; i++) {
            const float *b = padded + c * g->plane + i * g->row + q;
            for (long j = 0; j < g->kernel_w; j++, k++) {
                const __m256 x = _mm256_broadcast_ss(w + k);
#pragma unroll
                for (int v = 0; v < VECTORS; v++) acc[v] = _mm256_fmadd_ps(x, _mm256_loadu_ps(b + j + 8 * v), acc[v]);
            }
        }
    }
#pragma unroll
    for (int v = 0; v < VECTORS; v++) _mm256_storeu_ps(out + q + 8 * v, acc[v]);
}

AVX2 void ae_shifted_forward_avx2(const shifted_geometry *g, const float *padded, const float *weight, long filters,
                                  float *flat) {
    const long positions = shifted_flat_positions(g), pairs = filters / 2 * 2;
    for (long q = 0; q < positions; q += AE_SHIFTED_POSITIONS)
        for (long f0 = 0; f0 < pairs; f0 += TILE_FILTERS) forward_pair(g, padded, weight, f0, q, flat, positions);
    if (pairs == filters) return;
    const float *w = weight + pairs * g->channels * g->kernel_h * g->kernel_w;
    float *out = flat + pairs * positions;
    long q = 0;
    for (; q + 2 * AE_SHIFTED_POSITIONS <= positions; q += 2 * AE_SHIFTED_POSITIONS)
        forward_single(g, padded, w, q, out, 2 * TILE_VECTORS);
    if (q < positions) forward_single(g, padded, w, q, out, TILE_VECTORS);
}

// The sum of v's eight lanes, in a fixed order.
AVX2 static inline float lane_sum(__m256 v) {
    const __m128 half = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    const __m128 pairs = _mm_add_ps(half, _mm_movehl_ps(half, half));
    return _mm_cvtss_f32(_mm_add_ss(pairs, _mm_movehdup_ps(pairs)));
}

// The pointers to tap t0 + t's shifted planes for t < count; taps past the last point at
// t0's (computed, not stored).
static inline void tap_pointers(const shifted_geometry *g, const float *padded, long taps, long t0, int count,
                                const float **b) {
    const long window = g->kernel_h * g->kernel_w;
    for (int t = 0; t < count; t++) {
        const long k = t0 + t < taps ? t0 + t : t0, c = k / window, i = k % window / g->kernel_w, j = k % g->kernel_w;
        b[t] = padded + c * g->plane + i * g->row + j;
    }
}

static inline void store_sum(float *out, float sum, int accumulate) { *out = accumulate ? *out + sum : sum; }

AVX2 void ae_shifted_weight_gradient_avx2(const shifted_geometry *g, const float *padded, long padded_stride,
                                          const float *delta, long delta_stride, long samples, long filters,
                                          int accumulate, float *gradient) {
    const long taps = g->channels * g->kernel_h * g->kernel_w, positions = shifted_delta_positions(g);
    const long pairs = filters / 2 * 2;
    for (long f0 = 0; f0 < pairs; f0 += TILE_FILTERS) {
        for (long t0 = 0; t0 < taps; t0 += TILE_TAPS) {
            const float *b[TILE_TAPS];
            tap_pointers(g, padded, taps, t0, TILE_TAPS, b);
            __m256 acc0[TILE_TAPS], acc1[TILE_TAPS];
#pragma unroll
            for (int t = 0; t < TILE_TAPS; t++) acc0[t] = acc1[t] = _mm256_setzero_ps();
            for (long s = 0; s < samples; s++) {
                const float *d0 = delta + s * delta_stride + f0 * positions, *d1 = d0 + positions;
                const long image = s * padded_stride;
                for (long q = 0; q < positions; q += 8) {
                    const __m256 x0 = _mm256_loadu_ps(d0 + q), x1 = _mm256_loadu_ps(d1 + q);
#pragma unroll
                    for (int t = 0; t < TILE_TAPS; t++) {
                        const __m256 v = _mm256_loadu_ps(b[t] + image + q);
                        acc0[t] = _mm256_fmadd_ps(x0, v, acc0[t]);
                        acc1[t] = _mm256_fmadd_ps(x1, v, acc1[t]);
                    }
                }
            }
            for (int t = 0; t < TILE_TAPS && t0 + t < taps; t++) {
                store_sum(gradient + f0 * taps + t0 + t, lane_sum(acc0[t]), accumulate);
                store_sum(gradient + (f0 + 1) * taps + t0 + t, lane_sum(acc1[t]), accumulate);
            }
        }
    }
    if (pairs == filters) return;
    // The last of an odd number of filters: twice the taps per tile instead.
    for (long t0 = 0; t0 < taps; t0 += 2 * TILE_TAPS) {
        const float *b[2 * TILE_TAPS];
        tap_pointers(g, padded, taps, t0, 2 * TILE_TAPS, b);
        __m256 acc[2 * TILE_TAPS];
#pragma unroll
        for (int t = 0; t < 2 * TILE_TAPS; t++) acc[t] = _mm256_setzero_ps();
        for (long s = 0; s < samples; s++) {
            const float *d = delta + s * delta_stride + pairs * positions;
            const long image = s * padded_stride;
            for (long q = 0; q < positions; q += 8) {
                const __m256 x = _mm256_loadu_ps(d + q);
#pragma unroll
                for (int t = 0; t < 2 * TILE_TAPS; t++)
                    acc[t] = _mm256_fmadd_ps(x, _mm256_loadu_ps(b[t] + image + q), acc[t]);
            }
        }
        for (int t = 0; t < 2 * TILE_TAPS && t0 + t < taps; t++)
            store_sum(gradient + pairs * taps + t0 + t, lane_sum(acc[t]), accumulate);
    }
}

#endif
