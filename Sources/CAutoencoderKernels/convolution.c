// The loops of the convolutional layers; see include/ae_convolution.h for the layouts.
//
// Portable C, the direct convolution compiled for AVX2+FMA as well (and register-blocked for
// it in convolution_direct_avx2.c, which these loops define the sums of): the matrix
// products of a convolution run in the SGEMM, and these passes touch each element a few
// times at most. Window positions that fall in the padding are found per row by
// arithmetic (valid_range), not tested per element.
//
// The direct convolution, the pooling and the upsampling split their samples (or planes,
// or filter-channel pairs) over the cores with the shared worker pool (parallel.c): each
// part writes its own memory only, so the parts never share an output element and the
// results do not depend on the number of parts.

#include "ae_convolution.h"
#include "ae_parallel.h"
#include "vector_internal.h"

#include <string.h>

#include "convolution_internal.h"

// The parts to split `units` independent units of `elements` floats each into: one when
// the whole is too small to be worth a hand-off, never more than `units`.
static int unit_parts(long units, long elements) {
    int parts = ae_parts(units * elements);
    if (parts > units) parts = (int)units;
    return parts < 1 ? 1 : parts;
}

// dst[0..n) <- src[0..n) for the short rows of an image (a few to a few dozen floats),
// where a call to memcpy costs more than the copy. The empty statement in the loop keeps
// the compiler from turning the loop back into a call to memcpy.
static inline void copy_row(float *restrict dst, const float *restrict src, long n) {
    long q = 0;
    for (; q + 4 <= n; q += 4) {
        memcpy(dst + q, src + q, 4 * sizeof(float));
        __asm__ volatile("");
    }
    for (; q < n; q++) dst[q] = src[q];
}

static inline void zero_row(float *dst, long n) {
    if (n > 0) memset(dst, 0, (size_t)n * sizeof(float));
}

// One row of the columns of a stride-1 window whose output is as wide as the image (as
// 'same' padding gives): position t = oh * width + ow takes plane[t + dy * width + dx], so
// the valid rows are one contiguous copy of the plane shifted by (dy, dx), after which the
// columns that fell off the left or right edge (taken from the neighbouring image row) are
// set to zero.
static void unfold_same_width_row(const float *plane, long height, long width, long dy, long dx, long out_h,
                                  float *row) {
    long row_lo, row_hi;
    valid_range(dy, 1, height, out_h, &row_lo, &row_hi);
    const long shift = dy * width + dx;
    long start = row_lo * width, end = row_hi * width;
    if (start + shift < 0) start = -shift;
    if (end + shift > height * width) end = height * width - shift;
    const long total = out_h * width;   // a kernel taller than the padded image leaves no valid row
    if (start > total) start = total;
    if (end > total) end = total;
    if (end < start) end = start;
    zero_row(row, start);
    memcpy(row + start, plane + start + shift, (size_t)(end - start) * sizeof(float));
    zero_row(row + end, out_h * width - end);
    long edge_lo = dx < 0 ? -dx : 0, edge_hi = dx > 0 ? width - dx : width;
    if (edge_lo > width) edge_lo = width;
    if (edge_hi < 0) edge_hi = 0;
    if (edge_lo == 0 && edge_hi == width) return;
    for (long oh = row_lo; oh < row_hi; oh++) {
        float *destination = row + oh * width;
        for (long ow = 0; ow < edge_lo; ow++) destination[ow] = 0;
        for (long ow = edge_hi; ow < width; ow++) destination[ow] = 0;
    }
}

void ae_im2col(const float *image, long channels, long height, long width,
               long kernel_h, long kernel_w, long stride_h, long stride_w,
               long pad_top, long pad_left, long out_h, long out_w, float *columns) {
    const long positions = out_h * out_w;
    if (stride_h == 1 && stride_w == 1 && out_w == width) {
        for (long c = 0; c < channels; c++)
            for (long i = 0; i < kernel_h; i++)
                for (long j = 0; j < kernel_w; j++)
                    unfold_same_width_row(image + c * height * width, height, width, i - pad_top, j - pad_left, out_h,
                                          columns + ((c * kernel_h + i) * kernel_w + j) * positions);
        return;
    }
    for (long c = 0; c < channels; c++) {
        const float *plane = image + c * height * width;
        for (long i = 0; i < kernel_h; i++) {
            long row_lo, row_hi;
            valid_range(i - pad_top, stride_h, height, out_h, &row_lo, &row_hi);
            for (long j = 0; j < kernel_w; j++) {
                float *row = columns + ((c * kernel_h + i) * kernel_w + j) * positions;
                long col_lo, col_hi;
                const long column_offset = j - pad_left;
                valid_range(column_offset, stride_w, width, out_w, &col_lo, &col_hi);
                zero_row(row, row_lo * out_w);
                for (long oh = row_lo; oh < row_hi; oh++) {
                    const float *source = plane + (oh * stride_h + i - pad_top) * width;
                    float *destination = row + oh * out_w;
                    for (long ow = 0; ow < col_lo; ow++) destination[ow] = 0;
                    if (stride_w == 1) {
                        copy_row(destination + col_lo, source + col_lo + column_offset, col_hi - col_lo);
                    } else {
                        for (long ow = col_lo; ow < col_hi; ow++) destination[ow] = source[ow * stride_w + column_offset];
                    }
                    for (long ow = col_hi; ow < out_w; ow++) destination[ow] = 0;
                }
                zero_row(row + row_hi * out_w, (out_h - row_hi) * out_w);
            }
        }
    }
}

