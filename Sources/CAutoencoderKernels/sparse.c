// The zero-skipping products and the weight's packing; see include/ae_sparse.h for the
// layouts.
//
// Why by hand: OpenBLAS has no sparse routines, and the loops are short. The bodies are
// compiled per instruction set as in elementwise.c.
//
// A first dense layer fed MNIST images (four fifths zeros) uses them in training and at
// inference: its forward product (ae_sparse_input_product, with W packed by
// ae_sparse_pack_weight each step) and its weight gradient (ae_sparse_weight_gradient). Measured
// on 256-image batches, 784 -> 256, two threads, isolated (median of 400): forward
// 0.05 ms transpose + 0.21-0.26 ms against the dense kernel's 0.48-0.51 ms; weight
// gradient 0.31-0.33 ms (0.31-0.37 with 16-row tiles) against 0.57-0.66 ms, with the
// same bits. In the program
// (autoencoder-benchmark --first-layer sparse,dense, 3 alternating repetitions):
// 0.680-0.700 against 0.774-0.810 s per autoencoder epoch, 0.370-0.389 against
// 0.425-0.434 encoder2d (a quieter earlier run: 0.661-0.677 against 0.754-0.766, 0.353
// against 0.404).
//
// Measured and not kept (alternating runs in one session; wt is W transposed, in x out, the
// layout the forward product read before the panels):
// - the forward product row by row (each row's non-zeros listed, one 1 KiB row of wt
//   streamed from L2 per non-zero): bound by the L2 cache, 0.32-0.41 ms per batch; it
//   gave no gain in training (0.79 vs 0.80 s per epoch) and took 15.0-18.2 ms to encode
//   the 10,000 test images, against 12.6-13.1 ms with blocks of 4 rows below;
// - a k-blocked variant of that row-by-row product that reused 16-row blocks of wt from
//   L1 across 32 rows: faster in an isolated C harness (0.29 vs 0.38 ms) but slower in
//   the program (encode 18.2 vs 16.8 ms);
// - splitting the forward product over the cores by columns instead of rows, so each
//   core reads half of wt: 20.5 vs 19.0 ms for the same encode, because every core must
//   then list every row's non-zeros;
// - a weight gradient listing the non-zeros column by column: 0.35 ms plus 0.28 ms of
//   listing against the dense 0.49-0.55 ms;
// - dropping the columns that are zero in the whole batch (a quarter of MNIST's) before
//   the dense products: about 4 % of a step, less than the blocks below save;
// - the forward product in blocks of 5 rows x 4 vectors: 7-9 % faster alone, no faster in
//   the program (288-325 vs 279-310 µs per step), where it waits on wt's lines rather
//   than on registers;
// - the weight gradient as a scatter (each non-zero adds x * δ to its row of dw's
//   transpose): bound by loading and storing those rows, 280-400 vs 306-348 µs;
// - the weight gradient gathering each block's listed values into one contiguous buffer
//   through a column order while listing (instead of the permuted copy of the batch), on
//   the AVX-512 Zen 4: 354 vs 310-322 µs in the natural order, 284 vs 234 µs (copy
//   included) in 4 x 4 patches. What is kept since copies whole 64-byte pieces of the
//   permuted batch, a block's columns already side by side (see AE_GRADIENT_LIST); it was
//   measured on the Zen 3 only;
// - on the AVX2 Zen 3 (one core, 256-image batches in 4 x 4 patches, copy included), the
//   weight gradient taking 2-4 blocks of 16 columns per pass over δ's panel, so that each
//   panel is read from L2 once for them: 756-789 vs 813-834 µs, about 0.6 % of an
//   autoencoder epoch, not worth the longer loops; prefetching δ's rows a few listed rows
//   ahead: no gain.
// On the AVX2 Zen 3 (one core, forward product alone, 256-image batches, C harness):
// - grouped blocks of 2, 3 or 4 rows with passes of 24-40 columns in 8-lane vectors: fewer
//   multiply-adds (the union of fewer rows is smaller) but 970-1200 vs 825-965 µs for 6 x 16,
//   bound by reading wt's slices; 4 x 24 also spills an accumulator;
// - the listed positions split in 2-4 ranges so that a slice of wt fits the L1 cache: no
//   gain (690-805 µs with 1 to 4 ranges);
// - wt's rows 1088 instead of 1024 bytes apart (no two rows of a slice in the same few L2
//   sets): 5 % faster (the panels below remove those conflicts and more);
// - the batch's rows reordered so that similar images share a block by their exact
//   non-zeros: a greedy nearest-neighbour chain shrinks the 6-row unions from 340 to 263
//   positions, but costs more than it saves; cheap orders (by ink, by the first principal
//   direction) only 7-12 %. What is kept orders each group's rows by 64-bit summaries of
//   their non-zeros instead (order_rows below).

#include "ae_sparse.h"

#include "ae_parallel.h"
#include "thread_scratch.h"
#include "vector_internal.h"


// y <- x * Wᵀ over x's non-zeros, AE_SPARSE_ROWS rows of x at a time. The rows of a block
// share one list: the positions where any of them is non-zero (their union), with the
// block's values there. Each listed position's 16 weights in a panel are then loaded once
// for all the block's rows and multiplied into each row's accumulators, a zero where that
// row has none; for a finite w, adding w * 0 leaves a sum unchanged, so every row gets
// exactly the sum over its own non-zeros, in increasing position, whichever rows share its
// block (an infinite w makes NaN there, as the dense product would).
//
// The block trades arithmetic for memory traffic: MNIST images have 150 non-zeros each on
// average and four have 298-305 in their union, so a block does twice the multiplications of
// four single rows but reads half as many weights, which no longer leaves it waiting on
// the L2 cache. The accumulators (AE_SPARSE_ROWS x columns per pass) stay in registers.
// Positions are listed in pieces of AE_SPARSE_PIECE so that the lists fit on the stack
// whatever the input width.
#define AE_SPARSE_PIECE 1024
#define AE_SPARSE_ROWS 4

typedef _Bool vbool __attribute__((ext_vector_type(W)));

