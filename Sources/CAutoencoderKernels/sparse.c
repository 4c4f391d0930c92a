// The zero-skipping product and a transpose; see include/ae_sparse.h for the layout.
//
// Why by hand: OpenBLAS has no sparse routines, and the loops are short. The product's
// body is compiled per instruction set as in elementwise.c.
//
// The product is bound by how fast rows of wt stream from the L2 cache (one 1 KiB row per
// non-zero for a 256-wide layer), not by arithmetic: for 256 MNIST images and a 256-wide
// layer it takes 0.32-0.41 ms against the dense kernel's 0.51-0.56 ms (two threads,
// isolated), though the dense product does five times the arithmetic; inference
// (encode, evaluate) uses it for the first layer.
//
// Measured and not kept (autoencoder-benchmark, alternating runs in one session):
// - a k-blocked variant that reuses 16-row blocks of wt from L1 across 32 rows: faster
//   in an isolated C harness (0.29 vs 0.38 ms) but slower in the program (encoding the
//   10,000 test images: 18.2 vs 16.8 ms, median of 6);
// - splitting this product over the cores by columns instead of rows, so each core reads
//   half of wt (which then fits its L2): 20.5 vs 19.0 ms for the same encode, because
//   every core must then list every row's non-zeros;
// - using this product for the first layer in training (with a transposed copy of W per
//   step): 0.79 vs 0.80 s per autoencoder epoch, 0.43 vs 0.43 encoder2d, 4 repetitions,
//   i.e. no gain, because the dense AVX-512 kernel runs at about 90 % of the FMA peak on
//   that product while this one is bound by the L2 cache;
// - a zero-skipping weight gradient (non-zeros listed column by column): 0.35 ms plus
//   0.28 ms of listing against the dense 0.49-0.55 ms;
// - dropping the columns that are zero in the whole batch (a quarter of MNIST's) before
//   the dense products: 0.82-0.85 ms against 0.94-0.98 ms for the first layer's forward
//   pass and weight gradient together, listing and gathers included (isolated), about
//   4 % of a step: too little for a second code path.

#include "ae_sparse.h"

#include "ae_parallel.h"
#include "vector_internal.h"


// y <- x * wt over x's non-zeros. Each row's non-zero positions are listed first (in pieces
// of AE_SPARSE_PIECE); then y is built 128 columns at a time in 8 vector accumulators that
// stay in registers while the listed rows of wt stream past.
#define AE_SPARSE_PIECE 1024
#define AE_SPARSE_BLOCK 8

typedef _Bool vbool __attribute__((ext_vector_type(W)));

// Lists the non-zeros of xr[p0 ..< end] (positions and values) and returns how many there
// are: a vector compare gives a 16-bit mask per 16 values, and only its set bits are
// visited, so the zeros (four fifths of an MNIST image) cost a sixteenth of a compare each.
INLINE int list_nonzeros(const float *xr, long p0, long end, int *index, float *value) {
    int count = 0;
    long p = p0;
    for (; p + W <= end; p += W) {
        const vbool nonzero = __builtin_convertvector(load(xr + p) != splat(0.0f), vbool);
        uint16_t bits;
        memcpy(&bits, &nonzero, sizeof bits);
        while (bits) {
            const int lane = __builtin_ctz(bits);
            index[count] = (int)(p + lane);
            value[count] = xr[p + lane];
            count++;
            bits &= bits - 1;
        }
    }
    for (; p < end; p++) {
        if (xr[p] != 0.0f) { index[count] = (int)p; value[count] = xr[p]; count++; }
    }
    return count;
}