void ae_col2im(const float *columns, long channels, long height, long width,
               long kernel_h, long kernel_w, long stride_h, long stride_w,
               long pad_top, long pad_left, long out_h, long out_w, float *image) {
    const long positions = out_h * out_w;
    memset(image, 0, (size_t)(channels * height * width) * sizeof(float));
    for (long c = 0; c < channels; c++) {
        float *plane = image + c * height * width;
        for (long i = 0; i < kernel_h; i++) {
            long row_lo, row_hi;
            valid_range(i - pad_top, stride_h, height, out_h, &row_lo, &row_hi);
            for (long j = 0; j < kernel_w; j++) {
                const float *row = columns + ((c * kernel_h + i) * kernel_w + j) * positions;
                long col_lo, col_hi;
                const long column_offset = j - pad_left;
                valid_range(column_offset, stride_w, width, out_w, &col_lo, &col_hi);
                for (long oh = row_lo; oh < row_hi; oh++) {
                    float *destination = plane + (oh * stride_h + i - pad_top) * width;
                    const float *source = row + oh * out_w;
                    if (stride_w == 1) {
                        float *shifted = destination + column_offset;
                        for (long ow = col_lo; ow < col_hi; ow++) shifted[ow] += source[ow];
                    } else {
                        for (long ow = col_lo; ow < col_hi; ow++) destination[ow * stride_w + column_offset] += source[ow];
                    }
                }
            }
        }
    }
}

// p[k] <- f(p[k] + b) for k < count.
void ae_plane_bias_activate(float *p, long count, float b, ae_nonlinearity f) {
    switch (f) {
    case AE_RELU:
        for (long k = 0; k < count; k++) {
            const float v = p[k] + b;
            p[k] = v < 0.0f ? 0.0f : v;   // NaN stays NaN, as in PyTorch
        }
        break;
    case AE_SIGMOID:
        for (long k = 0; k < count; k++) p[k] += b;
        ae_sigmoid(p, p, count);
        break;
    case AE_TANH:
        for (long k = 0; k < count; k++) p[k] += b;
        ae_tanh(p, p, count);
        break;
    case AE_IDENTITY:
        for (long k = 0; k < count; k++) p[k] += b;
        break;
    default:   // leaky ReLU, ELU, softplus: the elementwise kernel's
        for (long k = 0; k < count; k++) p[k] += b;
        ae_activate(p, p, count, f);
        break;
    }
}

void ae_channel_bias_activate(float *values, long samples, long channels, long plane,
                              const float *bias, ae_nonlinearity f) {
    for (long s = 0; s < samples; s++)
        for (long c = 0; c < channels; c++)
            ae_plane_bias_activate(values + (s * channels + c) * plane, plane, bias[c], f);
}

void ae_channel_sums(const float *values, long samples, long channels, long plane, float *sums) {
    for (long c = 0; c < channels; c++) {
        double total = 0;
        for (long s = 0; s < samples; s++) {
            const float *p = values + (s * channels + c) * plane;
            total += ae_plane_sum(p, plane);
        }
        sums[c] = (float)total;
    }
}

// The rows or columns [*lo, *hi) of a window of `pool` starting at `start` that lie in [0, size).
static inline void clamp_window(long start, long pool, long size, long *lo, long *hi) {
    *lo = start < 0 ? 0 : start;
    *hi = start + pool > size ? size : start + pool;
}

// The offset in its plane of the first NaN of the window, or -1 (the slow path of the two
// functions below, taken only for windows that hold a NaN).
static long window_first_nan(const float *plane, long width, long r0, long r1, long c0, long c1) {
    for (long y = r0; y < r1; y++)
        for (long x = c0; x < c1; x++)
            if (plane[y * width + x] != plane[y * width + x]) return y * width + x;
    return -1;
}

