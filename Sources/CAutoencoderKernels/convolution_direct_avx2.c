// The direct convolution's three passes register-blocked for AVX2+FMA; see
// convolution_internal.h for the job and convolution.c for the portable loops they replace.
//
// Why by hand: the portable loops add one tap into a whole output row at a time, so every
// multiply-add also loads and stores its output (bound by the stores, a tenth of the FMA
// peak). Here a strip of 32 output columns of two rows stays in eight ymm accumulators while
// all the taps of all the planes are added into it, and the weight gradient keeps its taps'
// sums in registers while it walks the samples.
//
// Same bits as the portable loops for finite weights: every output element receives the
// same products in the same order (planes, then window rows, then window columns; the
// gradient's samples, then rows, its lanes added up in double from left to right), each as
// one fused multiply-add. A lane whose source lies in the padding is given w * 0 from a
// masked load instead of being skipped: a sum that starts at +0 is never -0, so adding
// ±0 leaves it as it is (an infinite weight makes NaN there, as the unfolded product would).

#include "convolution_internal.h"

#if defined(__x86_64__)

#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))
#define STRIP 4   // ymm vectors (8 output columns each) of one strip

// Which lanes of each of a strip's vectors hold a column x in [lo, hi): masks, and whether
// only the strip's first and last vectors may be partial (the others all inside).
typedef struct {
    __m256i mask[STRIP];
    int middle_full;
} lanes_in;

AVX2 static lanes_in lanes_between(long x0, long lo, long hi) {
    lanes_in l;
    l.middle_full = 1;
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (int v = 0; v < STRIP; v++) {
        const long x = x0 + 8L * v;
        // lane q is column x + q: inside when lo - x <= q < hi - x.
        const long from = lo - x < 0 ? 0 : lo - x > 8 ? 8 : lo - x;
        const long to = hi - x < 0 ? 0 : hi - x > 8 ? 8 : hi - x;
        const __m256i above = _mm256_cmpgt_epi32(lane, _mm256_set1_epi32((int)from - 1));
        const __m256i below = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)to), lane);
        l.mask[v] = _mm256_and_si256(above, below);
        if (v > 0 && v < STRIP - 1 && !(from == 0 && to == 8)) l.middle_full = 0;
    }
    return l;
}

// Vector v of a strip starting at p: a plain load for a middle vector known to be inside
// (MIDDLE_FULL), else a masked load (zeros outside the mask, nothing read there).
#define STRIP_LOAD(p, v, lanes, MIDDLE_FULL)                                                \
    ((MIDDLE_FULL) && (v) > 0 && (v) < STRIP - 1 ? _mm256_loadu_ps((p) + 8 * (v))             \
                                                 : _mm256_maskload_ps((p) + 8 * (v), (lanes)->mask[v]))

// Writes the first `count` (1 to 8) lanes of `value` to `destination` (masked stores are
// microcoded and slow on AMD processors: through the stack instead).
AVX2 static inline void store_lanes(float *destination, __m256 value, long count) {
    if (count >= 8) { _mm256_storeu_ps(destination, value); return; }
    float row[8];
    _mm256_storeu_ps(row, value);
    for (long q = 0; q < count; q++) destination[q] = row[q];
}

// The geometry of one correlate call (see correlate below).
typedef struct {
    const float *source; long planes, src_h, src_w;
    const float *weights; long weight_stride, kh, kw;
    long dy0, sy, dx0, sx;
    float *out; long out_w;
} correlation;

// Output rows y0 .. y0 + ROWS - 1 of the strip at column x0. ROWS rows at once give ROWS x
// STRIP independent sums, enough to hide the multiply-adds' latency (one row's four alone
// wait on it). CHECK: some window rows fall outside the source (the top and bottom rows).
__attribute__((always_inline)) AVX2 static inline void correlate_rows(const correlation *c, const lanes_in *in,
                                                                       long x0, long y0, const int ROWS,
                                                                       const int CHECK, const int MIDDLE_FULL) {
    const long src_plane = c->src_h * c->src_w, kh = c->kh, kw = c->kw;
    __m256 acc[2][STRIP];
#pragma unroll
    for (int r = 0; r < ROWS; r++)
#pragma unroll
        for (int v = 0; v < STRIP; v++) acc[r][v] = _mm256_setzero_ps();
    for (long p = 0; p < c->planes; p++) {
        const float *plane = c->source + p * src_plane + x0 + c->dx0;
        const float *w = c->weights + p * c->weight_stride;
        for (long i = 0; i < kh; i++) {
            const long y = y0 + c->dy0 + c->sy * i;
            if (CHECK && (y < 0 || y >= c->src_h)) continue;   // ROWS == 1 here
            const float *row = plane + y * c->src_w;
            for (long k = 0; k < kw; k++) {
                const __m256 wv = _mm256_set1_ps(w[i * kw + k]);
                const float *q = row + c->sx * k;
                const lanes_in *l = &in[k];
#pragma unroll
                for (int r = 0; r < ROWS; r++)
#pragma unroll
                    for (int v = 0; v < STRIP; v++)
                        acc[r][v] = _mm256_fmadd_ps(wv, STRIP_LOAD(q + r * c->src_w, v, l, MIDDLE_FULL), acc[r][v]);
            }
        }
    }
    const long left = c->out_w - x0;   // columns of the strip inside the output
#pragma unroll
    for (int r = 0; r < ROWS; r++) {
        float *o = c->out + (y0 + r) * c->out_w + x0;
        for (int v = 0; v < STRIP && 8L * v < left; v++) store_lanes(o + 8 * v, acc[r][v], left - 8L * v);
    }
}

