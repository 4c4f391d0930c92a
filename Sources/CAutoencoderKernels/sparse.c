// The sparse-input product; see include/ae_sparse.h for the memory layout.
//
// Why by hand: OpenBLAS has no sparse routines, and the loop is short. The body is
// compiled per instruction set as in elementwise.c.
//
// The product is bound by how fast rows of wt stream from the L2 cache (one 1 KiB row
// per non-zero for a 256-wide layer), not by arithmetic: on a batch of 256 MNIST images
// and a 256-wide layer it takes 0.29-0.38 ms against the dense kernel's 0.51-0.56 ms
// (two threads), though the dense product does five times the arithmetic. That pays for
// inference (encode, evaluate), where the weight is transposed once. Measured and rejected for
// training: with the transposed weight copy it needs, the first layer's forward pass
// costs 0.49 ms against the dense kernel's 0.53 ms per 256-image batch, and a
// zero-skipping weight gradient (with its column listing) is no faster than the dense
// one, because the AVX-512 dense kernel runs at about 90 % of the FMA peak.

#include "ae_sparse.h"

#include "ae_parallel.h"
#include "thread_scratch.h"
#include "vector_internal.h"


// y <- x * wt over x's non-zeros, a chunk of rows at a time. First each row of the chunk
// lists its non-zeros (column, value) in increasing column order. Then the columns are
// taken AE_SPARSE_K_BLOCK at a time: every row of the chunk adds the products of its
// non-zeros in that block, so the block's rows of wt (16 KiB for a 256-wide layer) are
// read from the L1 cache by all the chunk's rows instead of from L2 once per non-zero.
// A row's partial sums are built 128 columns at a time in 8 vector accumulators.
#define AE_SPARSE_BLOCK 8
#define AE_SPARSE_K_BLOCK 16
#define AE_SPARSE_CHUNK 32
#define AE_SPARSE_LISTING 65536   // entries a chunk's listing holds at most (in * chunk rows)

typedef _Bool vbool __attribute__((ext_vector_type(W)));

// The non-zeros of one row; returns how many there are.
INLINE long list_nonzeros(const float *xr, long in, int32_t *column, float *value) {
    long n = 0, k = 0;
    for (; k + W <= in; k += W) {
        const vbool nonzero = __builtin_convertvector(load(xr + k) != splat(0.0f), vbool);
        uint16_t bits;
        memcpy(&bits, &nonzero, sizeof bits);
        while (bits) {
            const int lane = __builtin_ctz(bits);
            column[n] = (int32_t)(k + lane);
            value[n] = xr[k + lane];
            n++;
            bits &= bits - 1;
        }
    }
    for (; k < in; k++) {
        if (xr[k] != 0.0f) { column[n] = (int32_t)k; value[n] = xr[k]; n++; }
    }
    return n;
}

// yr += sum over the listed entries of value * (row `column` of wt).
INLINE void add_listed_rows(const float *wt, long out, const int32_t *column, const float *value, long count,
                            float *yr) {
    long c = 0;
    for (; c + AE_SPARSE_BLOCK * W <= out; c += AE_SPARSE_BLOCK * W) {
        vf acc[AE_SPARSE_BLOCK];
#pragma clang loop unroll(full)
        for (int b = 0; b < AE_SPARSE_BLOCK; b++) acc[b] = load(yr + c + b * W);
        for (long i = 0; i < count; i++) {
            const float *w = wt + (long)column[i] * out + c;
            const vf v = splat(value[i]);
#pragma clang loop unroll(full)
            for (int b = 0; b < AE_SPARSE_BLOCK; b++) acc[b] += load(w + b * W) * v;
        }
#pragma clang loop unroll(full)
        for (int b = 0; b < AE_SPARSE_BLOCK; b++) store(yr + c + b * W, acc[b]);
    }
    for (; c < out; c += W) {
        const long left = out - c < W ? out - c : W;
        vf acc = load_partial(yr + c, left);
        for (long i = 0; i < count; i++) acc += load_partial(wt + (long)column[i] * out + c, left) * value[i];
        store_partial(yr + c, acc, left);
    }
}

// The listing of a chunk: row r's entries are start[r] ..< start[r + 1] of column and
// value; cursor[r] is the first not yet added.
typedef struct {
    long chunk;
    int32_t start[AE_SPARSE_CHUNK + 1];
    int32_t cursor[AE_SPARSE_CHUNK];
    int32_t *column;
    float *value;
} sparse_listing;

INLINE void sparse_input_product_body(const float *x, long rows, long in, const float *wt, long out, float *y,
                                      sparse_listing *listing) {
    int32_t *start = listing->start, *cursor = listing->cursor;
    for (long r0 = 0; r0 < rows; r0 += listing->chunk) {
        const long count = rows - r0 < listing->chunk ? rows - r0 : listing->chunk;
        long n = 0;
        for (long r = 0; r < count; r++) {
            start[r] = cursor[r] = (int32_t)n;
            n += list_nonzeros(x + (r0 + r) * in, in, listing->column + n, listing->value + n);
            memset(y + (r0 + r) * out, 0, sizeof(float) * (size_t)out);
        }
        start[count] = (int32_t)n;
        for (long k0 = 0; k0 < in; k0 += AE_SPARSE_K_BLOCK) {
            const int32_t limit = (int32_t)(k0 + AE_SPARSE_K_BLOCK);
            for (long r = 0; r < count; r++) {
                const int32_t first = cursor[r], stop = start[r + 1];
                int32_t end = first;
                while (end < stop && listing->column[end] < limit) end++;
                if (end == first) continue;
                cursor[r] = end;
                add_listed_rows(wt, out, listing->column + first, listing->value + first, end - first,
                                y + (r0 + r) * out);
            }
        }
    }
}

