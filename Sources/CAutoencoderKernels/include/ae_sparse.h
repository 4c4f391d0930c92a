// The products of a layer whose input is mostly zeros, such as MNIST images (about four
// fifths of their pixels are 0): the forward product and the weight gradient skip the
// zeros, so the first layer costs about half of the dense products in training and at
// inference. And the packing that lays out its weight for the forward product.
//
// Memory layout: matrices are ROW-MAJOR with no padding between rows. A batch x is
// rows x in; a dense layer's weight W is out x in (as PyTorch's nn.Linear stores it); the
// gradient δ of the layer's output is rows x out. The forward product reads W packed in
// panels of AE_SPARSE_PANEL outputs: panel k holds Wᵀ's columns [16k, 16k + 16) as in x 16,
// so W[o, p] is packed[(o / 16) * 16 * in + p * 16 + o % 16], and the last panel is padded
// with zeros. A pass over 16 outputs then reads one contiguous panel, whichever inputs
// are non-zero.

#ifndef AE_SPARSE_H
#define AE_SPARSE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// How many outputs a panel of the packed weight holds.
#define AE_SPARSE_PANEL 16

/// How many floats W (out x in) takes packed: in times out, out rounded up to whole panels.
long ae_sparse_packed_weight_count(long out, long in);

/// packed <- W (out x in) in panels, as above, for ae_sparse_input_product.
void ae_sparse_pack_weight(const float *w, long out, long in, float *packed);

/// y <- x * Wᵀ, skipping x's zeros: x is rows x in, packed is W (out x in) packed by
/// ae_sparse_pack_weight, y is rows x out.
void ae_sparse_input_product(const float *x, long rows, long in, const float *packed, long out, float *y);

/// dw <- δᵀ·x, skipping the 16-column blocks of x that are all zero: δ is rows x out, x is
/// rows x in, dw is out x in (a dense layer's weight gradient, its input being x).
void ae_sparse_weight_gradient(const float *delta, long rows, long out, const float *x, long in, float *dw);

/// ae_sparse_weight_gradient with x's columns given in another order: xp[r * in + j] is
/// x[r * in + columns[j]] (columns a permutation of 0 ..< in, as ae_permute_columns writes
/// it), and dw comes out in the original order, with the same bits when δ is finite (a
/// non-finite δ times a skipped zero is NaN in one order and absent in the other; the
/// trainer rejects such a step anyway, its bias gradient being non-finite). An order that puts
/// columns that are zero together in the same block of 16 (for images, 4 x 4 patches of
/// pixels rather than runs of 16 along a row) skips more blocks.
void ae_sparse_weight_gradient_permuted(const float *delta, long rows, long out, const float *xp, long in,
                                        const int32_t *columns, float *dw);

/// xp[r * in + j] <- x[r * in + columns[j]] for every row r: x (rows x in) with its columns
/// in the order `columns` (a permutation of 0 ..< in).
void ae_permute_columns(const float *x, long rows, long in, const int32_t *columns, float *xp);

/// ae_sparse_weight_gradient_permuted on the calling thread with one variant, as
/// ae_sparse_input_product_variant below (columns may be NULL: the natural order).
int ae_sparse_weight_gradient_permuted_variant(int variant, const float *delta, long rows, long out, const float *xp,
                                               long in, const int32_t *columns, float *dw);

/// ae_sparse_weight_gradient on the calling thread with one variant, as
/// ae_sparse_input_product_variant below.
int ae_sparse_weight_gradient_variant(int variant, const float *delta, long rows, long out, const float *x, long in, float *dw);

/// How ae_sparse_weight_gradient splits x's blocks of 16 columns over `parts` cores (1 to 8):
/// part p takes blocks [bounds[p], bounds[p + 1]), bounds having parts + 1
/// entries. The cuts follow the rows with a non-zero in each block, so that each part gets
/// about the same work. For tests of that balance.
void ae_sparse_weight_gradient_split(long rows, const float *x, long in, int parts, long *bounds);

/// The order in which the forward product takes a group of `rows` rows of x (rows x in) in
/// blocks of `block_rows`: order[k] is the row that goes k-th, each block starting from the
/// first row not yet taken and adding the rows whose non-zeros add the fewest new 16-column
/// pieces to the block's. Returns 0, writing nothing, outside what a group holds (1-96 rows,
/// in <= 1024, 1-6 rows a block). For tests of that grouping.
int ae_sparse_block_order(const float *x, int rows, long in, int block_rows, int *order);

/// The same product on the calling thread with one instruction-set variant: 0 the build's
/// baseline, 1 AVX2+FMA, 2 AVX-512F. Returns 0, computing nothing, when this CPU lacks it
/// (AUTOENCODER_ISA does not limit these test entries: they test what the CPU runs).
/// For tests that every variant agrees (the product above uses the best one).
/// Variant AE_SPARSE_WIDE_PASSES is the AVX-512 variant's passes (4 rows by 4 vectors,
/// block by block) compiled for the baseline, which every CPU runs.
int ae_sparse_input_product_variant(int variant, const float *x, long rows, long in, const float *packed, long out,
                                    float *y);
#define AE_SPARSE_WIDE_PASSES 3

#ifdef __cplusplus
}
#endif

#endif