// The rows of a strip: interior rows two at a time, the others one by one, checked.
AVX2 static void correlate_strip(const correlation *c, const lanes_in *in, long x0, long out_h, long interior_lo,
                                 long interior_hi, const int MIDDLE_FULL) {
    long y = 0;
    for (; y < out_h && y < interior_lo; y++) correlate_rows(c, in, x0, y, 1, 1, MIDDLE_FULL);
    for (; y + 2 <= interior_hi; y += 2) correlate_rows(c, in, x0, y, 2, 0, MIDDLE_FULL);
    for (; y < interior_hi; y++) correlate_rows(c, in, x0, y, 1, 0, MIDDLE_FULL);
    for (; y < out_h; y++) correlate_rows(c, in, x0, y, 1, 1, MIDDLE_FULL);
}

// out[y][x] for y < out_h, x < out_w <- the sum over planes p, then window rows i < kh,
// then columns k < kw of weights[p * weight_stride + i * kw + k] * source[p][y + dy0 + sy * i]
// [x + dx0 + sx * k], the terms whose source lies outside its src_h x src_w plane left out.
// The forward pass is this with the images as source (sy = sx = 1); the input gradient,
// with the output gradients as source and the window turned round (sy = sx = -1).
AVX2 static void correlate(const float *source, long planes, long src_h, long src_w,
                           const float *weights, long weight_stride, long kh, long kw,
                           long dy0, long sy, long dx0, long sx, float *out, long out_h, long out_w) {
    const correlation c = {source, planes, src_h, src_w, weights, weight_stride, kh, kw, dy0, sy, dx0, sx, out, out_w};
    // The rows whose whole window lies inside the source: dy0 + sy * i in [lowest, highest].
    const long lowest = dy0 + (sy < 0 ? -(kh - 1) : 0), highest = dy0 + (sy > 0 ? kh - 1 : 0);
    long interior_lo = -lowest < 0 ? 0 : -lowest, interior_hi = src_h - highest > out_h ? out_h : src_h - highest;
    if (interior_hi < interior_lo) interior_hi = interior_lo;
    for (long x0 = 0; x0 < out_w; x0 += 8 * STRIP) {
        // For window column k, the strip's columns whose source column lies in the plane.
        lanes_in in[AE_DIRECT_AVX2_MAX_WIDTH];
        int middle_full = 1;
        for (long k = 0; k < kw; k++) {
            const long shift = dx0 + sx * k;   // source column = x + shift
            const long lo = -shift, hi = src_w - shift;
            in[k] = lanes_between(x0, lo < 0 ? 0 : lo, hi > out_w ? out_w : hi);
            middle_full &= in[k].middle_full;
        }
        if (middle_full) correlate_strip(&c, in, x0, out_h, interior_lo, interior_hi, 1);
        else correlate_strip(&c, in, x0, out_h, interior_lo, interior_hi, 0);
    }
}

AVX2 void ae_direct_forward_avx2(void *context, int index) {
    const direct_job *j = (const direct_job *)context;
    const long image = j->channels * j->height * j->width, plane = j->out_h * j->out_w;
    const long taps = j->kernel_h * j->kernel_w;
    long first, end;
    part_range(j->samples, j->parts, index, &first, &end);
    for (long s = first; s < end; s++) {
        for (long f = 0; f < j->filters; f++) {
            float *out = j->out + (s * j->filters + f) * plane;
            correlate(j->images + s * image, j->channels, j->height, j->width, j->weight + f * j->channels * taps,
                      taps, j->kernel_h, j->kernel_w, -j->pad_top, 1, -j->pad_left, 1, out, j->out_h, j->out_w);
            ae_plane_bias_activate(out, plane, j->bias[f], j->f);
        }
    }
}

AVX2 void ae_direct_input_gradient_avx2(void *context, int index) {
    const direct_job *j = (const direct_job *)context;
    const long image = j->channels * j->height * j->width, plane = j->out_h * j->out_w;
    const long taps = j->kernel_h * j->kernel_w;
    long first, end;
    part_range(j->samples, j->parts, index, &first, &end);
    for (long s = first; s < end; s++) {
        for (long c = 0; c < j->channels; c++) {
            // Input (y, x) took part in output (y - i + pad_top, x - k + pad_left) through tap (i, k).
            correlate(j->gradient + s * j->filters * plane, j->filters, j->out_h, j->out_w, j->weight + c * taps,
                      j->channels * taps, j->kernel_h, j->kernel_w, j->pad_top, -1, j->pad_left, -1,
                      j->out + s * image + c * j->height * j->width, j->height, j->width);
        }
    }
}

