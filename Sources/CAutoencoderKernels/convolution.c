// The loops of the convolutional layers; see include/ae_convolution.h for the layouts.
//
// Plain portable C: the matrix products of a convolution run in the SGEMM, and these
// passes touch each element a few times at most. Window positions that fall in the
// padding are found per row by arithmetic (valid_range), not tested per element.

#include "ae_convolution.h"

#include <string.h>

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

void ae_im2col(const float *image, long channels, long height, long width,
               long kernel_h, long kernel_w, long stride_h, long stride_w,
               long pad_top, long pad_left, long out_h, long out_w, float *columns) {
    const long positions = out_h * out_w;
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
                memset(row, 0, (size_t)(row_lo * out_w) * sizeof(float));
                for (long oh = row_lo; oh < row_hi; oh++) {
                    const float *source = plane + (oh * stride_h + i - pad_top) * width;
                    float *destination = row + oh * out_w;
                    for (long ow = 0; ow < col_lo; ow++) destination[ow] = 0;
                    if (stride_w == 1) {
                        memcpy(destination + col_lo, source + col_lo + column_offset,
                               (size_t)(col_hi - col_lo) * sizeof(float));
                    } else {
                        for (long ow = col_lo; ow < col_hi; ow++) destination[ow] = source[ow * stride_w + column_offset];
                    }
                    for (long ow = col_hi; ow < out_w; ow++) destination[ow] = 0;
                }
                memset(row + row_hi * out_w, 0, (size_t)((out_h - row_hi) * out_w) * sizeof(float));
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
                    for (long ow = col_lo; ow < col_hi; ow++) destination[ow * stride_w + column_offset] += source[ow];
                }
            }
        }
    }
}

void ae_channel_bias_activate(float *values, long samples, long channels, long plane,
                              const float *bias, ae_nonlinearity f) {
    for (long s = 0; s < samples; s++) {
        for (long c = 0; c < channels; c++) {
            float *p = values + (s * channels + c) * plane;
            const float b = bias[c];
            switch (f) {
            case AE_RELU:
                for (long k = 0; k < plane; k++) {
                    const float v = p[k] + b;
                    p[k] = v < 0.0f ? 0.0f : v;   // NaN stays NaN, as in PyTorch
                }
                break;
            case AE_SIGMOID:
                for (long k = 0; k < plane; k++) p[k] += b;
                ae_sigmoid(p, p, plane);
                break;
            case AE_TANH:
                for (long k = 0; k < plane; k++) p[k] += b;
                ae_tanh(p, p, plane);
                break;
            case AE_IDENTITY:
                for (long k = 0; k < plane; k++) p[k] += b;
                break;
            default:   // leaky ReLU, ELU, softplus: the elementwise kernel's
                for (long k = 0; k < plane; k++) p[k] += b;
                ae_activate(p, p, plane, f);
                break;
            }
        }
    }
}

void ae_channel_sums(const float *values, long samples, long channels, long plane, float *sums) {
    for (long c = 0; c < channels; c++) {
        double total = 0;
        for (long s = 0; s < samples; s++) {
            const float *p = values + (s * channels + c) * plane;
            float partial = 0;
            for (long k = 0; k < plane; k++) partial += p[k];
            total += partial;
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

void ae_max_pool(const float *input, long planes, long height, long width,
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
                out[oh * out_w + ow] = window_max(plane, width, r0, r1, c0, c1);
            }
        }
    }
}

void ae_max_pool_backward(const float *input, const float *output_gradient, long planes, long height, long width,
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
                destination[window_argmax(plane, width, r0, r1, c0, c1)] += gradient[oh * out_w + ow];
            }
        }
    }
}

void ae_upsample_nearest(const float *input, long planes, long height, long width,
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

void ae_upsample_nearest_backward(const float *output_gradient, long planes, long height, long width,
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

void ae_copy(const float *source, long count, float *destination) {
    memcpy(destination, source, (size_t)count * sizeof(float));
}