// Lists the positions in [p0, end) where any of the `rows` rows x[0], x[1], … is non-zero
// and returns how many there are; value[r * row_step + i * position_step] is row r's value
// at index[i]. A vector compare gives a 16-bit mask per 16 positions, and only its set bits
// are visited, so the zeros cost a sixteenth of a compare each.
INLINE int list_union(const float *const *x, int rows, long p0, long end, int *index, float *value, long row_step,
                      long position_step) {
    int count = 0;
    long p = p0;
    for (; p + W <= end; p += W) {
        vbool nonzero = (vbool)0;
        for (int r = 0; r < rows; r++) nonzero |= __builtin_convertvector(load(x[r] + p) != splat(0.0f), vbool);
        uint16_t bits;
        memcpy(&bits, &nonzero, sizeof bits);
        while (bits) {
            const int lane = __builtin_ctz(bits);
            index[count] = (int)(p + lane);
            for (int r = 0; r < rows; r++) value[r * row_step + count * position_step] = x[r][p + lane];
            count++;
            bits &= bits - 1;
        }
    }
    for (; p < end; p++) {
        int any = 0;
        for (int r = 0; r < rows; r++) any |= x[r][p] != 0.0f;
        if (!any) continue;
        index[count] = (int)p;
        for (int r = 0; r < rows; r++) value[r * row_step + count * position_step] = x[r][p];
        count++;
    }
    return count;
}

// Adds the listed positions' contributions to columns [c, c + columns_per_pass) of the
// block's R rows of y (or starts them, on the first piece). LANES is how many of the last
// vector's lanes are columns (W but at the right edge of y).
#define AE_SPARSE_PASS(R, VECTORS, LANES_EXPRESSION)                                                   \
    do {                                                                                             \
        const long lanes = (LANES_EXPRESSION);                                                       \
        vf acc[R][VECTORS];                                                                          \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) {                             \
            _Pragma("clang loop unroll(full)") for (int q = 0; q < VECTORS; q++) {                   \
                const long n = q == VECTORS - 1 ? lanes : W;                                          \
                acc[r][q] = first ? splat(0.0f) : n == W ? load(y + r * out + c + q * W)              \
                                                         : load_partial(y + r * out + c + q * W, n);  \
            }                                                                                        \
        }                                                                                            \
        for (int i = 0; i < count; i++) {                                                            \
            const float *w = packed + c * in + (long)index[i] * W;                                   \
            vf wv[VECTORS];                                                                          \
            _Pragma("clang loop unroll(full)") for (int q = 0; q < VECTORS; q++) wv[q] = load(w + q * W * in); \
            _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) {                         \
                const vf v = splat(value[r * AE_SPARSE_PIECE + i]);                                   \
                _Pragma("clang loop unroll(full)") for (int q = 0; q < VECTORS; q++) acc[r][q] += wv[q] * v; \
            }                                                                                        \
        }                                                                                            \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) {                             \
            _Pragma("clang loop unroll(full)") for (int q = 0; q < VECTORS; q++) {                   \
                const long n = q == VECTORS - 1 ? lanes : W;                                          \
                if (n == W) store(y + r * out + c + q * W, acc[r][q]);                               \
                else store_partial(y + r * out + c + q * W, acc[r][q], n);                           \
            }                                                                                        \
        }                                                                                            \
    } while (0)

// y <- x * Wᵀ for R rows (AE_SPARSE_ROWS, or 1 for the rows left over), VECTORS vectors of
// columns per pass: as many as keep R x VECTORS accumulators in the variant's registers.
// Written without a target so that the vector helpers inline into each variant below.
#define AE_DEFINE_SPARSE_ROWS(R, VECTORS)                                                             \
    INLINE void sparse_rows_##R##_##VECTORS(const float *x, long in, const float *packed, long out, float *y) { \
        int index[AE_SPARSE_PIECE];                                                                   \
        float value[R * AE_SPARSE_PIECE];                                                             \
        const float *row[R];                                                                          \
        for (int r = 0; r < R; r++) row[r] = x + r * in;                                              \
        for (long p0 = 0; p0 < in; p0 += AE_SPARSE_PIECE) {                                           \
            const long end = p0 + AE_SPARSE_PIECE < in ? p0 + AE_SPARSE_PIECE : in;                   \
            const int count = list_union(row, R, p0, end, index, value, AE_SPARSE_PIECE, 1);           \
            const int first = p0 == 0;                                                                \
            long c = 0;                                                                               \
            for (; c + VECTORS * W <= out; c += VECTORS * W) AE_SPARSE_PASS(R, VECTORS, W);           \
            for (; c < out; c += W) AE_SPARSE_PASS(R, 1, out - c < W ? out - c : W);                  \
        }                                                                                             \
    }

AE_DEFINE_SPARSE_ROWS(4, 4)
AE_DEFINE_SPARSE_ROWS(1, 4)
AE_DEFINE_SPARSE_ROWS(4, 1)
AE_DEFINE_SPARSE_ROWS(1, 1)

// Blocks of rows in groups, for one vector of columns per pass (AVX2 and the baseline,
// whose registers hold fewer 16-lane vectors). Block by block, each pass reads the 64-byte
// line of every listed position in one panel, and the next pass the next panel, so a block
// walks over all of W (784 x 256 floats for the autoencoder: 800 KB, more than a Zen 3
// core's 512 KB L2) and the next block again. Grouped, the unions of AE_SPARSE_GROUP blocks
// are listed first (each position's values side by side, so that one piece holds its
// broadcasts), then each pass runs over every block of the group: one panel (50 KB for 784
// inputs) serves them all from the caches. Contiguous, a panel's lines fall in every set of
// the L1 cache (rows of Wᵀ, 1 KB apart for 256 outputs, shared a sixteenth of them), and the line
// AE_SPARSE_AHEAD positions on is prefetched: the listed positions are irregular, so the
// hardware does not fetch them early.
// AVX2 takes 6-row blocks: 12 accumulators (as its matrix-multiply tile), where 4 rows
// gave 8, just as many as the multiply-adds' latency needs, and 6 loads per 8 of them.
// Each row still adds its own terms in increasing position from zero, so the bits are
// those of the block-by-block loop. Measured on 256-image MNIST batches, 784 -> 256, one
// Zen 3 core: 680-730 µs per batch against 920-1000 µs block by block (the forward
// product alone, in a C harness, alternating), and with panels instead of W transposed
// 538-541 against 653-668 µs (590 µs without the software prefetch; 3 x 32-column passes
// 940, 2 x 32 608).
// Before its unions are listed, a group's rows are put in blocks of similar rows
// (order_rows): on those batches the 6-row unions shrink from 340 to 297 positions, and
// the product takes 509-524 against 538-547 µs, the summaries and the ordering included
// (their cost is mostly reading the rows once more). A row's sum does not depend on its
// block, so the bits are those of the rows in their own order.
// Inputs wider than one piece of positions take the block-by-block loop.
#define AE_SPARSE_GROUP 16
#define AE_SPARSE_GROUP_ROWS_MAX 6
#define AE_SPARSE_AVX2_ROWS 6
#define AE_SPARSE_AHEAD 8
_Static_assert(W == AE_SPARSE_PANEL, "a pass reads one panel per vector");
_Static_assert(AE_SPARSE_PIECE / W <= 64, "order_rows keeps a row's signature in 64 bits");
_Static_assert(AE_SPARSE_AVX2_ROWS <= AE_SPARSE_GROUP_ROWS_MAX && AE_SPARSE_ROWS <= AE_SPARSE_GROUP_ROWS_MAX,
               "a grouped block's accumulators and values are sized for AE_SPARSE_GROUP_ROWS_MAX rows");