// The sums of one strip of weight_gradient_row below over every sample and output row.
__attribute__((always_inline)) AVX2 static inline void gradient_strip(
    const direct_job *j, long f, long c, long i, long x0, long row_lo, long row_hi, const lanes_in *delta_lanes,
    const lanes_in *in, __m256 acc[][STRIP], const int KW, const int MIDDLE_FULL) {
    const long image = j->channels * j->height * j->width, plane = j->out_h * j->out_w, out_w = j->out_w;
#pragma unroll
    for (int k = 0; k < KW; k++)
#pragma unroll
        for (int v = 0; v < STRIP; v++) acc[k][v] = _mm256_setzero_ps();
    for (long s = 0; s < j->samples; s++) {
        const float *source = j->images + s * image + c * j->height * j->width + x0 - j->pad_left;
        const float *delta = j->gradient + (s * j->filters + f) * plane + x0;
        for (long oh = row_lo; oh < row_hi; oh++) {
            const float *d = delta + oh * out_w;
            const float *row = source + (oh + i - j->pad_top) * j->width;
#pragma unroll
            for (int v = 0; v < STRIP; v++) {
                const __m256 dv = STRIP_LOAD(d, v, delta_lanes, MIDDLE_FULL);
#pragma unroll
                for (int k = 0; k < KW; k++)
                    acc[k][v] = _mm256_fmadd_ps(dv, STRIP_LOAD(row + k, v, &in[k], MIDDLE_FULL), acc[k][v]);
            }
        }
    }
}

// The weight gradient of window row i for one (filter, channel) pair, KW window columns
// (a constant, so that the KW x STRIP sums stay in registers): gradient[i * KW + k] <- the
// sum over samples and output rows of the output gradient times the images shifted by
// (i - pad_top, k - pad_left), per output column in a float lane, the lanes then added in
// double from left to right (the portable loop's sums exactly).
__attribute__((always_inline)) AVX2 static inline void weight_gradient_row(const direct_job *j, long f, long c,
                                                                            long i, const int KW, float *gradient) {
    const long out_w = j->out_w;
    long row_lo, row_hi;
    valid_range(i - j->pad_top, 1, j->height, j->out_h, &row_lo, &row_hi);
    long col_lo[AE_DIRECT_AVX2_MAX_GRADIENT_WIDTH], col_hi[AE_DIRECT_AVX2_MAX_GRADIENT_WIDTH];
    double total[AE_DIRECT_AVX2_MAX_GRADIENT_WIDTH];
    for (int k = 0; k < KW; k++) {
        valid_range(k - j->pad_left, 1, j->width, out_w, &col_lo[k], &col_hi[k]);
        total[k] = 0;
    }
    for (long x0 = 0; x0 < out_w; x0 += 8 * STRIP) {
        const lanes_in delta_lanes = lanes_between(x0, 0, out_w);
        lanes_in in[AE_DIRECT_AVX2_MAX_GRADIENT_WIDTH];
        for (int k = 0; k < KW; k++) in[k] = lanes_between(x0, col_lo[k], col_hi[k]);
        __m256 acc[AE_DIRECT_AVX2_MAX_GRADIENT_WIDTH][STRIP];
        int middle_full = delta_lanes.middle_full;
        for (int k = 0; k < KW; k++) middle_full &= in[k].middle_full;
        if (middle_full) gradient_strip(j, f, c, i, x0, row_lo, row_hi, &delta_lanes, in, acc, KW, 1);
        else gradient_strip(j, f, c, i, x0, row_lo, row_hi, &delta_lanes, in, acc, KW, 0);
        for (int k = 0; k < KW; k++) {
            float lanes[8 * STRIP];
            for (int v = 0; v < STRIP; v++) _mm256_storeu_ps(lanes + 8 * v, acc[k][v]);
            const long from = col_lo[k] > x0 ? col_lo[k] : x0;
            const long to = col_hi[k] < x0 + 8 * STRIP ? col_hi[k] : x0 + 8 * STRIP;
            for (long x = from; x < to; x++) total[k] += lanes[x - x0];
        }
    }
    for (int k = 0; k < KW; k++) gradient[i * KW + k] = (float)total[k];
}

AVX2 void ae_direct_weight_gradient_avx2(void *context, int index) {
    const direct_job *j = (const direct_job *)context;
    const long taps = j->kernel_h * j->kernel_w;
    long first, end;
    part_range(j->filters * j->channels, j->parts, index, &first, &end);
    for (long pair = first; pair < end; pair++) {
        const long f = pair / j->channels, c = pair % j->channels;
        float *gradient = j->out + pair * taps;
        for (long i = 0; i < j->kernel_h; i++) {
            switch (j->kernel_w) {
            case 1: weight_gradient_row(j, f, c, i, 1, gradient); break;
            case 2: weight_gradient_row(j, f, c, i, 2, gradient); break;
            default: weight_gradient_row(j, f, c, i, 3, gradient); break;
            }
        }
    }
}

#endif
