// The fused elementwise kernels; see include/ae_elementwise.h for the memory layout.
//
// Each kernel body is written once, over clang's 16-lane vector extension, and compiled
// three times: for AVX-512F, for AVX2+FMA and for the build's baseline, through target
// attributes (see vector_internal.h). A kernel's first call picks the widest variant the
// CPU runs and caches it. Plain Swift cannot do this: its SIMD types are compiled for
// the baseline only, where square roots and exponentials fall back to scalar code.
//
// exp(x): Cody-Waite reduction x = n ln2 + r, a degree-6 polynomial for e^r on
// |r| <= ln2/2 and 2^n built in the exponent bits; relative error below 2e-7 on
// [-87.3, 88.3], to which x is clamped (NaN passes through unchanged).
//
// 1/d (in the sigmoid, tanh and Adam): a division costs a 16-lane vector 6 cycles or
// more on Zen 4, which made Adam bound by its arithmetic rather than by memory (130 µs
// for the autoencoder's 468,000 parameters on one core with the division, 90 µs with the
// estimate below, 76 µs for the memory traffic alone). The
// AVX-512 and AVX2 variants instead refine the hardware's reciprocal estimate (14 or 12
// correct bits) by one Newton step, r + r(1 - dr), to within about 2 ulp of 1/d; the
// baseline divides. Each body takes the variant's reciprocal as a parameter, so that
// the intrinsics stay in functions compiled for their instruction set.

#include "ae_elementwise.h"

#include "ae_parallel.h"
#include "vector_internal.h"

#include <math.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Replaces *value by its reciprocal. (Through a pointer: a function whose address is
// taken cannot pass 16-lane vectors by value under AVX2 or the baseline.)
typedef void (*reciprocal_fn)(vf *value);

INLINE void reciprocal_base(vf *value) { *value = 1.0f / *value; }

#if defined(__x86_64__)
// One Newton step from the estimate r0 of 1/d. r0 == 0 (d beyond 2^126) stays 0.
// (A macro: a helper taking vectors cannot be shared by functions of different targets.)
#define AE_REFINE_RECIPROCAL(d, r0) ((r0) + (r0) * (1.0f - (d) * (r0)))

__attribute__((target("avx512f"))) INLINE void reciprocal_avx512(vf *value) {
    const vf d = *value, r0 = (vf)_mm512_rcp14_ps((__m512)d);
    *value = AE_REFINE_RECIPROCAL(d, r0);
}

__attribute__((target("avx2,fma"))) INLINE void reciprocal_avx2(vf *value) {
    typedef float half __attribute__((ext_vector_type(8)));
    vf r0;
    r0.lo = (half)_mm256_rcp_ps((__m256)value->lo);
    r0.hi = (half)_mm256_rcp_ps((__m256)value->hi);
    const vf d = *value;
    *value = AE_REFINE_RECIPROCAL(d, r0);
}
#endif

INLINE vf exp_v(vf x) {
    x = select_where(x < splat(-87.3f), splat(-87.3f), x);
    x = select_where(x > splat(88.3f), splat(88.3f), x);
    vf shifted = x * 1.44269504f + 12582912.0f;   // 1.5 * 2^23 rounds x/ln2 to an integer n
    vf n = shifted - 12582912.0f;
    vf r = x - n * 0.693145751953125f - n * 1.428606765330187e-6f;
    vf p = r * (1.0f / 720.0f) + (1.0f / 120.0f);
    p = p * r + (1.0f / 24.0f);
    p = p * r + (1.0f / 6.0f);
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    vu bits = ((vu)shifted + 127u) << 23;          // 2^n in the exponent field
    return p * (vf)bits;
}

// exp_v is clamped, so the denominators are finite.
INLINE vf sigmoid_v(vf x, reciprocal_fn reciprocal) {
    vf y = 1.0f + exp_v(-x);
    reciprocal(&y);
    return y;
}
INLINE vf tanh_v(vf x, reciprocal_fn reciprocal) {
    vf y = exp_v(x + x) + 1.0f;
    reciprocal(&y);
    return 1.0f - 2.0f * y;
}

// ELU: x > 0 ? x : e^x - 1. NaN fails x > 0 and comes out of exp_v as NaN.
INLINE vf elu_v(vf x) {
    return select_where(x > splat(0.0f), x, exp_v(x) - 1.0f);
}

// log(1 + u) for u in [0, 1] (NaN stays NaN): 2 atanh(t) with t = u / (2 + u) in
// [0, 1/3], by its series to t^17 (truncation below 2e-9 relative). Computing t from u,
// rather than log(1 + u) from the rounded 1 + u, keeps tiny u's relative precision.
INLINE vf log1p_unit_v(vf u, reciprocal_fn reciprocal) {
    vf d = u + 2.0f;
    reciprocal(&d);
    const vf t = u * d, t2 = t * t;
    vf p = t2 * (1.0f / 17.0f) + (1.0f / 15.0f);
    p = p * t2 + (1.0f / 13.0f);
    p = p * t2 + (1.0f / 11.0f);
    p = p * t2 + (1.0f / 9.0f);
    p = p * t2 + (1.0f / 7.0f);
    p = p * t2 + (1.0f / 5.0f);
    p = p * t2 + (1.0f / 3.0f);
    p = p * t2 + 1.0f;
    return 2.0f * t * p;
}