#define AE_SPARSE_GROUP_BYTES                                                                           \
    ((size_t)(AE_SPARSE_GROUP * AE_SPARSE_PIECE + AE_SPARSE_AHEAD) * sizeof(int)                        \
     + (size_t)AE_SPARSE_GROUP * AE_SPARSE_PIECE * AE_SPARSE_GROUP_ROWS_MAX * sizeof(float))

// Columns [c, c + lanes) of a block's R rows of y from its listed positions and the panel
// of those columns. index may be read AE_SPARSE_AHEAD entries past count (for prefetching
// only).
INLINE void sparse_group_pass(const int *index, const float *value, int count, const float *panel, long c,
                              long lanes, float *const *y, int R) {
    vf acc[AE_SPARSE_GROUP_ROWS_MAX];
    _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) acc[r] = splat(0.0f);
    for (int i = 0; i < count; i++) {
        __builtin_prefetch(panel + (long)index[i + AE_SPARSE_AHEAD] * W);
        const vf wv = load(panel + (long)index[i] * W);
        _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) acc[r] += wv * splat(value[i * R + r]);
    }
    if (lanes == W) {
        _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) store(y[r] + c, acc[r]);
    } else {
        _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) store_partial(y[r] + c, acc[r], lanes);
    }
}

// One bit per 16 positions of a row (at most 64 of them, in <= AE_SPARSE_PIECE): set where
// the row has a non-zero among those positions.
INLINE uint64_t row_signature(const float *x, long in) {
    uint64_t signature = 0;
    long p = 0;
    for (; p + W <= in; p += W) {
        const vbool nonzero = __builtin_convertvector(load(x + p) != splat(0.0f), vbool);
        uint16_t bits;
        memcpy(&bits, &nonzero, sizeof bits);
        signature |= (uint64_t)(bits != 0) << (p / W);
    }
    for (; p < in; p++) signature |= (uint64_t)(x[p] != 0.0f) << (p / W);
    return signature;
}

// Puts the n rows of a group in blocks of R similar rows (the last one short when R does
// not divide n): each block starts from the first row not yet taken and adds, R - 1 times,
// the row that brings the fewest new signature bits (the first of equals), so that a
// block's union stays small. order[k] is the row that goes k-th.
INLINE void order_rows(const float *x, long in, int n, int R, int *order) {
    uint64_t signature[AE_SPARSE_GROUP * AE_SPARSE_GROUP_ROWS_MAX];
    int left[AE_SPARSE_GROUP * AE_SPARSE_GROUP_ROWS_MAX];
    for (int r = 0; r < n; r++) {
        signature[r] = row_signature(x + r * in, in);
        left[r] = r;
    }
    int remaining = n, k = 0;
    while (remaining > 0) {
        // left stays in increasing order: its first entry is the first row not yet taken.
        uint64_t block = signature[left[0]];
        order[k++] = left[0];
        memmove(left, left + 1, sizeof(int) * (size_t)--remaining);
        for (int taken = 1; taken < R && remaining > 0; taken++) {
            // Without branches; left being in order, the strict < keeps the first of equals.
            int best = 0, least = 65;
            for (int i = 0; i < remaining; i++) {
                const int added = __builtin_popcountll(signature[left[i]] & ~block);
                best = added < least ? i : best;
                least = added < least ? added : least;
            }
            block |= signature[left[best]];
            order[k++] = left[best];
            memmove(left + best, left + best + 1, sizeof(int) * (size_t)(--remaining - best));
        }
    }
}

// Rows [0, blocks * R) of y, in groups of AE_SPARSE_GROUP blocks of R rows; `scratch`
// holds AE_SPARSE_GROUP_BYTES.
INLINE void sparse_groups(const float *x, long blocks, long in, const float *packed, long out, float *y, void *scratch,
                          int R) {
    int *index = (int *)scratch;
    float *value = (float *)(index + AE_SPARSE_GROUP * AE_SPARSE_PIECE + AE_SPARSE_AHEAD);
    int start[AE_SPARSE_GROUP], count[AE_SPARSE_GROUP], order[AE_SPARSE_GROUP * AE_SPARSE_GROUP_ROWS_MAX];
    const float *xrow[AE_SPARSE_GROUP * AE_SPARSE_GROUP_ROWS_MAX];
    float *yrow[AE_SPARSE_GROUP * AE_SPARSE_GROUP_ROWS_MAX];
    for (long g = 0; g < blocks; g += AE_SPARSE_GROUP) {
        const int group = blocks - g < AE_SPARSE_GROUP ? (int)(blocks - g) : AE_SPARSE_GROUP;
        const float *xg = x + g * R * in;
        order_rows(xg, in, group * R, R, order);
        for (int k = 0; k < group * R; k++) {
            xrow[k] = xg + order[k] * in;
            yrow[k] = y + (g * R + order[k]) * out;
        }
        int listed = 0;
        for (int b = 0; b < group; b++) {
            start[b] = listed;
            // Each position's R values side by side.
            count[b] = list_union(xrow + b * R, R, 0, in, index + listed, value + (long)listed * R, 1, R);
            listed += count[b];
        }
        for (int i = 0; i < AE_SPARSE_AHEAD; i++) index[listed + i] = 0;
        for (long c = 0; c < out; c += W) {
            const long lanes = out - c < W ? out - c : W;
            for (int b = 0; b < group; b++)
                sparse_group_pass(index + start[b], value + (long)start[b] * R, count[b], packed + c * in, c, lanes,
                                  yrow + b * R, R);
        }
    }
}

