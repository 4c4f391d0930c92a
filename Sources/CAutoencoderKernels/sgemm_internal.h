// Internal interface between the SGEMM driver (sgemm.c) and its micro-kernels.
//
// Memory layout assumed by every micro-kernel (row-major C, vectorised along n):
//   a, panel form ("kernel"): MR rows of op(A) by kc columns stored column by column,
//      element (i, p) at a[p * a_step + i]. a_step == MR for a packed panel; when
//      op(A) = A^T is read in place (A stored k x m), a_step == lda.
//   a, direct form ("kernel_direct"): row-major A read in place, element (i, p) at
//      a[i * a_step + p] with a_step == lda; rows i >= mr are never read.
//   b: kc rows of op(B) by NR columns stored row by row, element (p, j) at
//      b[p * b_step + j]. b_step == NR for a packed panel (zero padded past nr), or
//      b_step == ldb when row-major B is read in place; kernels with partial_b == 1
//      use masked loads and never touch columns j >= nr.
//   c: the mr x nr block of C (row-major, leading dimension ldc), updated as
//      C <- alpha * (a . b) + beta * C; when beta == 0, C is written without being read.

#ifndef AE_SGEMM_INTERNAL_H
#define AE_SGEMM_INTERNAL_H

typedef void (*ae_microkernel_fn)(long kc,
                                  const float *a, long a_step,
                                  const float *b, long b_step,
                                  float *c, long ldc,
                                  float alpha, float beta,
                                  long mr, long nr);

// Packs op(B) = B^T (B stored n x k, row-major, leading dimension ldb; `b` points at
// op(B)(0, 0)) for kc rows and nc columns into ceil(nc / nr_tile) panels of kc x nr_tile
// (element (p, j) of a panel at panel[p * nr_tile + j]), zero-filling columns past nc.
typedef void (*ae_pack_b_fn)(int nr_tile, long kc, long nc, const float *b, long ldb, float *dst);

typedef struct {
    int mr;                            // register tile rows (MR); 0 = tile absent
    int nr;                            // register tile columns (NR)
    int partial_b;                     // 1: reads only the nr valid columns of b (masked loads)
    ae_microkernel_fn kernel;          // A in panel form
    ae_microkernel_fn kernel_direct;   // A row-major in place; NULL = pack A instead
} ae_tile;

typedef struct {
    ae_tile wide;                      // the general tile
    ae_tile narrow;                    // used instead when n <= narrow.nr (optional)
    ae_pack_b_fn pack_b_transposed;    // fast B^T packing for the tiles' NR; NULL = generic C
    ae_pack_b_fn pack_b_rows;          // fast row-major B packing; NULL = generic C
    int pack_b;                        // 1: pack row-major B even though it could be read in
                                       // place (aligned panel rows beat misaligned ones here)
} ae_kernel_desc;

extern const ae_kernel_desc ae_kernel_desc_portable;
#if defined(__x86_64__)
extern const ae_kernel_desc ae_kernel_desc_avx2;
extern const ae_kernel_desc ae_kernel_desc_avx512;
#endif

#endif
