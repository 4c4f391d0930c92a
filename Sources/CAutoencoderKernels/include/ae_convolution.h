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
// Plain portable C; no allocation. The direct convolution, the pooling and the
// upsampling split their samples or planes over the cores with ae_parallel_for when the
// batch is large enough; each part writes only its own memory. Pointers need no alignment.

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

/// A stride-1 convolution computed directly (no unfolding), for layers with few filters:
/// output[s][f] = f(bias[f] + sum over c, i, k of weight[f][c][i][k] * images[s][c] shifted by
/// (i - pad_top, k - pad_left)), zeros outside the image; `weight` is `filters x channels x
/// kernel_h x kernel_w`, the output `samples x filters x out_h x out_w`. Split over samples.
void ae_conv2d_direct(const float *images, long samples, long channels, long height, long width,
                      long kernel_h, long kernel_w, long pad_top, long pad_left, long out_h, long out_w,
                      const float *weight, long filters, const float *bias, ae_nonlinearity f, float *output);

/// The weight gradient of ae_conv2d_direct (replacing `weight_gradient`): for each filter
/// and channel, the sums over samples of the output gradient times the shifted images.
/// Split over (filter, channel) pairs; each sums its samples in order.
void ae_conv2d_direct_weight_gradient(const float *images, const float *output_gradient, long samples, long channels,
                                      long height, long width, long kernel_h, long kernel_w, long pad_top,
                                      long pad_left, long out_h, long out_w, long filters, float *weight_gradient);

/// The input gradient of ae_conv2d_direct (replacing `input_gradient`, `samples x channels x
/// height x width`): each output gradient times the weights added back to the inputs it
/// came from. Split over samples.
void ae_conv2d_direct_input_gradient(const float *output_gradient, long samples, long channels, long height,
                                     long width, long kernel_h, long kernel_w, long pad_top, long pad_left,
                                     long out_h, long out_w, const float *weight, long filters,
                                     float *input_gradient);

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
