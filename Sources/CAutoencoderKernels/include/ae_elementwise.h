// The fused elementwise passes of a training step (activations, their derivatives,
// the squared-error and cross-entropy losses, bias gradients and the Adam update).
//
// Memory layout: a batch is a ROW-MAJOR block of `rows x columns` contiguous floats
// (one sample per row, no padding between rows); per-feature vectors such as biases
// hold `columns` floats; parameter, gradient and moment arrays are flat and parallel
// (element i of each belongs to the same scalar parameter). Pointers need no alignment.
//
// The passes over whole batches or all parameters (bias + activation, derivative, loss,
// row sums, the finiteness check, Adam) split themselves over the cores on the shared
// worker pool when they are large, always with the same results as on one thread; the
// vector exp, sigmoid and tanh below run on the calling thread.
// Each picks, once per process, the widest vector unit the CPU has (AVX-512, AVX2,
// or the build's baseline), because a portable build targets baseline x86-64.

#ifndef AE_ELEMENTWISE_H
#define AE_ELEMENTWISE_H

#ifdef __cplusplus
extern "C" {
#endif

/// The nonlinearities of the kernels. Each derivative is written through the output y:
/// leaky ReLU y > 0 ? 1 : 0.2; ELU y > 0 ? 1 : y + 1; softplus 1 - e^-y.
typedef enum {
    AE_IDENTITY = 0,
    AE_SIGMOID = 1,
    AE_RELU = 2,
    AE_TANH = 3,
    /// x < 0 ? 0.2 x : x (Keras 3's default negative_slope, 0.2; PyTorch's is 0.01).
    AE_LEAKY_RELU = 4,
    /// x > 0 ? x : e^x - 1 (alpha 1).
    AE_ELU = 5,
    /// log(1 + e^x), as max(x, 0) + log1p(e^-|x|) so that it neither overflows nor
    /// loses the small values of very negative x.
    AE_SOFTPLUS = 6,
} ae_nonlinearity;

/// The slope of AE_LEAKY_RELU for negative inputs.
#define AE_LEAKY_RELU_SLOPE 0.2f

/// values[r][c] <- f(values[r][c] + bias[c]) for rows x columns values.
void ae_bias_activate(float *values, long rows, long columns, const float *bias, ae_nonlinearity f);

/// out[i] <- f(in[i]) for count values (out may equal in): a standalone activation layer.
void ae_activate(const float *in, float *out, long count, ae_nonlinearity f);

/// gradient[i] <- gradient[i] * f'(x_i), with f' written through the output y_i = f(x_i).
void ae_multiply_derivative(float *gradient, const float *output, long count, ae_nonlinearity f);

/// Returns sum((prediction - target)^2) and, when gradient is not NULL, writes
/// scale * (prediction - target) into it. Sums blocks of 4096 in float lanes and the
/// blocks in order in double, so the result does not depend on the number of cores.
double ae_squared_error(const float *prediction, const float *target, long count, float scale, float *gradient);

/// The clamp of probabilities in ae_binary_cross_entropy: Keras's epsilon().
#define AE_CROSS_ENTROPY_EPSILON 1e-7f

/// Returns the sum of the binary cross-entropies of prediction against target and, when
/// gradient is not NULL, writes scale times their derivative with respect to prediction
/// into it. With from_logits, prediction holds logits z: max(z, 0) - z t + log1p(e^-|z|),
/// derivative sigmoid(z) - t. Otherwise probabilities p, clamped to [AE_CROSS_ENTROPY_EPSILON,
/// 1 - AE_CROSS_ENTROPY_EPSILON]: -(t log p + (1 - t) log(1 - p)), derivative
/// (p - t) / (p (1 - p)), 0 where the clamp holds p. Summed as ae_squared_error, so the
/// result does not depend on the number of cores.
double ae_binary_cross_entropy(const float *prediction, const float *target, long count, int from_logits, float scale,
                               float *gradient);

/// sums[c] <- sum over rows of values[r][c].
void ae_sum_rows(const float *values, long rows, long columns, float *sums);

/// gradient[r][c] *= f'(output[r][c]), then sums[c] <- sum over rows of gradient[r][c]: a
/// dense layer's pre-activation gradient and its bias gradient in one pass, with the
/// same results as ae_multiply_derivative followed by ae_sum_rows.
void ae_multiply_derivative_and_sum_rows(float *gradient, const float *output, long rows, long columns,
                                         ae_nonlinearity f, float *sums);

/// 1 when every value is finite, 0 when one is NaN or infinite.
int ae_all_finite(const float *values, long count);

/// How many of the count values are zero (+0 or -0), on the calling thread.
long ae_count_zeros(const float *values, long count);

/// A variational autoencoder's sampling layer in training, for rows x k codes, split over
/// the cores by rows. For i = r * k + j, with mu = input[r * 2k + j], lv = input[r * 2k + k + j]
/// (the log-variance) and the uniform draws u1 = uniforms[2i] in (0, 1], u2 = uniforms[2i + 1]:
/// noise[i] = (float)(sqrt(-2 log u1) cos(2 pi u2)) (Box-Muller in double),
/// z[i] = mu + expf(0.5 lv) noise[i] in float, and
/// terms[i] = -0.5 (1 + lv - mu^2 - exp(lv)) in double, the KL divergence's terms, which the
/// caller sums in order. The C library's log, cos, exp and expf, without fused multiply-adds,
/// so the values are those of the same expressions evaluated one by one.
void ae_sampling_forward(const float *input, long rows, long k, const double *uniforms, float *noise, float *z,
                         double *terms);

/// TensorFlow 1's ApplyAdam on count parameters: m += (g - m)(1 - beta1);
/// v += (g^2 - v)(1 - beta2); p -= step_size * m / (sqrt(v) + epsilon), the division done
/// by the AVX-512 and AVX2 variants as a refined reciprocal estimate (within about 2 ulp).
void ae_adam(float *parameters, const float *gradients, float *m, float *v, long count,
             float step_size, float beta1, float beta2, float epsilon);

/// The vector exp, sigmoid and tanh applied to count values (out may equal in):
/// for tests and for comparisons with libm.
void ae_exp(const float *in, float *out, long count);
void ae_sigmoid(const float *in, float *out, long count);
void ae_tanh(const float *in, float *out, long count);

/// For tests that every instruction-set variant is accurate (the calls above use the best
/// one): `variant` 0 is the build's baseline, 1 AVX2+FMA, 2 AVX-512F. Each returns 0,
/// computing nothing, when this CPU lacks the variant. `function`: 0 exp, 1 sigmoid, 2 tanh,
/// 3 leaky ReLU, 4 ELU, 5 softplus. The cross-entropy variant runs on the calling thread
/// and stores ae_binary_cross_entropy's result in *sum.
int ae_map_variant(int variant, int function, const float *in, float *out, long count);
int ae_binary_cross_entropy_variant(int variant, const float *prediction, const float *target, long count, int from_logits,
                                    float scale, float *gradient, double *sum);
int ae_adam_variant(int variant, float *parameters, const float *gradients, float *m, float *v, long count,
                    float step_size, float beta1, float beta2, float epsilon);

#ifdef __cplusplus
}
#endif

#endif