// softplus: max(x, 0) + log1p(e^-|x|); exp_v is clamped, so e^-|x| is in (0, 1].
// NaN fails x < 0 and stays NaN through the sum.
INLINE vf softplus_v(vf x, reciprocal_fn reciprocal) {
    const vf magnitude = (vf)((vu)x & 0x7fffffffu);
    return select_where(x < splat(0.0f), splat(0.0f), x) + log1p_unit_v(exp_v(-magnitude), reciprocal);
}

// log(q) for positive normal q (the clamped probabilities of the cross-entropy; NaN is
// the caller's to handle):
// q = 2^e m with m in [sqrt(1/2), sqrt(2)), log m = log1p(m - 1) by the series above,
// which holds for |m - 1| <= 0.42 (|t| <= 0.18). m - 1 is exact, so q near 1 keeps its
// small logarithm's relative precision.
INLINE vf log_v(vf q, reciprocal_fn reciprocal) {
    const vu bits = (vu)q;
    vf e = __builtin_convertvector((vi)(bits >> 23) - 127, vf);
    vf m = (vf)((bits & 0x007fffffu) | 0x3f800000u);
    const vi big = m > splat(1.41421356f);
    m = select_where(big, m * 0.5f, m);
    e = select_where(big, e + 1.0f, e);
    return e * 0.693147181f + log1p_unit_v(m - 1.0f, reciprocal);
}

INLINE vf apply_v(ae_nonlinearity f, vf x, reciprocal_fn reciprocal) {
    switch (f) {
    case AE_SIGMOID: return sigmoid_v(x, reciprocal);
    case AE_TANH: return tanh_v(x, reciprocal);
    case AE_RELU: return select_where(x < splat(0.0f), splat(0.0f), x);   // NaN stays NaN, as in PyTorch
    case AE_LEAKY_RELU: return select_where(x < splat(0.0f), x * AE_LEAKY_RELU_SLOPE, x);
    case AE_ELU: return elu_v(x);
    case AE_SOFTPLUS: return softplus_v(x, reciprocal);
    default: return x;
    }
}

// Through the output y = f(x): leaky ReLU's y > 0 exactly when x > 0; ELU's e^x is
// y + 1 where x <= 0; softplus's sigmoid(x) is 1 - e^-y.
INLINE vf derivative_v(ae_nonlinearity f, vf y) {
    switch (f) {
    case AE_SIGMOID: return y * (1.0f - y);
    case AE_TANH: return 1.0f - y * y;
    case AE_RELU: return select_where(y > splat(0.0f), splat(1.0f), splat(0.0f));
    case AE_LEAKY_RELU: return select_where(y > splat(0.0f), splat(1.0f), splat(AE_LEAKY_RELU_SLOPE));
    case AE_ELU: return select_where(y > splat(0.0f), splat(1.0f), y + 1.0f);
    case AE_SOFTPLUS: return 1.0f - exp_v(-y);
    default: return splat(1.0f);
    }
}

// ---------------------------------------------------------------------------------------
// Kernel bodies, generic over the target.

INLINE void map_body(const float *in, float *out, long count, int which, reciprocal_fn reciprocal) {
    for (long i = 0; i < count; i += W) {
        long left = count - i < W ? count - i : W;
        vf x = left == W ? load(in + i) : load_partial(in + i, left);
        vf y = which == 0 ? exp_v(x) : which == 1 ? sigmoid_v(x, reciprocal) : which == 2 ? tanh_v(x, reciprocal)
             : which == 3 ? apply_v(AE_LEAKY_RELU, x, reciprocal) : which == 4 ? elu_v(x) : softplus_v(x, reciprocal);
        if (left == W) store(out + i, y); else store_partial(out + i, y, left);
    }
}

// Rows narrower than AE_NARROW_ROWS values and not a multiple of 16 go as one flat run of
// values, the bias repeated along it from a tiled copy (columns x 16 values: the pattern of
// bias vectors repeats every `columns` vectors), instead of a partial vector per row, which
// goes through a buffer and a call to memcpy (load_partial): rows of 10 values took 43 ns
// each. An element's result does not depend on which vector holds it.
#define AE_NARROW_ROWS 64

INLINE void bias_activate_flat(float *values, long count, long columns, const float *bias, ae_nonlinearity f,
                               reciprocal_fn reciprocal) {
    float tiled[AE_NARROW_ROWS * W];
    for (long i = 0; i < columns * W; i++) tiled[i] = bias[i % columns];
    long i = 0, phase = 0;
    for (; i + W <= count; i += W) {
        store(values + i, apply_v(f, load(values + i) + load(tiled + phase), reciprocal));
        phase = phase + W == columns * W ? 0 : phase + W;
    }
    if (i < count) {
        store_partial(values + i, apply_v(f, load_partial(values + i, count - i) + load(tiled + phase), reciprocal), count - i);
    }
}