// The offset in its plane of the first maximum of the window rows [r0, r1) x columns
// [c0, c1), a NaN counting as larger than any number (the first NaN wins). Plain compares
// and selects in the loop, the NaN test only accumulated: a compare that also tests for
// NaN is compiled into branches, and which element wins is unpredictable on real data
// (six times slower on 2x2 windows).
static inline long window_argmax(const float *plane, long width, long r0, long r1, long c0, long c1) {
    long best = r0 * width + c0;
    float best_value = plane[best];
    int nan = 0;
    for (long y = r0; y < r1; y++) {
        const float *row = plane + y * width;
        for (long x = c0; x < c1; x++) {
            const float v = row[x];
            const int better = v > best_value;
            nan |= v != v;
            best = better ? y * width + x : best;
            best_value = better ? v : best_value;
        }
    }
    return nan ? window_first_nan(plane, width, r0, r1, c0, c1) : best;
}

// The maximum of the same window (its first NaN, if it holds one).
static inline float window_max(const float *plane, long width, long r0, long r1, long c0, long c1) {
    float best = plane[r0 * width + c0];
    int nan = 0;
    for (long y = r0; y < r1; y++) {
        const float *row = plane + y * width;
        for (long x = c0; x < c1; x++) {
            const float v = row[x];
            nan |= v != v;
            best = v > best ? v : best;
        }
    }
    return nan ? plane[window_first_nan(plane, width, r0, r1, c0, c1)] : best;
}

#define ALWAYS_INLINE static inline __attribute__((always_inline))

// The pooling and upsampling loops below are written once and inlined twice by their
// callers: with the common 2 x 2 window (stride 2) as constants, so that the window loops
// of whole windows unroll, and with the general sizes.

ALWAYS_INLINE void max_pool_body(const float *input, long planes, long height, long width,
                 long pool_h, long pool_w, long stride_h, long stride_w,
                 long pad_top, long pad_left, long out_h, long out_w, float *output) {
    for (long p = 0; p < planes; p++) {
        const float *plane = input + p * height * width;
        float *out = output + p * out_h * out_w;
        for (long oh = 0; oh < out_h; oh++) {
            long r0, r1;
            clamp_window(oh * stride_h - pad_top, pool_h, height, &r0, &r1);
            for (long ow = 0; ow < out_w; ow++) {
                long c0, c1;
                clamp_window(ow * stride_w - pad_left, pool_w, width, &c0, &c1);
                out[oh * out_w + ow] = r1 - r0 == pool_h && c1 - c0 == pool_w
                    ? window_max(plane, width, r0, r0 + pool_h, c0, c0 + pool_w)
                    : window_max(plane, width, r0, r1, c0, c1);
            }
        }
    }
}

ALWAYS_INLINE void max_pool_backward_body(const float *input, const float *output_gradient, long planes, long height, long width,
                          long pool_h, long pool_w, long stride_h, long stride_w,
                          long pad_top, long pad_left, long out_h, long out_w, float *input_gradient) {
    memset(input_gradient, 0, (size_t)(planes * height * width) * sizeof(float));
    for (long p = 0; p < planes; p++) {
        const float *plane = input + p * height * width;
        const float *gradient = output_gradient + p * out_h * out_w;
        float *destination = input_gradient + p * height * width;
        for (long oh = 0; oh < out_h; oh++) {
            long r0, r1;
            clamp_window(oh * stride_h - pad_top, pool_h, height, &r0, &r1);
            for (long ow = 0; ow < out_w; ow++) {
                long c0, c1;
                clamp_window(ow * stride_w - pad_left, pool_w, width, &c0, &c1);
                const long at = r1 - r0 == pool_h && c1 - c0 == pool_w
                    ? window_argmax(plane, width, r0, r0 + pool_h, c0, c0 + pool_w)
                    : window_argmax(plane, width, r0, r1, c0, c1);
                destination[at] += gradient[oh * out_w + ow];
            }
        }
    }
}

ALWAYS_INLINE void upsample_body(const float *input, long planes, long height, long width,
                         long factor_h, long factor_w, float *output) {
    const long out_w = width * factor_w;
    for (long p = 0; p < planes; p++) {
        const float *plane = input + p * height * width;
        float *out = output + p * height * factor_h * out_w;
        for (long y = 0; y < height; y++) {
            float *first = out + y * factor_h * out_w;
            for (long x = 0; x < width; x++) {
                const float v = plane[y * width + x];
                for (long k = 0; k < factor_w; k++) first[x * factor_w + k] = v;
            }
            for (long r = 1; r < factor_h; r++) memcpy(first + r * out_w, first, (size_t)out_w * sizeof(float));
        }
    }
}

ALWAYS_INLINE void upsample_backward_body(const float *output_gradient, long planes, long height, long width,
                                  long factor_h, long factor_w, float *input_gradient) {
    const long out_w = width * factor_w;
    for (long p = 0; p < planes; p++) {
        const float *gradient = output_gradient + p * height * factor_h * out_w;
        float *destination = input_gradient + p * height * width;
        for (long y = 0; y < height; y++) {
            for (long x = 0; x < width; x++) {
                float total = 0;
                for (long r = 0; r < factor_h; r++) {
                    const float *row = gradient + (y * factor_h + r) * out_w + x * factor_w;
                    for (long k = 0; k < factor_w; k++) total += row[k];
                }
                destination[y * width + x] = total;
            }
        }
    }
}

