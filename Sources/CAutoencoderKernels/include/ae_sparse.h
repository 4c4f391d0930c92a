// The product for a layer whose input is mostly zeros, such as MNIST images (about four
// fifths of their pixels are 0): it skips the zeros, so the first layer's forward pass at
// inference costs less than the dense product. And the transpose that lays out its weight.
//
// Memory layout: matrices are ROW-MAJOR with no padding between rows. A batch x is
// rows x in; a dense layer's weight transposed, wt, is in x out (the layer stores W as
// out x in, as PyTorch's nn.Linear does).

#ifndef AE_SPARSE_H
#define AE_SPARSE_H

#ifdef __cplusplus
extern "C" {
#endif

/// y <- x * wt, skipping x's zeros: x is rows x in, wt is in x out, y is rows x out.
void ae_sparse_input_product(const float *x, long rows, long in, const float *wt, long out, float *y);

/// destination (columns x rows) <- the transpose of source (rows x columns).
void ae_transpose(const float *source, long rows, long columns, float *destination);

#ifdef __cplusplus
}
#endif

#endif