INLINE void bias_activate_body(float *values, long rows, long columns, const float *bias, ae_nonlinearity f,
                               reciprocal_fn reciprocal) {
    if (columns % W != 0 && columns < AE_NARROW_ROWS) {
        bias_activate_flat(values, rows * columns, columns, bias, f, reciprocal);
        return;
    }
    for (long r = 0; r < rows; r++) {
        float *row = values + r * columns;
        for (long c = 0; c < columns; c += W) {
            long left = columns - c < W ? columns - c : W;
            if (left == W) {
                store(row + c, apply_v(f, load(row + c) + load(bias + c), reciprocal));
            } else {
                store_partial(row + c, apply_v(f, load_partial(row + c, left) + load_partial(bias + c, left), reciprocal), left);
            }
        }
    }
}

INLINE void activate_body(const float *in, float *out, long count, ae_nonlinearity f, reciprocal_fn reciprocal) {
    long i = 0;
    for (; i + W <= count; i += W) store(out + i, apply_v(f, load(in + i), reciprocal));
    if (i < count) store_partial(out + i, apply_v(f, load_partial(in + i, count - i), reciprocal), count - i);
}

INLINE void multiply_derivative_body(float *gradient, const float *output, long count, ae_nonlinearity f) {
    long i = 0;
    for (; i + W <= count; i += W) store(gradient + i, load(gradient + i) * derivative_v(f, load(output + i)));
    if (i < count) {
        long left = count - i;
        store_partial(gradient + i, load_partial(gradient + i, left) * derivative_v(f, load_partial(output + i, left)), left);
    }
}

INLINE double squared_error_body(const float *prediction, const float *target, long count, float scale, float *gradient) {
    double total = 0;
    for (long start = 0; start < count; start += 4096) {
        long end = start + 4096 < count ? start + 4096 : count;
        vf lanes = splat(0.0f);
        long i = start;
        for (; i + W <= end; i += W) {
            vf d = load(prediction + i) - load(target + i);
            lanes += d * d;
            if (gradient) store(gradient + i, d * scale);
        }
        if (i < end) {
            long left = end - i;
            vf d = load_partial(prediction + i, left) - load_partial(target + i, left);
            lanes += d * d;
            if (gradient) store_partial(gradient + i, d * scale, left);
        }
        float sum = 0;
        for (int lane = 0; lane < W; lane++) sum += lanes[lane];
        total += sum;
    }
    return total;
}

// The blocked losses (ae_squared_error, ae_binary_cross_entropy).
enum { AE_LOSS_SQUARED = 0, AE_LOSS_LOGITS = 1, AE_LOSS_PROBABILITIES = 2 };

// Binary cross-entropy over one block, as squared_error_body: the element losses summed in
// float lanes, and scale times their derivative into gradient.
// From logits z: max(z, 0) - z t + log1p(e^-|z|), derivative sigmoid(z) - t.
// From probabilities p, clamped to [eps, 1 - eps]: -(t log p + (1 - t) log(1 - p)),
// derivative (p - t) / (p (1 - p)) inside the clamp and 0 where it holds p.
INLINE double cross_entropy_body(const float *prediction, const float *target, long count, float scale, float *gradient,
                                 int from_logits, reciprocal_fn reciprocal) {
    const float low = AE_CROSS_ENTROPY_EPSILON, high = 1.0f - AE_CROSS_ENTROPY_EPSILON;
    double total = 0;
    for (long start = 0; start < count; start += 4096) {
        long end = start + 4096 < count ? start + 4096 : count;
        vf lanes = splat(0.0f);
        for (long i = start; i < end; i += W) {
            const long left = end - i < W ? end - i : W;
            const int full = left == W;
            const vf p = full ? load(prediction + i) : load_partial(prediction + i, left);
            const vf t = full ? load(target + i) : load_partial(target + i, left);
            vf loss, derivative;
            if (from_logits) {
                const vf magnitude = (vf)((vu)p & 0x7fffffffu);
                loss = select_where(p < splat(0.0f), splat(0.0f), p) - p * t + log1p_unit_v(exp_v(-magnitude), reciprocal);
                derivative = sigmoid_v(p, reciprocal) - t;
            } else {
                vf q = select_where(p < splat(low), splat(low), p);
                q = select_where(q > splat(high), splat(high), q);
                const vf one_minus = 1.0f - q;
                loss = -(t * log_v(q, reciprocal) + (1.0f - t) * log_v(one_minus, reciprocal));
                loss = select_where(p != p, p, loss);   // NaN, which the clamp keeps, stays NaN
                vf denominator = q * one_minus;
                reciprocal(&denominator);
                const vi inside = (p >= splat(low)) & (p <= splat(high));
                derivative = select_where(inside, (q - t) * denominator, splat(0.0f));
            }
            // The padding of a partial vector adds nothing.
            if (!full) {
                const vi lane = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
                loss = select_where(lane < (vi)(int32_t)left, loss, splat(0.0f));
            }
            lanes += loss;
            if (gradient) {
                if (full) store(gradient + i, derivative * scale);
                else store_partial(gradient + i, derivative * scale, left);
            }
        }
        float sum = 0;
        for (int lane = 0; lane < W; lane++) sum += lanes[lane];
        total += sum;
    }
    return total;
}