void ae_sparse_prepare_thread(void) { (void)ae_thread_scratch(AE_SCRATCH_SPARSE, AE_SPARSE_GROUP_BYTES); }

// GROUP_ROWS: 0 block by block (AVX-512: its four-vector passes read a line of four
// panels at each listed position, and its processors' L2 holds the autoencoder's W), else
// the rows of a grouped block. The rows past the last whole block take 4-row blocks, then
// single rows.
#define AE_DEFINE_SPARSE(NAME, TARGET, VECTORS, GROUP_ROWS)                                           \
    TARGET static void sparse_input_product_##NAME(const float *x, long rows, long in, const float *packed, long out, float *y) { \
        if (in == 0) { memset(y, 0, sizeof(float) * (size_t)(rows * out)); return; }                 \
        long r = 0;                                                                                   \
        if (GROUP_ROWS && in <= AE_SPARSE_PIECE && rows >= 2 * (GROUP_ROWS)) {                        \
            const long blocks = rows / (GROUP_ROWS);                                                  \
            sparse_groups(x, blocks, in, packed, out, y, ae_thread_scratch(AE_SCRATCH_SPARSE, AE_SPARSE_GROUP_BYTES), \
                          GROUP_ROWS);                                                                \
            r = blocks * (GROUP_ROWS);                                                                \
        }                                                                                             \
        for (; r + AE_SPARSE_ROWS <= rows; r += AE_SPARSE_ROWS)                                       \
            sparse_rows_4_##VECTORS(x + r * in, in, packed, out, y + r * out);                        \
        for (; r < rows; r++) sparse_rows_1_##VECTORS(x + r * in, in, packed, out, y + r * out);      \
    }

// AVX-512: 4 rows x 4 vectors = 16 accumulators, half of its 32 registers, block by block.
// AVX2 and the baseline split a 16-lane vector over two or four registers, so they take
// one vector per pass, in groups.
#if defined(__x86_64__)
AE_DEFINE_SPARSE(avx512, __attribute__((target("avx512f"))), 4, 0)
AE_DEFINE_SPARSE(avx2, __attribute__((target("avx2,fma"))), 1, AE_SPARSE_AVX2_ROWS)
#endif
AE_DEFINE_SPARSE(base, , 1, 4)
// AVX-512's passes compiled for the baseline, for ae_sparse_input_product_variant's tests on
// machines without AVX-512.
AE_DEFINE_SPARSE(base_wide, , 4, 0)

// dw <- δᵀ·x over the 16-column blocks of x that are not all zero. dw is out x in, δ is
// rows x out and x rows x in, as in a dense layer's weight gradient (dW = δᵀ·x) when x is
// the layer's input. For each block of 16 columns of x, the rows with a non-zero there are
// listed; then dw's block is built TILE rows at a time in TILE vector accumulators, each
// listed row adding δ[r, o] · x[r, block] to row o. A row left out holds only zeros in the
// block and would add exactly zero, so every element is the sum over the rows in
// increasing order without its zero terms. For batches of up to 512 rows (the built-in
// dense kernel's block of the summed dimension) that is the dense kernel's order, and on
// the autoencoder's shapes the results matched it bit for bit.
// In MNIST batches 58 % of the (image, 16-column block) pairs have a non-zero, so this
// does 58 % of the dense arithmetic, at the dense kernel's rate: the rows of x are read
// as 64-byte pieces and δ's values are broadcast, as in the dense micro-kernel. With the
// pixels in 4 x 4 patches (x permuted by ae_permute_columns, dw written back through the
// permutation), 36 % of the pairs have one: 0.21 instead of 0.31 ms per 256-image batch,
// plus 0.02 ms for the permuted copy (medians of 600, isolated).
// The listing also copies each listed row's 64-byte piece of the block to a contiguous
// buffer (the forward product's scratch: the two never run at once on a thread), which
// every pass then reads: in place, the pieces of a block's rows lie 3 KB apart for a
// 784-wide input, one 4 KiB page each, more pages than the L1 TLB holds, and each pass
// over the block's rows missed it again. On 256-image MNIST batches in patches, 784 ->
// 256, one Zen 3 core: 604-618 against 715-722 µs per batch (C harness, alternating),
// same bits.
#define AE_GRADIENT_LIST 1024
_Static_assert((size_t)AE_GRADIENT_LIST * W * sizeof(float) <= AE_SPARSE_GROUP_BYTES,
               "a list's pieces fit in the forward product's scratch");

#define AE_GRADIENT_PASS(TILE)                                                                      \
    do {                                                                                           \
        vf acc[TILE];                                                                              \
        _Pragma("clang loop unroll(full)") for (int i = 0; i < TILE; i++) {                         \
            float *d = dw + (o + i) * in + k0;                                                      \
            acc[i] = first ? splat(0.0f)                                                           \
                   : quads ? load_quads(dw + (o + i) * in, quad_start)                            \
                   : columns ? load_columns(dw + (o + i) * in, columns + k0, lanes)                 \
                   : lanes == W ? load(d) : load_partial(d, lanes);                                 \
        }                                                                                          \
        if (packed) {                                                                              \
            const float *pb = packed + o * rows;                                                   \
            for (int j = 0; j < n; j++) {                                                          \
                const vf xv = load(pieces + j * W);                                                \
                const float *dr = pb + (long)list[j] * TILE;                                       \
                _Pragma("clang loop unroll(full)") for (int i = 0; i < TILE; i++) acc[i] += splat(dr[i]) * xv; \
            }                                                                                      \
        } else {                                                                                   \
            for (int j = 0; j < n; j++) {                                                          \
                const vf xv = load(pieces + j * W);                                                \
                const float *dr = delta + (long)list[j] * out + o;                                 \
                _Pragma("clang loop unroll(full)") for (int i = 0; i < TILE; i++) acc[i] += splat(dr[i]) * xv; \
            }                                                                                      \
        }                                                                                          \
        _Pragma("clang loop unroll(full)") for (int i = 0; i < TILE; i++) {                         \
            float *d = dw + (o + i) * in + k0;                                                      \
            if (quads) store_quads(dw + (o + i) * in, quad_start, acc[i]);                         \
            else if (columns) store_columns(dw + (o + i) * in, columns + k0, acc[i], lanes);        \
            else if (lanes == W) store(d, acc[i]);                                                 \
            else store_partial(d, acc[i], lanes);                                                  \
        }                                                                                          \
    } while (0)