static int is_2x2(long pool_h, long pool_w, long stride_h, long stride_w) {
    return pool_h == 2 && pool_w == 2 && stride_h == 2 && stride_w == 2;
}

// One output row of whole 2 x 2 windows (window x covers columns 2x and 2x + 1 of the input
// rows `top` and `bottom`), in loops the compiler vectorises: the maximum and the
// backward pass's first maximum as selects in the window's order (the same choices as
// window_max and window_argmax), and only whether a NaN was seen, so that the caller redoes
// such a row with those (NaNs are rare; which one wins is not a select).
ALWAYS_INLINE int max_pool_row_2x2_body(const float *top, const float *bottom, long count, float *out) {
    int nan = 0;
    for (long x = 0; x < count; x++) {
        const float a = top[2 * x], b = top[2 * x + 1], c = bottom[2 * x], d = bottom[2 * x + 1];
        float best = a;
        best = b > best ? b : best;
        best = c > best ? c : best;
        best = d > best ? d : best;
        nan |= (a != a) | (b != b) | (c != c) | (d != d);
        out[x] = best;
    }
    return nan;
}

// The gradient of each window to its first maximum, zeros to the other three.
ALWAYS_INLINE int max_pool_backward_row_2x2_body(const float *top, const float *bottom, const float *gradient,
                                                 long count, float *gradient_top, float *gradient_bottom) {
    int nan = 0;
    for (long x = 0; x < count; x++) {
        const float a = top[2 * x], b = top[2 * x + 1], c = bottom[2 * x], d = bottom[2 * x + 1];
        float best = a;
        int at = 0;
        at = b > best ? 1 : at;
        best = b > best ? b : best;
        at = c > best ? 2 : at;
        best = c > best ? c : best;
        at = d > best ? 3 : at;
        nan |= (a != a) | (b != b) | (c != c) | (d != d);
        const float g = gradient[x];
        gradient_top[2 * x] = at == 0 ? g : 0.0f;
        gradient_top[2 * x + 1] = at == 1 ? g : 0.0f;
        gradient_bottom[2 * x] = at == 2 ? g : 0.0f;
        gradient_bottom[2 * x + 1] = at == 3 ? g : 0.0f;
    }
    return nan;
}

#define AE_DEFINE_POOLING_ROWS(NAME, TARGET)                                                              \
    __attribute__((target(TARGET))) static int max_pool_row_2x2_##NAME(const float *t, const float *b, long n, \
                                                                       float *o) {                        \
        return max_pool_row_2x2_body(t, b, n, o);                                                        \
    }                                                                                                    \
    __attribute__((target(TARGET))) static int max_pool_backward_row_2x2_##NAME(                          \
        const float *t, const float *b, const float *g, long n, float *gt, float *gb) {                   \
        return max_pool_backward_row_2x2_body(t, b, g, n, gt, gb);                                      \
    }
AE_VARIANTS(AE_DEFINE_POOLING_ROWS)
static int max_pool_row_2x2_base(const float *t, const float *b, long n, float *o) {
    return max_pool_row_2x2_body(t, b, n, o);
}
static int max_pool_backward_row_2x2_base(const float *t, const float *b, const float *g, long n, float *gt,
                                          float *gb) {
    return max_pool_backward_row_2x2_body(t, b, g, n, gt, gb);
}
static int max_pool_row_2x2(const float *t, const float *b, long n, float *o) {
    AE_DISPATCH(max_pool_row_2x2_, t, b, n, o)
}
static int max_pool_backward_row_2x2(const float *t, const float *b, const float *g, long n, float *gt, float *gb) {
    AE_DISPATCH(max_pool_backward_row_2x2_, t, b, g, n, gt, gb)
}

// 2 x 2 windows with stride 2 and no padding at the top or left: the rows of whole windows
// through max_pool_row_2x2, the windows cut by the bottom or right edge as max_pool_body.
static void max_pool_2x2(const float *input, long planes, long height, long width, long out_h, long out_w,
                         float *output) {
    const long whole_rows = height / 2 < out_h ? height / 2 : out_h, whole = width / 2 < out_w ? width / 2 : out_w;
    for (long p = 0; p < planes; p++) {
        const float *plane = input + p * height * width;
        for (long oh = 0; oh < out_h; oh++) {
            float *out = output + (p * out_h + oh) * out_w;
            long first = 0;
            if (oh < whole_rows) {
                const float *top = plane + 2 * oh * width;
                if (max_pool_row_2x2(top, top + width, whole, out))
                    for (long ow = 0; ow < whole; ow++)
                        out[ow] = window_max(plane, width, 2 * oh, 2 * oh + 2, 2 * ow, 2 * ow + 2);
                first = whole;
            }
            long r0, r1;
            clamp_window(2 * oh, 2, height, &r0, &r1);
            for (long ow = first; ow < out_w; ow++) {
                long c0, c1;
                clamp_window(2 * ow, 2, width, &c0, &c1);
                out[ow] = window_max(plane, width, r0, r1, c0, c1);
            }
        }
    }
}

