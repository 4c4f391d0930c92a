// A convolution as unfolded columns times its weight, with the batch split over the cores:
// the forward pass (unfold, SGEMM, bias and activation, sample by sample) and the backward
// pass (derivative, bias, weight and input gradients, sample by sample). Included by
// CAutoencoderKernels.h after the SGEMM's declarations.
//
// Memory layout: as ae_convolution.h (channels-first images, a batch of `samples` images
// one after the other; the unfolded columns of one image are a row-major (channels *
// kernel_h * kernel_w) x (out_h * out_w) matrix); `weight` is filters x (channels *
// kernel_h * kernel_w), row-major (PyTorch's [out, in, kh, kw]).
//
// The products of one sample are small (a few filters, a few hundred positions), below
// what the SGEMM splits over the cores, so the batch is split instead: into
// ae_conv2d_unfolded_chunks(samples) consecutive chunks of samples, each with its own
// piece of `scratch` (unfolded columns and a partial weight gradient), which `threads`
// pool tasks share out. The chunks depend on the batch size only, so the results do not
// depend on `threads`. Each sample's passes run one after the other while its planes are
// in the cache. No allocation.
//
// With the AVX2+FMA or the AVX-512 kernel, a stride-1 convolution is not unfolded: its
// products read shifted rows of the sample's padded planes (convolution_shifted_avx2.c),
// and the input gradient is the forward product of the padded output gradient with the
// window turned round. The forward pass gives the same bits as the SGEMM over unfolded
// columns (up to 512 taps); the gradients are rounded differently (the weight gradient adds eight lanes at
// the end, once per group of samples).

#ifndef AE_CONVOLUTION_UNFOLDED_H
#define AE_CONVOLUTION_UNFOLDED_H

#ifdef __cplusplus
extern "C" {
#endif

/// The number of chunks a batch of `samples` is split into (at least 1).
long ae_conv2d_unfolded_chunks(long samples);

/// Floats of `scratch` that ae_conv2d_unfolded_forward and ae_conv2d_unfolded_backward
/// need for a batch of `samples`, whichever kernel runs them: per chunk one image's
/// unfolded columns (none for a 1x1 window with stride 1 and no padding, whose columns are
/// the image) or, if larger, its padded planes and flat products for the shifted path, and
/// one weight gradient; one bias sum per sample and filter; for a stride-1 window, the
/// turned-round weights.
long ae_conv2d_unfolded_scratch(long samples, long channels, long height, long width, long kernel_h, long kernel_w,
                                long stride_h, long stride_w, long pad_top, long pad_left, long out_h, long out_w,
                                long filters);

/// output[s] = f(weight x columns(images[s]) + bias, per filter) for each sample, the
/// products by ae_sgemm with `kernel`, each sample's bias and activation right after its
/// product. `threads` (at least 1) bounds the pool tasks.
void ae_conv2d_unfolded_forward(ae_sgemm_kernel kernel, const float *images, long samples,
                                long channels, long height, long width, long kernel_h, long kernel_w,
                                long stride_h, long stride_w, long pad_top, long pad_left, long out_h, long out_w,
                                const float *weight, long filters, const float *bias, ae_nonlinearity f,
                                float *scratch, int threads, float *output);

/// The backward pass of ae_conv2d_unfolded_forward. `delta` holds ∂L/∂output on entry and
/// ∂L/∂(pre-activation) on return (multiplied by f' through `output`). Replaces
/// `bias_gradient` (per filter, the per-sample plane sums added in sample order in double,
/// as ae_channel_sums), `weight_gradient` (each chunk sums delta[s] x columns(images[s])^T
/// over its samples in order, then the chunks are added in order) and, when
/// `input_gradient` is not NULL, each sample's input gradient (the folded weight^T x delta[s]).
void ae_conv2d_unfolded_backward(ae_sgemm_kernel kernel, const float *images, const float *output, float *delta,
                                 long samples, long channels, long height, long width, long kernel_h, long kernel_w,
                                 long stride_h, long stride_w, long pad_top, long pad_left, long out_h, long out_w,
                                 const float *weight, long filters, ae_nonlinearity f, float *scratch, int threads,
                                 float *weight_gradient, float *bias_gradient, float *input_gradient);

#ifdef __cplusplus
}
#endif

#endif