// With x's columns permuted (x's column j is the layer's input columns[j]), dw's element
// for column j goes to row[columns[j]], once per row of dw and block (outside the loop over
// the listed rows); runs of 4 neighbouring columns, as 4 x 4 patches of an image have,
// move 16 bytes at a time.
INLINE int run_of_4(const int32_t *columns, long l, long lanes) {
    return l + 4 <= lanes && columns[l + 1] == columns[l] + 1 && columns[l + 2] == columns[l] + 2
        && columns[l + 3] == columns[l] + 3;
}
INLINE vf load_columns(const float *row, const int32_t *columns, long lanes) {
    float buffer[W] = {0};
    for (long l = 0; l < lanes;) {
        if (run_of_4(columns, l, lanes)) { memcpy(buffer + l, row + columns[l], 4 * sizeof(float)); l += 4; }
        else { buffer[l] = row[columns[l]]; l++; }
    }
    return load(buffer);
}
// A block whose 16 columns are 4 runs of 4 (an image's 4 x 4 patch, every block of a 28 x 28
// image) moves each run from or to its quarter of the accumulator: the runs are found once
// per block instead of once per row of dw, and no buffer is stored and reloaded. On
// 256-image MNIST batches in patches, 784 -> 256, one Zen 3 core, the permuted copy
// included: 694-716 against 813-837 µs per batch (C harness, alternating), same bits.
typedef float vf4 __attribute__((ext_vector_type(4)));
INLINE int block_quads(const int32_t *columns, long lanes, int32_t *start) {
    if (!columns || lanes != W) return 0;
    for (int q = 0; q < 4; q++) {
        if (!run_of_4(columns, 4 * q, lanes)) return 0;
        start[q] = columns[4 * q];
    }
    return 1;
}
INLINE vf load_quads(const float *row, const int32_t *start) {
    vf4 q[4];
    for (int i = 0; i < 4; i++) memcpy(&q[i], row + start[i], sizeof q[i]);
    const vf lo = __builtin_shufflevector(q[0], q[1], 0, 1, 2, 3, 4, 5, 6, 7, -1, -1, -1, -1, -1, -1, -1, -1);
    const vf hi = __builtin_shufflevector(q[2], q[3], 0, 1, 2, 3, 4, 5, 6, 7, -1, -1, -1, -1, -1, -1, -1, -1);
    return __builtin_shufflevector(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
}
INLINE void store_quads(float *row, const int32_t *start, vf v) {
    const vf4 q0 = __builtin_shufflevector(v, v, 0, 1, 2, 3), q1 = __builtin_shufflevector(v, v, 4, 5, 6, 7);
    const vf4 q2 = __builtin_shufflevector(v, v, 8, 9, 10, 11), q3 = __builtin_shufflevector(v, v, 12, 13, 14, 15);
    memcpy(row + start[0], &q0, sizeof q0);
    memcpy(row + start[1], &q1, sizeof q1);
    memcpy(row + start[2], &q2, sizeof q2);
    memcpy(row + start[3], &q3, sizeof q3);
}
INLINE void store_columns(float *row, const int32_t *columns, vf v, long lanes) {
    float buffer[W];
    store(buffer, v);
    for (long l = 0; l < lanes;) {
        if (run_of_4(columns, l, lanes)) { memcpy(row + columns[l], buffer + l, 4 * sizeof(float)); l += 4; }
        else { row[columns[l]] = buffer[l]; l++; }
    }
}

// The weight gradient's work per block of 16 columns grows with the rows that have a
// non-zero there, and those differ a lot between blocks: in MNIST the lower half of an
// image holds more ink, so an even split of the 49 blocks gave one core 16 % more rows
// (31,100 vs 26,900 over 8 batches), and the other waited for it 25-40 µs per step. The
// split points are instead chosen so each core gets about the same count (plus one per
// block, for its listing), estimated on every AE_GRADIENT_SAMPLE-th row (1,568 vector
// compares for a 256-image MNIST batch). Which core computes a block does not change its
// bits.
#define AE_GRADIENT_SAMPLE 8
#define AE_GRADIENT_SPLIT_BLOCKS 1024   // wider inputs are split evenly

// bounds[0 ... parts]: part p computes blocks [bounds[p], bounds[p + 1]).
INLINE void sparse_gradient_split_body(long rows, const float *x, long in, int parts, long *bounds) {
    const long blocks = (in + W - 1) / W;
    long weight[AE_GRADIENT_SPLIT_BLOCKS];
    long total = 0;
    if (blocks <= AE_GRADIENT_SPLIT_BLOCKS) {
        for (long b = 0; b < blocks; b++) {
            const long k0 = b * W, lanes = in - k0 < W ? in - k0 : W;
            long count = 1;
            for (long r = 0; r < rows; r += AE_GRADIENT_SAMPLE) {
                const float *xr = x + r * in + k0;
                const vf v = lanes == W ? load(xr) : load_partial(xr, lanes);
                count += __builtin_reduce_or(v != splat(0.0f)) != 0;
            }
            weight[b] = count;
            total += count;
        }
    }
    bounds[0] = 0;
    long b = 0, running = 0;
    for (int part = 1; part < parts; part++) {
        if (blocks > AE_GRADIENT_SPLIT_BLOCKS) {
            bounds[part] = blocks * part / parts;
            continue;
        }
        // Cut before the block that would take this part past its share, or after it,
        // whichever lands nearer the share.
        const long share = total * part / parts;
        while (b < blocks && running + weight[b] <= share) running += weight[b++];
        if (b < blocks && share - running > running + weight[b] - share) running += weight[b++];
        bounds[part] = b;
    }
    bounds[parts] = blocks;
}

// δ in column panels of the tiles' widths (TILE, then 4, then 1, as the passes take them):
// the panel of columns [o, o + t) starts at o * rows and holds row r's t values at r * t.
// Read in place, a pass's values sit in rows `out` floats apart, which for a 256-wide layer
// (1 KiB) fall into 4 of the L1 cache's 64 sets and miss it each time; a panel is read in
// order. Packing costs one copy of δ per core (the cores take different columns of x, all
// of δ); δ larger than AE_GRADIENT_PACK_MAX floats is read in place. On 256-image MNIST
// batches in 4 x 4 patches, one Zen 3 core, the copy in patch order included: 805-830
// against 875-915 µs per batch (C harness, alternating), same bits.
#define AE_GRADIENT_PACK_MAX (1L << 20)

// Blocks [b0, b1) of 16 columns (the last may be narrower), TILE rows of dw per pass, then
// 4, then 1 for the rows left over.
// Written without a target so that the vector helpers inline into each variant below.
#define AE_DEFINE_SPARSE_GRADIENT(TILE)                                                             \
    INLINE const float *pack_delta_##TILE(const float *delta, long rows, long out) {               \
        if (rows * out > AE_GRADIENT_PACK_MAX) return 0;                                           \
        float *p = (float *)ae_thread_scratch(AE_SCRATCH_DELTA, sizeof(float) * (size_t)(rows * out)); \
        long o = 0;                                                                                \
        for (; o + TILE <= out; o += TILE)                                                         \
            for (long r = 0; r < rows; r++) memcpy(p + o * rows + r * TILE, delta + r * out + o, sizeof(float) * TILE); \
        if (TILE > 4) for (; o + 4 <= out; o += 4)                                                 \
            for (long r = 0; r < rows; r++) memcpy(p + o * rows + r * 4, delta + r * out + o, sizeof(float) * 4); \
        for (; o < out; o++) for (long r = 0; r < rows; r++) p[o * rows + r] = delta[r * out + o]; \
        return p;                                                                                  \
    }                                                                                              \
    INLINE void sparse_gradient_blocks_##TILE(const float *delta, long rows, long out, const float *x, \
                                              long in, const int32_t *columns, float *dw, long b0,  \
                                              long b1) {                                           \
        int list[AE_GRADIENT_LIST];                                                                \
        if (rows == 0 || b1 <= b0) {                                                               \
            for (long o = 0; o < out; o++) {                                                       \
                const long k0 = b0 * W, k1 = b1 * W < in ? b1 * W : in;                            \
                if (k1 <= k0) continue;                                                            \
                if (columns) for (long k = k0; k < k1; k++) dw[o * in + columns[k]] = 0.0f;        \
                else memset(dw + o * in + k0, 0, sizeof(float) * (size_t)(k1 - k0));               \
            }                                                                                      \
            return;                                                                                \
        }                                                                                          \
        const float *packed = pack_delta_##TILE(delta, rows, out);                                 \
        float *pieces = (float *)ae_thread_scratch(AE_SCRATCH_SPARSE, AE_SPARSE_GROUP_BYTES);     \
        for (long b = b0; b < b1; b++) {                                                           \
            const long k0 = b * W;                                                                 \
            const long lanes = in - k0 < W ? in - k0 : W;                                          \
            int32_t quad_start[4];                                                                 \
            const int quads = block_quads(columns ? columns + k0 : 0, lanes, quad_start);           \
            for (long r0 = 0; r0 < rows; r0 += AE_GRADIENT_LIST) {                                 \
                const long r1 = r0 + AE_GRADIENT_LIST < rows ? r0 + AE_GRADIENT_LIST : rows;       \
                int n = 0;                                                                         \
                for (long r = r0; r < r1; r++) {                                                   \
                    const float *xr = x + r * in + k0;                                             \
                    const vf v = lanes == W ? load(xr) : load_partial(xr, lanes);                   \
                    list[n] = (int)r;                                                              \
                    store(pieces + n * W, v);                                                      \
                    n += __builtin_reduce_or(v != splat(0.0f)) != 0;                               \
                }                                                                                  \
                const int first = r0 == 0;                                                         \
                long o = 0;                                                                        \
                for (; o + TILE <= out; o += TILE) AE_GRADIENT_PASS(TILE);                         \
                if (TILE > 4) for (; o + 4 <= out; o += 4) AE_GRADIENT_PASS(4);                    \
                for (; o < out; o++) AE_GRADIENT_PASS(1);                                          \
            }                                                                                      \
        }                                                                                          \
    }

