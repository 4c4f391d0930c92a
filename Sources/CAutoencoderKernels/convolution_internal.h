// Loops shared by the convolution files (not part of the module's interface).

#ifndef AE_CONVOLUTION_INTERNAL_H
#define AE_CONVOLUTION_INTERNAL_H

#include "ae_elementwise.h"

// The sum of one plane's `count` floats in eight lanes (a loop the compiler vectorises; one
// running sum would wait on each addition), the lanes added at the end after the tail.
// Every bias gradient of a convolution sums its planes with this, so the fused and the
// separate passes agree to the bit.
static inline float ae_plane_sum(const float *p, long count) {
    float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    long k = 0;
    for (; k + 8 <= count; k += 8)
        for (int q = 0; q < 8; q++) lanes[q] += p[k + q];
    float partial = 0;
    for (; k < count; k++) partial += p[k];
    for (int q = 0; q < 8; q++) partial += lanes[q];
    return partial;
}

// The units [*first, *end) of part `index` of `parts`.
static inline void part_range(long units, int parts, int index, long *first, long *end) {
    *first = units * index / parts;
    *end = units * (index + 1) / parts;
}

// ceil(a / b) for a >= 0, b > 0.
static inline long ceil_div(long a, long b) { return (a + b - 1) / b; }

// The positions p in [0, count) whose index p * stride + offset lies in [0, size), which
// are consecutive: [*lo, *hi).
static inline void valid_range(long offset, long stride, long size, long count, long *lo, long *hi) {
    long first = offset >= 0 ? 0 : ceil_div(-offset, stride);
    long end = size - offset <= 0 ? 0 : ceil_div(size - offset, stride);
    if (first > count) first = count;
    if (end > count) end = count;
    if (end < first) end = first;
    *lo = first;
    *hi = end;
}

// p[k] <- f(p[k] + b) for k < count: one plane's bias and activation (convolution.c).
void ae_plane_bias_activate(float *p, long count, float b, ae_nonlinearity f);

// A direct (stride-1, not unfolded) convolution pass: its operands and geometry, and into
// how many parts the pool splits it.
typedef struct {
    const float *images; const float *weight; const float *bias; const float *gradient; float *out;
    long samples, channels, height, width, kernel_h, kernel_w, pad_top, pad_left, out_h, out_w, filters;
    ae_nonlinearity f; int parts;
} direct_job;

#if defined(__x86_64__)
// The direct passes register-blocked for AVX2+FMA (convolution_direct_avx2.c), as pool
// tasks of a direct_job: the same sums in the same order as the portable loops of
// convolution.c, so the same bits. The forward and input-gradient passes take windows at
// most AE_DIRECT_AVX2_MAX_WIDTH wide, the weight gradient's at most
// AE_DIRECT_AVX2_MAX_GRADIENT_WIDTH.
#define AE_DIRECT_AVX2_MAX_WIDTH 16
#define AE_DIRECT_AVX2_MAX_GRADIENT_WIDTH 3
void ae_direct_forward_avx2(void *context, int index);
void ae_direct_input_gradient_avx2(void *context, int index);
void ae_direct_weight_gradient_avx2(void *context, int index);
#endif

// A stride-1 convolution read from shifted rows of its padded planes instead of unfolded
// columns (convolution_shifted_avx2.c). The padded planes are `row` = out_w + kernel_w - 1
// floats wide and out_h + kernel_h - 1 rows high, one after the other (`plane` floats
// apart), followed by AE_SHIFTED_SLACK zeros. Position q = y * row + x of a flat output
// plane then reads tap (i, j) of plane c at c * plane + i * row + j + q: the positions with
// x >= out_w are junk, as are those past out_h * row, up to the flat plane's length.
typedef struct {
    long channels, kernel_h, kernel_w, out_h, out_w;
    long row, plane;
} shifted_geometry;

#define AE_SHIFTED_POSITIONS 48   // positions of the forward tile (six ymm vectors)

static inline shifted_geometry shifted_geometry_make(long channels, long kernel_h, long kernel_w, long out_h,
                                                     long out_w) {
    const long row = out_w + kernel_w - 1;
    shifted_geometry g = {channels, kernel_h, kernel_w, out_h, out_w, row, (out_h + kernel_h - 1) * row};
    return g;
}
// Floats of the padded planes with their trailing zeros (the last tile's reads end inside).
static inline long shifted_padded_size(const shifted_geometry *g) {
    return g->channels * g->plane + g->kernel_w + AE_SHIFTED_POSITIONS;
}
// Length of a flat output plane (whole forward tiles).
static inline long shifted_flat_positions(const shifted_geometry *g) {
    return ceil_div(g->out_h * g->row, AE_SHIFTED_POSITIONS) * AE_SHIFTED_POSITIONS;
}
// Length of a flat gradient plane the weight gradient reads (whole vectors; zero at the junk).
static inline long shifted_delta_positions(const shifted_geometry *g) { return ceil_div(g->out_h * g->row, 8) * 8; }

#if defined(__x86_64__)
// flat[f * shifted_flat_positions(g) + q] <- the sum over taps k (planes, window rows,
// window columns) of weight[f * taps + k] times the padded planes at tap k's offset + q, for
// f < filters: the unfolded product W x columns, one fused multiply-add per term in k order.
void ae_shifted_forward_avx2(const shifted_geometry *g, const float *padded, const float *weight, long filters,
                             float *flat);
// gradient[f * taps + k] <- (accumulate ? gradient[...] : 0) + the sum over the `samples`
// samples s and positions q of delta[s * delta_stride + f * shifted_delta_positions(g) + q]
// times sample s's padded planes (from padded + s * padded_stride) at tap k's offset + q:
// the unfolded products delta x columns^T of a group of samples, delta being zero at the
// junk positions.
void ae_shifted_weight_gradient_avx2(const shifted_geometry *g, const float *padded, long padded_stride,
                                     const float *delta, long delta_stride, long samples, long filters,
                                     int accumulate, float *gradient);
#endif

#endif