static void serial_max_pool(const float *input, long planes, long height, long width,
                            long pool_h, long pool_w, long stride_h, long stride_w,
                            long pad_top, long pad_left, long out_h, long out_w, float *output) {
    if (is_2x2(pool_h, pool_w, stride_h, stride_w) && pad_top == 0 && pad_left == 0)
        max_pool_2x2(input, planes, height, width, out_h, out_w, output);
    else if (is_2x2(pool_h, pool_w, stride_h, stride_w))
        max_pool_body(input, planes, height, width, 2, 2, 2, 2, pad_top, pad_left, out_h, out_w, output);
    else
        max_pool_body(input, planes, height, width, pool_h, pool_w, stride_h, stride_w, pad_top, pad_left, out_h,
                      out_w, output);
}

// The backward pass of 2 x 2 windows with stride 2 that tile the planes exactly: each
// input element lies in one window, so each window writes its four gradients (its first
// maximum's and three zeros) without the planes being zeroed first.
static void max_pool_backward_tiled_2x2(const float *input, const float *output_gradient, long planes, long height,
                                        long width, float *input_gradient) {
    const long out_h = height / 2, out_w = width / 2;
    for (long p = 0; p < planes; p++) {
        const float *plane = input + p * height * width;
        const float *gradient = output_gradient + p * out_h * out_w;
        float *destination = input_gradient + p * height * width;
        for (long oh = 0; oh < out_h; oh++) {
            const float *top = plane + 2 * oh * width;
            float *gradient_top = destination + 2 * oh * width;
            if (!max_pool_backward_row_2x2(top, top + width, gradient + oh * out_w, out_w, gradient_top,
                                           gradient_top + width))
                continue;
            for (long ow = 0; ow < out_w; ow++) {   // a NaN in the row
                const long at = window_argmax(plane, width, 2 * oh, 2 * oh + 2, 2 * ow, 2 * ow + 2);
                float *top = destination + 2 * oh * width + 2 * ow;
                top[0] = top[1] = top[width] = top[width + 1] = 0;
                destination[at] = gradient[oh * out_w + ow];
            }
        }
    }
}

static void serial_max_pool_backward(const float *input, const float *output_gradient, long planes, long height,
                                     long width, long pool_h, long pool_w, long stride_h, long stride_w,
                                     long pad_top, long pad_left, long out_h, long out_w, float *input_gradient) {
    if (is_2x2(pool_h, pool_w, stride_h, stride_w) && pad_top == 0 && pad_left == 0 && out_h * 2 == height
        && out_w * 2 == width)
        max_pool_backward_tiled_2x2(input, output_gradient, planes, height, width, input_gradient);
    else if (is_2x2(pool_h, pool_w, stride_h, stride_w))
        max_pool_backward_body(input, output_gradient, planes, height, width, 2, 2, 2, 2, pad_top, pad_left, out_h,
                               out_w, input_gradient);
    else
        max_pool_backward_body(input, output_gradient, planes, height, width, pool_h, pool_w, stride_h, stride_w,
                               pad_top, pad_left, out_h, out_w, input_gradient);
}

static void serial_upsample_nearest(const float *input, long planes, long height, long width,
                                    long factor_h, long factor_w, float *output) {
    if (factor_h == 2 && factor_w == 2) upsample_body(input, planes, height, width, 2, 2, output);
    else upsample_body(input, planes, height, width, factor_h, factor_w, output);
}

static void serial_upsample_nearest_backward(const float *output_gradient, long planes, long height, long width,
                                             long factor_h, long factor_w, float *input_gradient) {
    if (factor_h == 2 && factor_w == 2) upsample_backward_body(output_gradient, planes, height, width, 2, 2, input_gradient);
    else upsample_backward_body(output_gradient, planes, height, width, factor_h, factor_w, input_gradient);
}

// A pooling or upsampling pass over planes: the arguments of the public function, and
// which one it is.
typedef struct {
    const float *input; const float *gradient; float *output;
    long planes, height, width, pool_h, pool_w, stride_h, stride_w, pad_top, pad_left, out_h, out_w;
    int parts;
} planes_job;