AE_DEFINE_SPARSE_GRADIENT(28)
AE_DEFINE_SPARSE_GRADIENT(6)
AE_DEFINE_SPARSE_GRADIENT(2)

// AVX-512 has 32 vector registers: 28 accumulators leave room for x's vector, and for a
// 256-wide layer the last 4 rows take a 4-row pass (256 = 9 x 28 + 4; AVX2's 6-row tile
// ends the same way, 256 = 42 x 6 + 4). Measured against
// 16 rows per pass (the previous choice) on real MNIST batches, two threads, median of
// 600: 306-310 vs 323-330 µs; 24, 30 and 31 rows were no faster than 16 (fewer or no
// tail rows, but the δ values broadcast per row then straddle more cache lines). In the
// program, where x and δ arrive from the other core, the two tiles tie (both cores' shares
// summed: 620-659 vs 613-647 µs per step, three alternating runs).
// AVX2 holds a 16-lane vector in two of its 16 registers, so 6 rows take 12 (with 4 rows,
// the broadcasts bound it and it was no faster than the dense kernel: 0.97 vs 1.01 ms per
// batch, one thread; with 6, 0.83), and the SSE baseline holds one in four, so it takes 2.
#define AE_DEFINE_GRADIENT_VARIANT(NAME, TARGET, TILE)                                              \
    TARGET static void sparse_gradient_##NAME(const float *delta, long rows, long out, const float *x, \
                                              long in, const int32_t *columns, float *dw, long b0,  \
                                              long b1) {                                           \
        sparse_gradient_blocks_##TILE(delta, rows, out, x, in, columns, dw, b0, b1);               \
    }                                                                                              \
    TARGET static void sparse_gradient_split_##NAME(long rows, const float *x, long in, int parts,  \
                                                    long *bounds) {                                \
        sparse_gradient_split_body(rows, x, in, parts, bounds);                                    \
    }
