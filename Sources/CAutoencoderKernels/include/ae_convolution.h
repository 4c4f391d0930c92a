// The loops of the convolutional layers: unfolding image patches into columns (im2col)
// and folding them back (col2im), the per-channel bias and activation, max pooling and
// nearest-neighbour upsampling, each with its backward pass.
//
// Memory layout: an image is CHANNELS-FIRST, `channels x height x width` contiguous
// floats (PyTorch's NCHW without the batch; a batch is `samples` such images one after
// the other, as the rows of a layer's batch). A "plane" is one channel of one sample,
// `height x width` floats.
//
// The unfolded columns of an image for a sliding window of `kernel_h x kernel_w` with
// strides `stride_h, stride_w`, shifted up and left by `pad_top, pad_left` (zeros outside
// the image) and taking `out_h x out_w` positions, are a ROW-MAJOR matrix of
// `(channels * kernel_h * kernel_w) x (out_h * out_w)` floats: row `(c * kernel_h + i) *
// kernel_w + j`, column `oh * out_w + ow` holds image[c][oh * stride_h - pad_top + i]
// [ow * stride_w - pad_left + j]. Its rows are ordered as a PyTorch `Conv2d` weight
// `[out, in, kh, kw]` flattens its last three dimensions, so `weight x columns` is the
// convolution, already in the channels-first layout of the output.
//
// Plain portable C, single-threaded; no allocation. Pointers need no alignment.

#ifndef AE_CONVOLUTION_H
#define AE_CONVOLUTION_H

#include "ae_elementwise.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Writes the unfolded columns of `image` (channels x height x width) into `columns`
/// ((channels * kernel_h * kernel_w) x (out_h * out_w)), zeros where the window lies in
/// the padding.
void ae_im2col(const float *image, long channels, long height, long width,
               long kernel_h, long kernel_w, long stride_h, long stride_w,
               long pad_top, long pad_left, long out_h, long out_w, float *columns);

/// The adjoint of ae_im2col: sets `image` to zero, then adds every element of `columns`
/// to the image element it was taken from (elements from the padding are dropped).
void ae_col2im(const float *columns, long channels, long height, long width,
               long kernel_h, long kernel_w, long stride_h, long stride_w,
               long pad_top, long pad_left, long out_h, long out_w, float *image);

/// values[s][c][p] <- f(values[s][c][p] + bias[c]) for `samples x channels` planes of
/// `plane` floats: a convolution's bias and activation.
void ae_channel_bias_activate(float *values, long samples, long channels, long plane,
                              const float *bias, ae_nonlinearity f);

/// sums[c] <- the sum of values[s][c][p] over samples s and positions p: a convolution's
/// bias gradient (accumulated in double).
void ae_channel_sums(const float *values, long samples, long channels, long plane, float *sums);

/// Max pooling of `planes` planes of height x width into planes of out_h x out_w: each
/// output is the maximum of its window of pool_h x pool_w at (oh * stride_h - pad_top,
/// ow * stride_w - pad_left), the part of the window outside the plane ignored (every
/// window must hold at least one element of the plane). NaN wins, as in PyTorch.
void ae_max_pool(const float *input, long planes, long height, long width,
                 long pool_h, long pool_w, long stride_h, long stride_w,
                 long pad_top, long pad_left, long out_h, long out_w, float *output);

/// The backward pass of ae_max_pool: sets `input_gradient` to zero, then adds each
/// output's gradient to the input element that is the first maximum of its window (in
/// row-major order within the window, as PyTorch chooses), found again from `input`.
void ae_max_pool_backward(const float *input, const float *output_gradient, long planes, long height, long width,
                          long pool_h, long pool_w, long stride_h, long stride_w,
                          long pad_top, long pad_left, long out_h, long out_w, float *input_gradient);

/// Nearest-neighbour upsampling of `planes` planes of height x width by factor_h x
/// factor_w: output[p][y][x] = input[p][y / factor_h][x / factor_w].
void ae_upsample_nearest(const float *input, long planes, long height, long width,
                         long factor_h, long factor_w, float *output);

/// The backward pass of ae_upsample_nearest: input_gradient[p][y][x] is the sum of the
/// factor_h x factor_w output gradients copied from it.
void ae_upsample_nearest_backward(const float *output_gradient, long planes, long height, long width,
                                  long factor_h, long factor_w, float *input_gradient);

/// destination[i] <- source[i] for count floats (the regions must not overlap).
void ae_copy(const float *source, long count, float *destination);

#ifdef __cplusplus
}
#endif

#endif
