// Kernels for a layer whose input is mostly zeros, such as MNIST images (about four
// fifths of their pixels are 0): a product that skips the zeros (for inference), and the
// column gathers that let training skip the columns that are zero in a whole batch.
//
// Memory layout: matrices are ROW-MAJOR with no padding between rows. A batch x is
// rows x in; a dense layer's weight transposed, wt, is in x out (the layer stores W as
// out x in, as PyTorch's nn.Linear does).

#ifndef AE_SPARSE_H
#define AE_SPARSE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// y <- x * wt, skipping x's zeros: x is rows x in, wt is in x out, y is rows x out.
void ae_sparse_input_product(const float *x, long rows, long in, const float *wt, long out, float *y);

/// Writes to indices, in increasing order, the columns of x (rows x columns) that are not
/// zero in every row, and returns how many there are. indices needs room for columns.
long ae_nonzero_columns(const float *x, long rows, long columns, int32_t *indices);

/// destination (rows x count) <- the columns indices[0 ..< count] of source (rows x columns).
void ae_gather_columns(const float *source, long rows, long columns, const int32_t *indices, long count,
                       float *destination);

/// destination (rows x columns) <- source (rows x count) placed in the columns
/// indices[0 ..< count], and 0 in every other column.
void ae_scatter_columns(const float *source, long rows, long count, const int32_t *indices, long columns,
                        float *destination);

/// destination (columns x rows) <- the transpose of source (rows x columns).
void ae_transpose(const float *source, long rows, long columns, float *destination);

#ifdef __cplusplus
}
#endif

#endif