#if defined(__x86_64__)
AE_DEFINE_GRADIENT_VARIANT(avx512, __attribute__((target("avx512f"))), 28)
AE_DEFINE_GRADIENT_VARIANT(avx2, __attribute__((target("avx2,fma"))), 6)
#endif
AE_DEFINE_GRADIENT_VARIANT(base, , 2)

// ---------------------------------------------------------------------------------------
// Splitting over the cores.

// The forward product splits rows over the cores in whole blocks of the variant's rows (6
// for AVX2's groups, else 4), so that only the last part has rows left over.
static long sparse_split_rows(void) { return pick() == ISA_AVX2 ? AE_SPARSE_AVX2_ROWS : AE_SPARSE_ROWS; }

typedef struct {
    const float *x; long rows; long in; const float *packed; long out; float *y; int parts;
} sparse_input_product_job;

static void sparse_input_product_task(void *context, int index) {
    const sparse_input_product_job *j = (const sparse_input_product_job *)context;
    long start, length;
    ae_part(j->rows, sparse_split_rows(), j->parts, index, &start, &length);
    AE_DISPATCH_VOID(sparse_input_product_, j->x + start * j->in, length, j->in, j->packed, j->out, j->y + start * j->out);
}

void ae_sparse_input_product(const float *x, long rows, long in, const float *packed, long out, float *y) {
    int parts = ae_parts(rows * out);
    if (parts > rows) parts = (int)rows;
    if (parts < 1) parts = 1;
    sparse_input_product_job job = {x, rows, in, packed, out, y, parts};
    ae_parallel_for(parts, sparse_input_product_task, &job);
}

typedef struct {
    const float *delta; long rows; long out; const float *x; long in; const int32_t *columns; float *dw;
    long bounds[AE_MAX_PARTS + 1];
} sparse_gradient_job;

static void sparse_gradient_task(void *context, int index) {
    const sparse_gradient_job *j = (const sparse_gradient_job *)context;
    AE_DISPATCH_VOID(sparse_gradient_, j->delta, j->rows, j->out, j->x, j->in, j->columns, j->dw,
                     j->bounds[index], j->bounds[index + 1]);
}

static void sparse_weight_gradient(const float *delta, long rows, long out, const float *x, long in,
                                   const int32_t *columns, float *dw) {
    const long blocks = (in + W - 1) / W;
    int parts = ae_parts(out * in);
    if (parts > blocks) parts = (int)blocks;
    if (parts < 1) parts = 1;
    sparse_gradient_job job = {delta, rows, out, x, in, columns, dw, {0}};
    if (parts == 1) {
        job.bounds[1] = blocks;
    } else {
        AE_DISPATCH_VOID(sparse_gradient_split_, rows, x, in, parts, job.bounds);
    }
    ae_parallel_for(parts, sparse_gradient_task, &job);
}

void ae_sparse_weight_gradient(const float *delta, long rows, long out, const float *x, long in, float *dw) {
    sparse_weight_gradient(delta, rows, out, x, in, 0, dw);
}

void ae_sparse_weight_gradient_permuted(const float *delta, long rows, long out, const float *xp, long in,
                                        const int32_t *columns, float *dw) {
    sparse_weight_gradient(delta, rows, out, xp, in, columns, dw);
}

// Copies each row's columns in the new order. Orders that keep runs of 4 neighbouring
// columns together (such as 4 x 4 patches of an image) copy those runs 16 bytes at a time.
static void permute_rows(const float *x, long r0, long r1, long in, const int32_t *columns, float *xp) {
    for (long r = r0; r < r1; r++) {
        const float *source = x + r * in;
        float *destination = xp + r * in;
        long j = 0;
        while (j < in) {
            if (run_of_4(columns, j, in)) {
                memcpy(destination + j, source + columns[j], 4 * sizeof(float));
                j += 4;
            } else {
                destination[j] = source[columns[j]];
                j++;
            }
        }
    }
}

typedef struct { const float *x; long rows; long in; const int32_t *columns; float *xp; int parts; } permute_job;

static void permute_task(void *context, int index) {
    const permute_job *j = (const permute_job *)context;
    long start, length;
    ae_part(j->rows, 1, j->parts, index, &start, &length);
    permute_rows(j->x, start, start + length, j->in, j->columns, j->xp);
}

void ae_permute_columns(const float *x, long rows, long in, const int32_t *columns, float *xp) {
    int parts = ae_parts(rows * in);
    if (parts > rows) parts = (int)rows;
    if (parts < 1) parts = 1;
    permute_job job = {x, rows, in, columns, xp, parts};
    ae_parallel_for(parts, permute_task, &job);
}

void ae_sparse_weight_gradient_split(long rows, const float *x, long in, int parts, long *bounds) {
    if (parts < 1) parts = 1;
    if (parts > AE_MAX_PARTS) parts = AE_MAX_PARTS;
    AE_DISPATCH_VOID(sparse_gradient_split_, rows, x, in, parts, bounds);
}

int ae_sparse_weight_gradient_variant(int variant, const float *delta, long rows, long out, const float *x, long in, float *dw) {
    return ae_sparse_weight_gradient_permuted_variant(variant, delta, rows, out, x, in, 0, dw);
}

int ae_sparse_weight_gradient_permuted_variant(int variant, const float *delta, long rows, long out, const float *xp,
                                               long in, const int32_t *columns, float *dw) {
    if (variant < ISA_BASE || variant > (int)ae_cpu_isa()) return 0;
    const long blocks = (in + W - 1) / W;
    switch (variant) {
#if defined(__x86_64__)
    case ISA_AVX512: sparse_gradient_avx512(delta, rows, out, xp, in, columns, dw, 0, blocks); break;
    case ISA_AVX2: sparse_gradient_avx2(delta, rows, out, xp, in, columns, dw, 0, blocks); break;
#endif
    default: sparse_gradient_base(delta, rows, out, xp, in, columns, dw, 0, blocks); break;
    }
    return 1;
}