// sums[c] <- sum over rows of values[r * stride + c], for c < columns.
INLINE void sum_rows_body(const float *values, long rows, long columns, long stride, float *sums) {
    for (long c = 0; c < columns; c += W) {
        long left = columns - c < W ? columns - c : W;
        vf acc = splat(0.0f);
        for (long r = 0; r < rows; r++) {
            const float *p = values + r * stride + c;
            acc += left == W ? load(p) : load_partial(p, left);
        }
        if (left == W) store(sums + c, acc); else store_partial(sums + c, acc, left);
    }
}

// gradient[r][c] *= f'(output[r][c]) and sums[c] <- sum over rows of the products, for
// c < columns (rows `stride` floats apart): multiply_derivative_body and sum_rows_body in
// one pass, with the same bits (each column is summed over the rows in order from zero).
// AE_DELTA_VECTORS vectors of columns at a time, so that their sums stay in registers.
#define AE_DELTA_VECTORS 4
// Rows narrower than AE_NARROW_ROWS that make the whole matrix (no other thread's
// columns between them): the products as one flat run, then the sums from the products,
// each column over the rows in order from zero as below. A row's last vector is read whole
// wherever 16 values remain; its lanes past the row (the next rows' values) add into lanes
// of the sums that are never stored.
INLINE void derivative_and_sums_narrow(float *gradient, const float *output, long rows, long columns,
                                       ae_nonlinearity f, float *sums) {
    multiply_derivative_body(gradient, output, rows * columns, f);
    const float *end = gradient + rows * columns;
    vf acc[AE_NARROW_ROWS / W];
    for (int q = 0; q < AE_NARROW_ROWS / W; q++) acc[q] = splat(0.0f);
    for (long r = 0; r < rows; r++) {
        const float *g = gradient + r * columns;
        for (int q = 0; q * W < columns; q++) {
            const long n = columns - q * W < W ? columns - q * W : W;
            acc[q] += g + q * W + W <= end ? load(g + q * W) : load_partial(g + q * W, n);
        }
    }
    for (int q = 0; q * W < columns; q++) {
        const long n = columns - q * W < W ? columns - q * W : W;
        store_partial(sums + q * W, acc[q], n);
    }
}

INLINE void derivative_and_sums_body(float *gradient, const float *output, long rows, long columns, long stride,
                                     ae_nonlinearity f, float *sums) {
    if (columns == stride && columns < AE_NARROW_ROWS) {
        derivative_and_sums_narrow(gradient, output, rows, columns, f, sums);
        return;
    }
    for (long c0 = 0; c0 < columns; c0 += AE_DELTA_VECTORS * W) {
        vf acc[AE_DELTA_VECTORS];
        for (int q = 0; q < AE_DELTA_VECTORS; q++) acc[q] = splat(0.0f);
        const long width = columns - c0 < AE_DELTA_VECTORS * W ? columns - c0 : AE_DELTA_VECTORS * W;
        if (width == AE_DELTA_VECTORS * W) {
            for (long r = 0; r < rows; r++) {
                float *g = gradient + r * stride + c0;
                const float *y = output + r * stride + c0;
                _Pragma("clang loop unroll(full)") for (int q = 0; q < AE_DELTA_VECTORS; q++) {
                    const vf d = load(g + q * W) * derivative_v(f, load(y + q * W));
                    store(g + q * W, d);
                    acc[q] += d;
                }
            }
            for (int q = 0; q < AE_DELTA_VECTORS; q++) store(sums + c0 + q * W, acc[q]);
        } else {
            for (long r = 0; r < rows; r++) {
                float *g = gradient + r * stride + c0;
                const float *y = output + r * stride + c0;
                for (int q = 0; q * W < width; q++) {
                    const long n = width - q * W < W ? width - q * W : W;
                    if (n == W) {
                        const vf d = load(g + q * W) * derivative_v(f, load(y + q * W));
                        store(g + q * W, d);
                        acc[q] += d;
                    } else {
                        const vf d = load_partial(g + q * W, n) * derivative_v(f, load_partial(y + q * W, n));
                        store_partial(g + q * W, d, n);
                        acc[q] += d;
                    }
                }
            }
            for (int q = 0; q * W < width; q++) {
                const long n = width - q * W < W ? width - q * W : W;
                store_partial(sums + c0 + q * W, acc[q], n);
            }
        }
    }
}