static void max_pool_task(void *context, int index) {
    const planes_job *j = (const planes_job *)context;
    long first, end;
    part_range(j->planes, j->parts, index, &first, &end);
    serial_max_pool(j->input + first * j->height * j->width, end - first, j->height, j->width, j->pool_h, j->pool_w,
                    j->stride_h, j->stride_w, j->pad_top, j->pad_left, j->out_h, j->out_w,
                    j->output + first * j->out_h * j->out_w);
}

void ae_max_pool(const float *input, long planes, long height, long width,
                 long pool_h, long pool_w, long stride_h, long stride_w,
                 long pad_top, long pad_left, long out_h, long out_w, float *output) {
    planes_job job = {input, 0, output, planes, height, width, pool_h, pool_w, stride_h, stride_w, pad_top, pad_left,
                      out_h, out_w, unit_parts(planes, height * width)};
    if (job.parts == 1) max_pool_task(&job, 0);
    else ae_parallel_for(job.parts, max_pool_task, &job);
}

static void max_pool_backward_task(void *context, int index) {
    const planes_job *j = (const planes_job *)context;
    long first, end;
    part_range(j->planes, j->parts, index, &first, &end);
    serial_max_pool_backward(j->input + first * j->height * j->width, j->gradient + first * j->out_h * j->out_w,
                             end - first, j->height, j->width, j->pool_h, j->pool_w, j->stride_h, j->stride_w,
                             j->pad_top, j->pad_left, j->out_h, j->out_w, j->output + first * j->height * j->width);
}

void ae_max_pool_backward(const float *input, const float *output_gradient, long planes, long height, long width,
                          long pool_h, long pool_w, long stride_h, long stride_w,
                          long pad_top, long pad_left, long out_h, long out_w, float *input_gradient) {
    planes_job job = {input, output_gradient, input_gradient, planes, height, width, pool_h, pool_w, stride_h,
                      stride_w, pad_top, pad_left, out_h, out_w, unit_parts(planes, height * width)};
    if (job.parts == 1) max_pool_backward_task(&job, 0);
    else ae_parallel_for(job.parts, max_pool_backward_task, &job);
}

static void upsample_task(void *context, int index) {
    const planes_job *j = (const planes_job *)context;
    long first, end;
    part_range(j->planes, j->parts, index, &first, &end);
    const long plane = j->height * j->width, factors = j->pool_h * j->pool_w;
    serial_upsample_nearest(j->input + first * plane, end - first, j->height, j->width, j->pool_h, j->pool_w,
                            j->output + first * plane * factors);
}

void ae_upsample_nearest(const float *input, long planes, long height, long width,
                         long factor_h, long factor_w, float *output) {
    planes_job job = {input, 0, output, planes, height, width, factor_h, factor_w, 0, 0, 0, 0, 0, 0,
                      unit_parts(planes, height * width * factor_h * factor_w)};
    if (job.parts == 1) upsample_task(&job, 0);
    else ae_parallel_for(job.parts, upsample_task, &job);
}

static void upsample_backward_task(void *context, int index) {
    const planes_job *j = (const planes_job *)context;
    long first, end;
    part_range(j->planes, j->parts, index, &first, &end);
    const long plane = j->height * j->width, factors = j->pool_h * j->pool_w;
    serial_upsample_nearest_backward(j->gradient + first * plane * factors, end - first, j->height, j->width,
                                     j->pool_h, j->pool_w, j->output + first * plane);
}

void ae_upsample_nearest_backward(const float *output_gradient, long planes, long height, long width,
                                  long factor_h, long factor_w, float *input_gradient) {
    planes_job job = {0, output_gradient, input_gradient, planes, height, width, factor_h, factor_w, 0, 0, 0, 0, 0, 0,
                      unit_parts(planes, height * width * factor_h * factor_w)};
    if (job.parts == 1) upsample_backward_task(&job, 0);
    else ae_parallel_for(job.parts, upsample_backward_task, &job);
}

void ae_copy(const float *source, long count, float *destination) {
    memcpy(destination, source, (size_t)count * sizeof(float));
}

// ---------------------------------------------------------------------------------------
// Direct stride-1 convolution, for layers with few filters: there the unfolded columns
// are far larger than the work of the product (a 16-channel 3x3 layer with one filter
// unfolds 144 floats per output to multiply each by one weight), and the direct loops,
// contiguous along each output row, run from the cache. Each pass is compiled twice, for
// the baseline and (on x86-64) for AVX2+FMA, whose 8-lane vectors and fused multiply-adds
// the compiler uses for the row loops; the active instruction set (ae_active_isa) picks.

#define DIRECT_LANES 64   // the partial sums of a weight gradient: one per output column, up to this many