#define AE_DEFINE_SPARSE(NAME, TARGET)                                                             \
    __attribute__((target(TARGET))) static void sparse_input_product_##NAME(const float *x, long r, long i, const float *w, long o, float *y, sparse_listing *l) { sparse_input_product_body(x, r, i, w, o, y, l); }

AE_VARIANTS(AE_DEFINE_SPARSE)

static void sparse_input_product_base(const float *x, long r, long i, const float *w, long o, float *y, sparse_listing *l) { sparse_input_product_body(x, r, i, w, o, y, l); }

// ---------------------------------------------------------------------------------------
// Splitting over the cores.

typedef struct {
    const float *x; long rows; long in; const float *wt; long out; float *y; int parts;
} sparse_input_product_job;

static void sparse_input_product_task(void *context, int index) {
    const sparse_input_product_job *j = (const sparse_input_product_job *)context;
    long start, length;
    ae_part(j->rows, 1, j->parts, index, &start, &length);
    if (length == 0) return;
    sparse_listing listing;
    listing.chunk = AE_SPARSE_LISTING / j->in;
    if (listing.chunk > AE_SPARSE_CHUNK) listing.chunk = AE_SPARSE_CHUNK;
    if (listing.chunk < 1) listing.chunk = 1;
    const size_t entries = (size_t)(listing.chunk * j->in);
    listing.column = (int32_t *)ae_thread_scratch(AE_SCRATCH_LISTED_COLUMNS, sizeof(int32_t) * entries);
    listing.value = (float *)ae_thread_scratch(AE_SCRATCH_LISTED_VALUES, sizeof(float) * entries);
    AE_DISPATCH_VOID(sparse_input_product_, j->x + start * j->in, length, j->in, j->wt, j->out, j->y + start * j->out,
                     &listing);
}

void ae_sparse_input_product(const float *x, long rows, long in, const float *wt, long out, float *y) {
    int parts = ae_parts(rows * out);
    if (parts > rows) parts = (int)rows;
    if (parts < 1) parts = 1;
    sparse_input_product_job job = {x, rows, in, wt, out, y, parts};
    ae_parallel_for(parts, sparse_input_product_task, &job);
}

// ---------------------------------------------------------------------------------------
// Dropping the columns that are zero in every row of a batch. In a batch of 256 MNIST
// images about a quarter of the pixels are 0 in all of them (the border), so the first
// layer's forward product and weight gradient can run on the other three quarters with
// the dense kernel at full speed: the gathers below cost far less than the quarter of
// the two products they save.

long ae_nonzero_columns(const float *x, long rows, long columns, int32_t *indices) {
    long count = 0;
    for (long c0 = 0; c0 < columns; c0 += 256) {
        const long width = columns - c0 < 256 ? columns - c0 : 256;
        unsigned char any[256] = {0};
        for (long r = 0; r < rows; r++) {
            const float *xr = x + r * columns + c0;
            for (long c = 0; c < width; c++) any[c] |= xr[c] != 0.0f;
        }
        for (long c = 0; c < width; c++) {
            indices[count] = (int32_t)(c0 + c);
            count += any[c];
        }
    }
    return count;
}

typedef struct {
    const float *source; long rows; long source_columns; const int32_t *indices; long count;
    float *destination; long destination_columns; int scatter; int parts;
} columns_job;

static void columns_task(void *context, int index) {
    const columns_job *j = (const columns_job *)context;
    long start, length;
    ae_part(j->rows, 1, j->parts, index, &start, &length);
    for (long r = start; r < start + length; r++) {
        const float *s = j->source + r * j->source_columns;
        float *d = j->destination + r * j->destination_columns;
        if (j->scatter) {
            memset(d, 0, sizeof(float) * (size_t)j->destination_columns);
            for (long i = 0; i < j->count; i++) d[j->indices[i]] = s[i];
        } else {
            for (long i = 0; i < j->count; i++) d[i] = s[j->indices[i]];
        }
    }
}

static void columns_run(columns_job job) {
    int parts = ae_parts(job.rows * job.count);
    if (parts > job.rows) parts = (int)job.rows;
    if (parts < 1) parts = 1;
    job.parts = parts;
    ae_parallel_for(parts, columns_task, &job);
}

void ae_gather_columns(const float *source, long rows, long columns, const int32_t *indices, long count,
                       float *destination) {
    columns_job job = {source, rows, columns, indices, count, destination, count, 0, 1};
    columns_run(job);
}

void ae_scatter_columns(const float *source, long rows, long count, const int32_t *indices, long columns,
                        float *destination) {
    columns_job job = {source, rows, count, indices, count, destination, columns, 1, 1};
    columns_run(job);
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