INLINE int all_finite_body(const float *values, long count) {
    vf acc = splat(0.0f);   // x * 0 is 0 for finite x, NaN for NaN and infinities
    long i = 0;
    for (; i + W <= count; i += W) acc += load(values + i) * 0.0f;
    if (i < count) acc += load_partial(values + i, count - i) * 0.0f;
    float sum = 0;
    for (int lane = 0; lane < W; lane++) sum += acc[lane];
    return sum == 0.0f;
}

// sqrt(v) + epsilon is capped at the largest float, so that an infinite v (a finite but
// enormous gradient, squared) gives a step of about zero, as dividing by infinity does,
// rather than the NaN of infinity times the estimate's zero.
INLINE void adam_body(float *parameters, const float *gradients, float *m, float *v, long count,
                      float step_size, float beta1, float beta2, float epsilon, reciprocal_fn reciprocal) {
    float a1 = 1.0f - beta1, a2 = 1.0f - beta2;
    for (long i = 0; i < count; i += W) {
        long left = count - i < W ? count - i : W;
        int full = left == W;
        vf g = full ? load(gradients + i) : load_partial(gradients + i, left);
        vf mi = full ? load(m + i) : load_partial(m + i, left);
        vf vi_ = full ? load(v + i) : load_partial(v + i, left);
        vf p = full ? load(parameters + i) : load_partial(parameters + i, left);
        mi += (g - mi) * a1;
        vi_ += (g * g - vi_) * a2;
        vf d = __builtin_elementwise_sqrt(vi_) + epsilon;
        d = select_where(d > splat(3.40282347e38f), splat(3.40282347e38f), d);
        reciprocal(&d);
        p -= (mi * step_size) * d;
        if (full) {
            store(m + i, mi); store(v + i, vi_); store(parameters + i, p);
        } else {
            store_partial(m + i, mi, left); store_partial(v + i, vi_, left); store_partial(parameters + i, p, left);
        }
    }
}


// ---------------------------------------------------------------------------------------
// The three compilations of every body, and the dispatch.

#define AE_DEFINE(NAME, TARGET)                                                                    \
    __attribute__((target(TARGET))) static void map_##NAME(const float *in, float *out, long n, int w) { map_body(in, out, n, w, reciprocal_##NAME); } \
    __attribute__((target(TARGET))) static void bias_activate_##NAME(float *x, long r, long c, const float *b, ae_nonlinearity f) { bias_activate_body(x, r, c, b, f, reciprocal_##NAME); } \
    __attribute__((target(TARGET))) static void activate_##NAME(const float *x, float *y, long n, ae_nonlinearity f) { activate_body(x, y, n, f, reciprocal_##NAME); } \
    __attribute__((target(TARGET))) static void multiply_derivative_##NAME(float *g, const float *y, long n, ae_nonlinearity f) { multiply_derivative_body(g, y, n, f); } \
    __attribute__((target(TARGET))) static double loss_##NAME(int k, const float *p, const float *t, long n, float s, float *g) { return k == AE_LOSS_SQUARED ? squared_error_body(p, t, n, s, g) : cross_entropy_body(p, t, n, s, g, k == AE_LOSS_LOGITS, reciprocal_##NAME); } \
    __attribute__((target(TARGET))) static void sum_rows_##NAME(const float *x, long r, long c, long t, float *s) { sum_rows_body(x, r, c, t, s); } \
    __attribute__((target(TARGET))) static void derivative_and_sums_##NAME(float *g, const float *y, long r, long c, long t, ae_nonlinearity f, float *s) { derivative_and_sums_body(g, y, r, c, t, f, s); } \
    __attribute__((target(TARGET))) static int all_finite_##NAME(const float *x, long n) { return all_finite_body(x, n); } \
    __attribute__((target(TARGET))) static void adam_##NAME(float *p, const float *g, float *m, float *v, long n, float s, float b1, float b2, float e) { adam_body(p, g, m, v, n, s, b1, b2, e, reciprocal_##NAME); }

AE_VARIANTS(AE_DEFINE)

static void map_base(const float *in, float *out, long n, int w) { map_body(in, out, n, w, reciprocal_base); }
static void bias_activate_base(float *x, long r, long c, const float *b, ae_nonlinearity f) { bias_activate_body(x, r, c, b, f, reciprocal_base); }
static void activate_base(const float *x, float *y, long n, ae_nonlinearity f) { activate_body(x, y, n, f, reciprocal_base); }
static void multiply_derivative_base(float *g, const float *y, long n, ae_nonlinearity f) { multiply_derivative_body(g, y, n, f); }
static double loss_base(int k, const float *p, const float *t, long n, float s, float *g) { return k == AE_LOSS_SQUARED ? squared_error_body(p, t, n, s, g) : cross_entropy_body(p, t, n, s, g, k == AE_LOSS_LOGITS, reciprocal_base); }
static void sum_rows_base(const float *x, long r, long c, long t, float *s) { sum_rows_body(x, r, c, t, s); }
static void derivative_and_sums_base(float *g, const float *y, long r, long c, long t, ae_nonlinearity f, float *s) { derivative_and_sums_body(g, y, r, c, t, f, s); }
static int all_finite_base(const float *x, long n) { return all_finite_body(x, n); }
static void adam_base(float *p, const float *g, float *m, float *v, long n, float s, float b1, float b2, float e) { adam_body(p, g, m, v, n, s, b1, b2, e, reciprocal_base); }