ALWAYS_INLINE void direct_forward_body(void *context, int index) {
    const direct_job *j = (const direct_job *)context;
    const long image = j->channels * j->height * j->width, plane = j->out_h * j->out_w;
    long first, end;
    part_range(j->samples, j->parts, index, &first, &end);
    for (long s = first; s < end; s++) {
        for (long f = 0; f < j->filters; f++) {
            float *out = j->out + (s * j->filters + f) * plane;
            memset(out, 0, (size_t)plane * sizeof(float));
            for (long c = 0; c < j->channels; c++) {
                const float *in = j->images + s * image + c * j->height * j->width;
                for (long i = 0; i < j->kernel_h; i++) {
                    long row_lo, row_hi;
                    valid_range(i - j->pad_top, 1, j->height, j->out_h, &row_lo, &row_hi);
                    for (long k = 0; k < j->kernel_w; k++) {
                        const float w = j->weight[((f * j->channels + c) * j->kernel_h + i) * j->kernel_w + k];
                        long col_lo, col_hi;
                        valid_range(k - j->pad_left, 1, j->width, j->out_w, &col_lo, &col_hi);
                        for (long oh = row_lo; oh < row_hi; oh++) {
                            float *destination = out + oh * j->out_w;
                            const float *source = in + (oh + i - j->pad_top) * j->width + (k - j->pad_left);
                            for (long ow = col_lo; ow < col_hi; ow++) destination[ow] += w * source[ow];
                        }
                    }
                }
            }
            ae_plane_bias_activate(out, plane, j->bias[f], j->f);
        }
    }
}

static void direct_forward_task(void *context, int index) { direct_forward_body(context, index); }
#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static void direct_forward_task_avx2(void *context, int index) { direct_forward_body(context, index); }
#endif

// The pass for the active instruction set: register-blocked on AVX2 where the window is
// narrow enough (convolution_direct_avx2.c), else direct_forward_body compiled for it.
static ae_task direct_forward_variant(const direct_job *j) {
#if defined(__x86_64__)
    if (ae_active_isa() >= AE_ISA_AVX2_FMA)
        return j->kernel_w <= AE_DIRECT_AVX2_MAX_WIDTH ? ae_direct_forward_avx2 : direct_forward_task_avx2;
#else
    (void)j;
#endif
    return direct_forward_task;
}

void ae_conv2d_direct(const float *images, long samples, long channels, long height, long width,
                      long kernel_h, long kernel_w, long pad_top, long pad_left, long out_h, long out_w,
                      const float *weight, long filters, const float *bias, ae_nonlinearity f, float *output) {
    if (samples <= 0) return;
    direct_job job = {images, weight, bias, 0, output, samples, channels, height, width, kernel_h, kernel_w,
                      pad_top, pad_left, out_h, out_w, filters, f,
                      unit_parts(samples, filters * channels * kernel_h * kernel_w * out_h * out_w)};
    if (job.parts == 1) direct_forward_variant(&job)(&job, 0);
    else ae_parallel_for(job.parts, direct_forward_variant(&job), &job);
}

// The weight gradients of the (filter, channel) pairs [first, end): each a sum over every
// sample, so the parts write disjoint weights.
ALWAYS_INLINE void direct_weight_gradient_body(void *context, int index) {
    const direct_job *j = (const direct_job *)context;
    const long image = j->channels * j->height * j->width, plane = j->out_h * j->out_w;
    const long taps = j->kernel_h * j->kernel_w;
    long first, end;
    part_range(j->filters * j->channels, j->parts, index, &first, &end);
    for (long pair = first; pair < end; pair++) {
        const long f = pair / j->channels, c = pair % j->channels;
        float *gradient = j->out + pair * taps;
        for (long i = 0; i < j->kernel_h; i++) {
            long row_lo, row_hi;
            valid_range(i - j->pad_top, 1, j->height, j->out_h, &row_lo, &row_hi);
            for (long k = 0; k < j->kernel_w; k++) {
                long col_lo, col_hi;
                valid_range(k - j->pad_left, 1, j->width, j->out_w, &col_lo, &col_hi);
                // Lane-wise partial sums (a loop the compiler vectorises, unlike one
                // running total), over every sample and row, then added up.
                double total = 0;
                for (long start = col_lo; start < col_hi; start += DIRECT_LANES) {
                    const long n = col_hi - start < DIRECT_LANES ? col_hi - start : DIRECT_LANES;
                    float lanes[DIRECT_LANES];
                    for (long q = 0; q < DIRECT_LANES; q++) lanes[q] = 0;
                    for (long s = 0; s < j->samples; s++) {
                        const float *in = j->images + s * image + c * j->height * j->width;
                        const float *delta = j->gradient + (s * j->filters + f) * plane;
                        for (long oh = row_lo; oh < row_hi; oh++) {
                            const float *d = delta + oh * j->out_w + start;
                            const float *source = in + (oh + i - j->pad_top) * j->width + (k - j->pad_left) + start;
                            for (long q = 0; q < n; q++) lanes[q] += d[q] * source[q];
                        }
                    }
                    for (long q = 0; q < n; q++) total += lanes[q];
                }
                gradient[i * j->kernel_w + k] = (float)total;
            }
        }
    }
}