int ae_sparse_block_order(const float *x, int rows, long in, int block_rows, int *order) {
    if (rows < 1 || rows > AE_SPARSE_GROUP * AE_SPARSE_GROUP_ROWS_MAX || in > AE_SPARSE_PIECE || block_rows < 1
        || block_rows > AE_SPARSE_GROUP_ROWS_MAX)
        return 0;
    order_rows(x, in, rows, block_rows, order);
    return 1;
}

int ae_sparse_input_product_variant(int variant, const float *x, long rows, long in, const float *packed, long out, float *y) {
    if (variant == AE_SPARSE_WIDE_PASSES) { sparse_input_product_base_wide(x, rows, in, packed, out, y); return 1; }
    if (variant < ISA_BASE || variant > (int)ae_cpu_isa()) return 0;
    switch (variant) {
#if defined(__x86_64__)
    case ISA_AVX512: sparse_input_product_avx512(x, rows, in, packed, out, y); break;
    case ISA_AVX2: sparse_input_product_avx2(x, rows, in, packed, out, y); break;
#endif
    default: sparse_input_product_base(x, rows, in, packed, out, y); break;
    }
    return 1;
}

// ---------------------------------------------------------------------------------------
// Packing the weight: each panel is the transpose of 16 rows of W, by 8 x 8 tiles turned in
// registers (three rounds of shuffles), two tiles down at a time so that each panel row
// written is a whole 64-byte line. A last panel of fewer rows is copied one value at a
// time and padded with zeros. Training packs the first layer's weight each step (784 x 256
// for the autoencoder), so this must cost little next to the products.

typedef float v8 __attribute__((ext_vector_type(8)));

INLINE v8 load8(const float *p) { v8 v; memcpy(&v, p, sizeof v); return v; }
INLINE void store8(float *p, v8 v) { memcpy(p, &v, sizeof v); }

// Rows r0 ..< r0 + 8 and columns c0 ..< c0 + 8 of source (columns wide) to destination
// (its transpose, rows wide).
INLINE void transpose_tile(const float *source, long rows, long columns, long r0, long c0, float *destination) {
    v8 r[8], t[8], u[8];
#pragma clang loop unroll(full)
    for (int i = 0; i < 8; i++) r[i] = load8(source + (r0 + i) * columns + c0);
#pragma clang loop unroll(full)
    for (int i = 0; i < 8; i += 2) {
        t[i] = __builtin_shufflevector(r[i], r[i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
        t[i + 1] = __builtin_shufflevector(r[i], r[i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
    }
#pragma clang loop unroll(full)
    for (int i = 0; i < 8; i += 4) {
        u[i] = __builtin_shufflevector(t[i], t[i + 2], 0, 1, 8, 9, 4, 5, 12, 13);
        u[i + 1] = __builtin_shufflevector(t[i], t[i + 2], 2, 3, 10, 11, 6, 7, 14, 15);
        u[i + 2] = __builtin_shufflevector(t[i + 1], t[i + 3], 0, 1, 8, 9, 4, 5, 12, 13);
        u[i + 3] = __builtin_shufflevector(t[i + 1], t[i + 3], 2, 3, 10, 11, 6, 7, 14, 15);
    }
#pragma clang loop unroll(full)
    for (int i = 0; i < 4; i++) {
        store8(destination + (c0 + i) * rows + r0, __builtin_shufflevector(u[i], u[i + 4], 0, 1, 2, 3, 8, 9, 10, 11));
        store8(destination + (c0 + i + 4) * rows + r0, __builtin_shufflevector(u[i], u[i + 4], 4, 5, 6, 7, 12, 13, 14, 15));
    }
}

// Panels [k0, k1) of W (out x in) packed.
INLINE void pack_panels_body(const float *w, long out, long in, long k0, long k1, float *packed) {
    const long tiled = in / 8 * 8;
    for (long k = k0; k < k1; k++) {
        const float *rows = w + k * W * in;
        float *panel = packed + k * W * in;
        const long height = out - k * W < W ? out - k * W : W;
        if (height == W) {
            for (long c = 0; c < tiled; c += 8) {
                transpose_tile(rows, W, in, 0, c, panel);
                transpose_tile(rows, W, in, 8, c, panel);
            }
            for (long p = tiled; p < in; p++) {
                for (long r = 0; r < W; r++) panel[p * W + r] = rows[r * in + p];
            }
        } else {
            for (long p = 0; p < in; p++) {
                for (long r = 0; r < W; r++) panel[p * W + r] = r < height ? rows[r * in + p] : 0.0f;
            }
        }
    }
}

#define AE_DEFINE_PACK(NAME, TARGET)                                                                 \
    TARGET static void pack_panels_##NAME(const float *w, long out, long in, long k0, long k1, float *packed) { \
        pack_panels_body(w, out, in, k0, k1, packed);                                                \
    }
#if defined(__x86_64__)
AE_DEFINE_PACK(avx512, __attribute__((target("avx512f"))))
AE_DEFINE_PACK(avx2, __attribute__((target("avx2,fma"))))
#endif
AE_DEFINE_PACK(base, )

typedef struct {
    const float *w; long out; long in; float *packed; int parts;
} pack_job;

static void pack_task(void *context, int index) {
    const pack_job *j = (const pack_job *)context;
    long start, length;
    ae_part((j->out + W - 1) / W, 1, j->parts, index, &start, &length);
    AE_DISPATCH_VOID(pack_panels_, j->w, j->out, j->in, start, start + length, j->packed);
}

long ae_sparse_packed_weight_count(long out, long in) { return (out + W - 1) / W * W * in; }

void ae_sparse_pack_weight(const float *w, long out, long in, float *packed) {
    const long panels = (out + W - 1) / W;
    int parts = ae_parts(out * in);
    if (parts > panels) parts = (int)panels;
    if (parts < 1) parts = 1;
    pack_job job = {w, out, in, packed, parts};
    ae_parallel_for(parts, pack_task, &job);
}