static void bias_activate_serial(float *values, long rows, long columns, const float *bias, ae_nonlinearity f) {
    AE_DISPATCH(bias_activate_, values, rows, columns, bias, f)
}
static void activate_serial(const float *in, float *out, long count, ae_nonlinearity f) {
    AE_DISPATCH(activate_, in, out, count, f)
}
static void multiply_derivative_serial(float *gradient, const float *output, long count, ae_nonlinearity f) {
    AE_DISPATCH(multiply_derivative_, gradient, output, count, f)
}
static double loss_serial(int kind, const float *prediction, const float *target, long count, float scale, float *gradient) {
    AE_DISPATCH(loss_, kind, prediction, target, count, scale, gradient)
}
static void sum_rows_strided(const float *values, long rows, long columns, long stride, float *sums) {
    AE_DISPATCH(sum_rows_, values, rows, columns, stride, sums)
}
static void derivative_and_sums_strided(float *gradient, const float *output, long rows, long columns, long stride,
                                        ae_nonlinearity f, float *sums) {
    AE_DISPATCH(derivative_and_sums_, gradient, output, rows, columns, stride, f, sums)
}
static int all_finite_serial(const float *values, long count) {
    AE_DISPATCH(all_finite_, values, count)
}
static void adam_serial(float *parameters, const float *gradients, float *m, float *v, long count,
                        float step_size, float beta1, float beta2, float epsilon) {
    AE_DISPATCH(adam_, parameters, gradients, m, v, count, step_size, beta1, beta2, epsilon)
}
void ae_exp(const float *in, float *out, long count) { AE_DISPATCH(map_, in, out, count, 0) }
void ae_sigmoid(const float *in, float *out, long count) { AE_DISPATCH(map_, in, out, count, 1) }
void ae_tanh(const float *in, float *out, long count) { AE_DISPATCH(map_, in, out, count, 2) }

int ae_map_variant(int variant, int function, const float *in, float *out, long count) {
    if (variant < ISA_BASE || variant > (int)ae_cpu_isa() || function < 0 || function > 5) return 0;
    switch (variant) {
#if defined(__x86_64__)
    case ISA_AVX512: map_avx512(in, out, count, function); break;
    case ISA_AVX2: map_avx2(in, out, count, function); break;
#endif
    default: map_base(in, out, count, function); break;
    }
    return 1;
}

int ae_binary_cross_entropy_variant(int variant, const float *prediction, const float *target, long count, int from_logits,
                                    float scale, float *gradient, double *sum) {
    if (variant < ISA_BASE || variant > (int)ae_cpu_isa()) return 0;
    const int kind = from_logits ? AE_LOSS_LOGITS : AE_LOSS_PROBABILITIES;
    switch (variant) {
#if defined(__x86_64__)
    case ISA_AVX512: *sum = loss_avx512(kind, prediction, target, count, scale, gradient); break;
    case ISA_AVX2: *sum = loss_avx2(kind, prediction, target, count, scale, gradient); break;
#endif
    default: *sum = loss_base(kind, prediction, target, count, scale, gradient); break;
    }
    return 1;
}

int ae_adam_variant(int variant, float *parameters, const float *gradients, float *m, float *v, long count,
                    float step_size, float beta1, float beta2, float epsilon) {
    if (variant < ISA_BASE || variant > (int)ae_cpu_isa()) return 0;
    switch (variant) {
#if defined(__x86_64__)
    case ISA_AVX512: adam_avx512(parameters, gradients, m, v, count, step_size, beta1, beta2, epsilon); break;
    case ISA_AVX2: adam_avx2(parameters, gradients, m, v, count, step_size, beta1, beta2, epsilon); break;
#endif
    default: adam_base(parameters, gradients, m, v, count, step_size, beta1, beta2, epsilon); break;
    }
    return 1;
}

typedef struct {
    float *values; long rows; long columns; const float *bias; ae_nonlinearity f; int parts;
} bias_activate_job;

static void bias_activate_task(void *context, int index) {
    const bias_activate_job *j = (const bias_activate_job *)context;
    long start, length;
    ae_part(j->rows, 1, j->parts, index, &start, &length);
    bias_activate_serial(j->values + start * j->columns, length, j->columns, j->bias, j->f);
}

void ae_bias_activate(float *values, long rows, long columns, const float *bias, ae_nonlinearity f) {
    int parts = ae_parts(rows * columns);
    if (parts > rows) parts = (int)rows;
    if (parts <= 1) { bias_activate_serial(values, rows, columns, bias, f); return; }
    bias_activate_job job = {values, rows, columns, bias, f, parts};
    ae_parallel_for(parts, bias_activate_task, &job);
}