static void direct_weight_gradient_task(void *context, int index) { direct_weight_gradient_body(context, index); }
#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static void direct_weight_gradient_task_avx2(void *context, int index) { direct_weight_gradient_body(context, index); }
#endif

// The pass for the active instruction set: register-blocked on AVX2 where the window is
// narrow enough (convolution_direct_avx2.c), else direct_weight_gradient_body compiled for it.
static ae_task direct_weight_gradient_variant(const direct_job *j) {
#if defined(__x86_64__)
    if (ae_active_isa() >= AE_ISA_AVX2_FMA)
        return j->kernel_w <= AE_DIRECT_AVX2_MAX_GRADIENT_WIDTH ? ae_direct_weight_gradient_avx2 : direct_weight_gradient_task_avx2;
#else
    (void)j;
#endif
    return direct_weight_gradient_task;
}

void ae_conv2d_direct_weight_gradient(const float *images, const float *output_gradient, long samples, long channels,
                                      long height, long width, long kernel_h, long kernel_w, long pad_top,
                                      long pad_left, long out_h, long out_w, long filters, float *weight_gradient) {
    direct_job job = {images, 0, 0, output_gradient, weight_gradient, samples, channels, height, width, kernel_h,
                      kernel_w, pad_top, pad_left, out_h, out_w, filters, AE_IDENTITY,
                      unit_parts(filters * channels, samples * kernel_h * kernel_w * out_h * out_w)};
    if (job.parts == 1) direct_weight_gradient_variant(&job)(&job, 0);
    else ae_parallel_for(job.parts, direct_weight_gradient_variant(&job), &job);
}

ALWAYS_INLINE void direct_input_gradient_body(void *context, int index) {
    const direct_job *j = (const direct_job *)context;
    const long image = j->channels * j->height * j->width, plane = j->out_h * j->out_w;
    long first, end;
    part_range(j->samples, j->parts, index, &first, &end);
    for (long s = first; s < end; s++) {
        memset(j->out + s * image, 0, (size_t)image * sizeof(float));
        for (long c = 0; c < j->channels; c++) {
            float *gradient = j->out + s * image + c * j->height * j->width;
            for (long f = 0; f < j->filters; f++) {
                const float *delta = j->gradient + (s * j->filters + f) * plane;
                for (long i = 0; i < j->kernel_h; i++) {
                    long row_lo, row_hi;
                    valid_range(i - j->pad_top, 1, j->height, j->out_h, &row_lo, &row_hi);
                    for (long k = 0; k < j->kernel_w; k++) {
                        const float w = j->weight[((f * j->channels + c) * j->kernel_h + i) * j->kernel_w + k];
                        long col_lo, col_hi;
                        valid_range(k - j->pad_left, 1, j->width, j->out_w, &col_lo, &col_hi);
                        for (long oh = row_lo; oh < row_hi; oh++) {
                            const float *d = delta + oh * j->out_w;
                            float *destination = gradient + (oh + i - j->pad_top) * j->width + (k - j->pad_left);
                            for (long ow = col_lo; ow < col_hi; ow++) destination[ow] += w * d[ow];
                        }
                    }
                }
            }
        }
    }
}

static void direct_input_gradient_task(void *context, int index) { direct_input_gradient_body(context, index); }
#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static void direct_input_gradient_task_avx2(void *context, int index) { direct_input_gradient_body(context, index); }
#endif

// The pass for the active instruction set: register-blocked on AVX2 where the window is
// narrow enough (convolution_direct_avx2.c), else direct_input_gradient_body compiled for it.
static ae_task direct_input_gradient_variant(const direct_job *j) {
#if defined(__x86_64__)
    if (ae_active_isa() >= AE_ISA_AVX2_FMA)
        return j->kernel_w <= AE_DIRECT_AVX2_MAX_WIDTH ? ae_direct_input_gradient_avx2 : direct_input_gradient_task_avx2;
#else
    (void)j;
#endif
    return direct_input_gradient_task;
}

void ae_conv2d_direct_input_gradient(const float *output_gradient, long samples, long channels, long height,
                                     long width, long kernel_h, long kernel_w, long pad_top, long pad_left,
                                     long out_h, long out_w, const float *weight, long filters,
                                     float *input_gradient) {
    if (samples <= 0) return;
    direct_job job = {0, weight, 0, output_gradient, input_gradient, samples, channels, height, width, kernel_h,
                      kernel_w, pad_top, pad_left, out_h, out_w, filters, AE_IDENTITY,
                      unit_parts(samples, filters * channels * kernel_h * kernel_w * out_h * out_w)};
    if (job.parts == 1) direct_input_gradient_variant(&job)(&job, 0);
    else ae_parallel_for(job.parts, direct_input_gradient_variant(&job), &job);
}