INLINE void sparse_input_product_body(const float *x, long rows, long in, const float *wt, long out, float *y) {
    int index[AE_SPARSE_PIECE];
    float value[AE_SPARSE_PIECE];
    for (long r = 0; r < rows; r++) {
        const float *xr = x + r * in;
        float *yr = y + r * out;
        for (long p0 = 0; p0 < in; p0 += AE_SPARSE_PIECE) {
            const long end = p0 + AE_SPARSE_PIECE < in ? p0 + AE_SPARSE_PIECE : in;
            const int count = list_nonzeros(xr, p0, end, index, value);
            long c = 0;
            for (; c + AE_SPARSE_BLOCK * W <= out; c += AE_SPARSE_BLOCK * W) {
                vf acc[AE_SPARSE_BLOCK];
#pragma clang loop unroll(full)
                for (int b = 0; b < AE_SPARSE_BLOCK; b++) acc[b] = p0 == 0 ? splat(0.0f) : load(yr + c + b * W);
                for (int i = 0; i < count; i++) {
                    const float *w = wt + (long)index[i] * out + c;
                    const vf v = splat(value[i]);
#pragma clang loop unroll(full)
                    for (int b = 0; b < AE_SPARSE_BLOCK; b++) acc[b] += load(w + b * W) * v;
                }
#pragma clang loop unroll(full)
                for (int b = 0; b < AE_SPARSE_BLOCK; b++) store(yr + c + b * W, acc[b]);
            }
            for (; c < out; c += W) {
                const long left = out - c < W ? out - c : W;
                vf acc = p0 == 0 ? splat(0.0f) : load_partial(yr + c, left);
                for (int i = 0; i < count; i++) {
                    acc += load_partial(wt + (long)index[i] * out + c, left) * value[i];
                }
                store_partial(yr + c, acc, left);
            }
        }
    }
}

#define AE_DEFINE_SPARSE(NAME, TARGET)                                                             \
    __attribute__((target(TARGET))) static void sparse_input_product_##NAME(const float *x, long r, long i, const float *w, long o, float *y) { sparse_input_product_body(x, r, i, w, o, y); }

AE_VARIANTS(AE_DEFINE_SPARSE)

static void sparse_input_product_base(const float *x, long r, long i, const float *w, long o, float *y) { sparse_input_product_body(x, r, i, w, o, y); }

// ---------------------------------------------------------------------------------------
// Splitting over the cores.

typedef struct {
    const float *x; long rows; long in; const float *wt; long out; float *y; int parts;
} sparse_input_product_job;

static void sparse_input_product_task(void *context, int index) {
    const sparse_input_product_job *j = (const sparse_input_product_job *)context;
    long start, length;
    ae_part(j->rows, 1, j->parts, index, &start, &length);
    AE_DISPATCH_VOID(sparse_input_product_, j->x + start * j->in, length, j->in, j->wt, j->out, j->y + start * j->out);
}

void ae_sparse_input_product(const float *x, long rows, long in, const float *wt, long out, float *y) {
    int parts = ae_parts(rows * out);
    if (parts > rows) parts = (int)rows;
    if (parts < 1) parts = 1;
    sparse_input_product_job job = {x, rows, in, wt, out, y, parts};
    ae_parallel_for(parts, sparse_input_product_task, &job);
}

// ---------------------------------------------------------------------------------------
// Transposing, by 32 x 32 blocks so that both sides stay in cache lines.

#define AE_TRANSPOSE_BLOCK 32

static void transpose_rows(const float *source, long rows, long columns, long r0, long r1, float *destination) {
    for (long rb = r0; rb < r1; rb += AE_TRANSPOSE_BLOCK) {
        const long re = rb + AE_TRANSPOSE_BLOCK < r1 ? rb + AE_TRANSPOSE_BLOCK : r1;
        for (long cb = 0; cb < columns; cb += AE_TRANSPOSE_BLOCK) {
            const long ce = cb + AE_TRANSPOSE_BLOCK < columns ? cb + AE_TRANSPOSE_BLOCK : columns;
            for (long c = cb; c < ce; c++) {
                for (long r = rb; r < re; r++) destination[c * rows + r] = source[r * columns + c];
            }
        }
    }
}

typedef struct {
    const float *source; long rows; long columns; float *destination; int parts;
} transpose_job;

static void transpose_task(void *context, int index) {
    const transpose_job *j = (const transpose_job *)context;
    long start, length;
    ae_part(j->rows, 1, j->parts, index, &start, &length);
    transpose_rows(j->source, j->rows, j->columns, start, start + length, j->destination);
}

void ae_transpose(const float *source, long rows, long columns, float *destination) {
    int parts = ae_parts(rows * columns);
    if (parts > rows) parts = (int)rows;
    if (parts < 1) parts = 1;
    transpose_job job = {source, rows, columns, destination, parts};
    ae_parallel_for(parts, transpose_task, &job);
}