typedef struct {
    const float *in; float *out; long count; ae_nonlinearity f; int parts;
} activate_job;

static void activate_task(void *context, int index) {
    const activate_job *j = (const activate_job *)context;
    long start, length;
    ae_part(j->count, W, j->parts, index, &start, &length);
    activate_serial(j->in + start, j->out + start, length, j->f);
}

void ae_activate(const float *in, float *out, long count, ae_nonlinearity f) {
    int parts = ae_parts(count);
    if (parts <= 1) { activate_serial(in, out, count, f); return; }
    activate_job job = {in, out, count, f, parts};
    ae_parallel_for(parts, activate_task, &job);
}

typedef struct {
    float *gradient; const float *output; long count; ae_nonlinearity f; int parts;
} multiply_derivative_job;

static void multiply_derivative_task(void *context, int index) {
    const multiply_derivative_job *j = (const multiply_derivative_job *)context;
    long start, length;
    ae_part(j->count, W, j->parts, index, &start, &length);
    multiply_derivative_serial(j->gradient + start, j->output + start, length, j->f);
}

void ae_multiply_derivative(float *gradient, const float *output, long count, ae_nonlinearity f) {
    if (f == AE_IDENTITY) return;
    int parts = ae_parts(count);
    if (parts <= 1) { multiply_derivative_serial(gradient, output, count, f); return; }
    multiply_derivative_job job = {gradient, output, count, f, parts};
    ae_parallel_for(parts, multiply_derivative_task, &job);
}

typedef struct {
    float *parameters; const float *gradients; float *m; float *v; long count;
    float step_size, beta1, beta2, epsilon; int parts;
} adam_job;

static void adam_task(void *context, int index) {
    const adam_job *j = (const adam_job *)context;
    long start, length;
    ae_part(j->count, W, j->parts, index, &start, &length);
    adam_serial(j->parameters + start, j->gradients + start, j->m + start, j->v + start, length,
                j->step_size, j->beta1, j->beta2, j->epsilon);
}

void ae_adam(float *parameters, const float *gradients, float *m, float *v, long count,
             float step_size, float beta1, float beta2, float epsilon) {
    int parts = ae_parts(count);
    if (parts <= 1) { adam_serial(parameters, gradients, m, v, count, step_size, beta1, beta2, epsilon); return; }
    adam_job job = {parameters, gradients, m, v, count, step_size, beta1, beta2, epsilon, parts};
    ae_parallel_for(parts, adam_task, &job);
}

// The losses split at the serial kernel's 4096-element blocks and add the blocks' sums in
// order afterwards, so the result is bit for bit the serial one whatever the number of cores.
#define AE_LOSS_BLOCK 4096L
#define AE_LOSS_MAX_BLOCKS 1024L

typedef struct {
    int kind; const float *prediction; const float *target; long count; float scale; float *gradient;
    double *block_sums; int parts;
} loss_job;

static void loss_task(void *context, int index) {
    const loss_job *j = (const loss_job *)context;
    const long blocks = (j->count + AE_LOSS_BLOCK - 1) / AE_LOSS_BLOCK;
    const long first = blocks * index / j->parts, last = blocks * (index + 1) / j->parts;
    for (long b = first; b < last; b++) {
        const long start = b * AE_LOSS_BLOCK;
        const long length = j->count - start < AE_LOSS_BLOCK ? j->count - start : AE_LOSS_BLOCK;
        j->block_sums[b] = loss_serial(j->kind, j->prediction + start, j->target + start, length, j->scale,
                                       j->gradient ? j->gradient + start : 0);
    }
}

static double blocked_loss(int kind, const float *prediction, const float *target, long count, float scale, float *gradient) {
    const long blocks = (count + AE_LOSS_BLOCK - 1) / AE_LOSS_BLOCK;
    int parts = ae_parts(count);
    if (parts > blocks) parts = (int)blocks;
    if (parts <= 1 || blocks > AE_LOSS_MAX_BLOCKS) {
        return loss_serial(kind, prediction, target, count, scale, gradient);
    }
    double block_sums[AE_LOSS_MAX_BLOCKS];
    loss_job job = {kind, prediction, target, count, scale, gradient, block_sums, parts};
    ae_parallel_for(parts, loss_task, &job);
    double total = 0;
    for (long b = 0; b < blocks; b++) total += block_sums[b];
    return total;
}

double ae_squared_error(const float *prediction, const float *target, long count, float scale, float *gradient) {
    return blocked_loss(AE_LOSS_SQUARED, prediction, target, count, scale, gradient);
}

double ae_binary_cross_entropy(const float *prediction, const float *target, long count, int from_logits, float scale,
                               float *gradient) {
    return blocked_loss(from_logits ? AE_LOSS_LOGITS : AE_LOSS_PROBABILITIES, prediction, target, count, scale, gradient);
}

typedef struct {
    const float *values; long rows; long columns; float *sums; int parts;
} sum_rows_job;

static void sum_rows_task(void *context, int index) {
    const sum_rows_job *j = (const sum_rows_job *)context;
    long start, length;
    ae_part(j->columns, W, j->parts, index, &start, &length);
    if (length > 0) sum_rows_strided(j->values + start, j->rows, length, j->columns, j->sums + start);
}

void ae_sum_rows(const float *values, long rows, long columns, float *sums) {
    int parts = ae_parts(rows * columns);
    if (parts > columns / W) parts = (int)(columns / W);
    if (parts <= 1) { sum_rows_strided(values, rows, columns, columns, sums); return; }
    sum_rows_job job = {values, rows, columns, sums, parts};
    ae_parallel_for(parts, sum_rows_task, &job);
}

typedef struct {
    float *gradient; const float *output; long rows; long columns; ae_nonlinearity f; float *sums; int parts;
} derivative_and_sums_job;

static void derivative_and_sums_task(void *context, int index) {
    const derivative_and_sums_job *j = (const derivative_and_sums_job *)context;
    long start, length;
    ae_part(j->columns, W, j->parts, index, &start, &length);
    if (length > 0) {
        derivative_and_sums_strided(j->gradient + start, j->output + start, j->rows, length, j->columns, j->f,
                                    j->sums + start);
    }
}

// Split by columns, like ae_sum_rows, so that each column's sum is one thread's.
void ae_multiply_derivative_and_sum_rows(float *gradient, const float *output, long rows, long columns,
                                         ae_nonlinearity f, float *sums) {
    int parts = ae_parts(rows * columns);
    if (parts > columns / W) parts = (int)(columns / W);
    if (parts <= 1) { derivative_and_sums_strided(gradient, output, rows, columns, columns, f, sums); return; }
    derivative_and_sums_job job = {gradient, output, rows, columns, f, sums, parts};
    ae_parallel_for(parts, derivative_and_sums_task, &job);
}

typedef struct {
    const float *values; long count; int parts; int finite[AE_MAX_PARTS];
} all_finite_job;

static void all_finite_task(void *context, int index) {
    all_finite_job *j = (all_finite_job *)context;
    long start, length;
    ae_part(j->count, W, j->parts, index, &start, &length);
    j->finite[index] = all_finite_serial(j->values + start, length);
}

// Branch-free, so that the compiler vectorises it for the baseline: a branch per value
// would be mispredicted on images' mix of zeros and ink.
long ae_count_zeros(const float *values, long count) {
    long zeros = 0;
    for (long i = 0; i < count; i++) zeros += values[i] == 0.0f;
    return zeros;
}

// Each value costs a log, a cos and two exps (tens of ns), so the batch splits over the
// cores from a few hundred values, far below AE_PARALLEL_MINIMUM's cheap elementwise passes.
#define AE_SAMPLING_COST 64

typedef struct {
    const float *input; long k; const double *uniforms; float *noise; float *z; double *terms; long rows; int parts;
} sampling_job;

static void sampling_rows(const sampling_job *j, long r0, long r1) {
#pragma clang fp contract(off)
    const long k = j->k;
    for (long r = r0; r < r1; r++) {
        const float *mean = j->input + r * 2 * k, *log_variance = mean + k;
        for (long c = 0; c < k; c++) {
            const long i = r * k + c;
            const double u1 = j->uniforms[2 * i], u2 = j->uniforms[2 * i + 1];
            const float epsilon = (float)(sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2));
            j->noise[i] = epsilon;
            j->z[i] = mean[c] + expf(0.5f * log_variance[c]) * epsilon;
            const double mu = mean[c], lv = log_variance[c];
            j->terms[i] = -0.5 * (1.0 + lv - mu * mu - exp(lv));
        }
    }
}

static void sampling_task(void *context, int index) {
    const sampling_job *j = (const sampling_job *)context;
    long start, length;
    ae_part(j->rows, 1, j->parts, index, &start, &length);
    sampling_rows(j, start, start + length);
}

void ae_sampling_forward(const float *input, long rows, long k, const double *uniforms, float *noise, float *z,
                         double *terms) {
    int parts = ae_parts(rows * k * AE_SAMPLING_COST);
    if (parts > rows) parts = (int)rows;
    sampling_job job = {input, k, uniforms, noise, z, terms, rows, parts < 1 ? 1 : parts};
    if (job.parts <= 1) { sampling_rows(&job, 0, rows); return; }
    ae_parallel_for(job.parts, sampling_task, &job);
}

int ae_all_finite(const float *values, long count) {
    int parts = ae_parts(count);
    if (parts <= 1) return all_finite_serial(values, count);
    all_finite_job job = {values, count, parts, {0}};
    ae_parallel_for(parts, all_finite_task, &job);
    for (int i = 0; i < parts; i++) if (!job.finite[i]) return 0;
    return 1;
}
