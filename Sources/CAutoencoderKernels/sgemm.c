// The built-in SGEMM driver: run-time kernel dispatch, per-thread packing buffers and
// the cache-blocked loop nest (GotoBLAS/BLIS order: jc over NC columns, pc over KC of k,
// ic over MC rows, then NR-wide by MR-tall register tiles).
//
// Memory layout: all matrices ROW-MAJOR (CBLAS row-major convention). op(A) is m x k,
// op(B) is k x n, C is m x n with element (i, j) at c[i * ldc + j]. A is stored m x k
// (a[i * lda + p]) or, when transposed, k x m (a[p * lda + i]); B is stored k x n
// (b[p * ldb + j]) or, when transposed, n x k (b[j * ldb + p]).
//
// What is copied: nothing, usually. Row-major A is read in place by the "direct"
// kernels, A^T in place as a panel (a[p * lda + i] is already MR floats per p), and
// row-major B in place with masked loads at the right edge. Only B^T is packed (it must
// be transposed), plus, rarely, operands whose rows are a multiple of 2 KiB apart
// (they would thrash a few cache sets) and the last partial MR panel of A^T.
// Packed A block: ceil(mc / MR) micro-panels, each MR x kc stored column by column
// (element (i, p) at panel[p * MR + i]), rows past the edge zero-filled.
// Packed B block: ceil(nc / NR) micro-panels, each kc x NR stored row by row
// (element (p, j) at panel[p * NR + j]), columns past the edge zero-filled.
//
// Measured and not kept: a dense layer's bias and activation applied by the driver to each
// strip of C (an MC x NR block) right after its last block of k, instead of in a second
// pass (ae_bias_activate). The pass is bound by the sigmoid's arithmetic, not by memory
// (0.53 ns per value on one Zen 3 core), so fusing saved nothing and the narrow strips cost
// more: one core, 256 rows, sigmoid, 256 -> 784: 1245-1251 vs 1211-1218 µs; 128 -> 256:
// 226-234 vs 220-221 µs; 256 -> 128: 198 vs 196-197 µs; autoencoder epochs tied.

#include "CAutoencoderKernels.h"
#include "sgemm_internal.h"
#include "thread_scratch.h"

#include <string.h>

// ---------------------------------------------------------------------------------
// Blocking parameters and per-thread workspace.

#define AE_KC_MAX 512      // depth of one packed block (k direction)
#define AE_MC_TARGET 192   // rows of op(A) packed at once (rounded down to MR)
#define AE_NC_MAX 1024     // columns of op(B) packed at once (multiple of every NR)
#define AE_MR_MAX 16
#define AE_NR_MAX 64

#define AE_A_BUFFER_FLOATS ((AE_MC_TARGET + AE_MR_MAX) * AE_KC_MAX)
#define AE_B_BUFFER_FLOATS ((AE_NC_MAX + AE_NR_MAX) * AE_KC_MAX)

// The calling thread's packing buffers (fixed sizes: thread_scratch.c allocates them on
// the thread's first product, or when a pool worker starts (ae_sgemm_prepare_thread), and
// reuses them after).
typedef struct {
    float *a;   // packed A block
    float *b;   // packed B block
} ae_workspace;

static ae_workspace ae_workspace_get(void) {
    ae_workspace ws = {
        (float *)ae_thread_scratch(AE_SCRATCH_PACKED_A, sizeof(float) * AE_A_BUFFER_FLOATS),
        (float *)ae_thread_scratch(AE_SCRATCH_PACKED_B, sizeof(float) * AE_B_BUFFER_FLOATS),
    };
    return ws;
}

void ae_sgemm_prepare_thread(void) { (void)ae_workspace_get(); }

// ---------------------------------------------------------------------------------
// Dispatch.

// AUTOENCODER_ISA can lower what counts as supported (ae_cpu.h), so that one machine can
// run the kernels other CPUs would.
static int ae_cpu_has_avx512(void) { return ae_active_isa() >= AE_ISA_AVX512; }
static int ae_cpu_has_avx2_fma(void) { return ae_active_isa() >= AE_ISA_AVX2_FMA; }

int ae_sgemm_kernel_supported(ae_sgemm_kernel kernel) {
    switch (kernel) {
    case AE_SGEMM_KERNEL_PORTABLE: return 1;
    case AE_SGEMM_KERNEL_AVX2_FMA: return ae_cpu_has_avx2_fma();
    case AE_SGEMM_KERNEL_AVX512: return ae_cpu_has_avx512();
    }
    return 0;
}

ae_sgemm_kernel ae_sgemm_best_kernel(void) {
    static int cached = -1;   // benign race: every thread computes the same value
    int value = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (value < 0) {
        value = ae_cpu_has_avx512() ? AE_SGEMM_KERNEL_AVX512
              : ae_cpu_has_avx2_fma() ? AE_SGEMM_KERNEL_AVX2_FMA
              : AE_SGEMM_KERNEL_PORTABLE;
        __atomic_store_n(&cached, value, __ATOMIC_RELAXED);
    }
    return (ae_sgemm_kernel)value;
}

const char *ae_sgemm_kernel_name(ae_sgemm_kernel kernel) {
    switch (kernel) {
    case AE_SGEMM_KERNEL_PORTABLE: return "portable";
    case AE_SGEMM_KERNEL_AVX2_FMA: return "AVX2+FMA";
    case AE_SGEMM_KERNEL_AVX512: return "AVX-512";
    }
    return "unknown";
}

static const ae_kernel_desc *ae_desc_for(ae_sgemm_kernel kernel) {
    if (!ae_sgemm_kernel_supported(kernel)) kernel = ae_sgemm_best_kernel();
    switch (kernel) {
#if defined(__x86_64__)
    case AE_SGEMM_KERNEL_AVX512: return &ae_kernel_desc_avx512;
    case AE_SGEMM_KERNEL_AVX2_FMA: return &ae_kernel_desc_avx2;
#endif
    default: return &ae_kernel_desc_portable;
    }
}

int ae_sgemm_kernel_tile_rows(ae_sgemm_kernel kernel) {
    const ae_kernel_desc *desc = ae_desc_for(kernel);
    int rows = desc->wide.mr;
    // A multiple of every tile's height (the narrow tile may be taller).
    while (desc->narrow.mr > 0 && rows % desc->narrow.mr != 0) rows += desc->wide.mr;
    return rows;
}
int ae_sgemm_kernel_tile_columns(ae_sgemm_kernel kernel) { return ae_desc_for(kernel)->wide.nr; }

// ---------------------------------------------------------------------------------
// Packing (generic C; the AVX-512 B^T packer lives in sgemm_kernels_x86.c).

static inline long ae_min(long x, long y) { return x < y ? x : y; }

// op(A)[0..mc, 0..kc] -> MR-tall panels (element (i, p) at panel[p * MR + i]).
// `a` points at op(A)(0, 0).
static void ae_pack_a(int MR, int trans, long mc, long kc, const float *a, long lda, float *dst) {
    for (long ir = 0; ir < mc; ir += MR) {
        const long mr = ae_min(MR, mc - ir);
        if (!trans) {
            // A stored m x k: row i of the panel is contiguous in the source.
            for (long i = 0; i < mr; i++) {
                const float *src = a + (ir + i) * lda;
                for (long p = 0; p < kc; p++) dst[p * MR + i] = src[p];
            }
            for (long i = mr; i < MR; i++)
                for (long p = 0; p < kc; p++) dst[p * MR + i] = 0.0f;
        } else {
            // A stored k x m: column p of the panel is contiguous in the source.
            for (long p = 0; p < kc; p++) {
                const float *src = a + p * lda + ir;
                float *d = dst + p * MR;
                for (long i = 0; i < mr; i++) d[i] = src[i];
                for (long i = mr; i < MR; i++) d[i] = 0.0f;
            }
        }
        dst += (long)MR * kc;
    }
}

// op(B)[0..kc, 0..nc] -> NR-wide panels (element (p, j) at panel[p * NR + j]).
// `b` points at op(B)(0, 0).
static void ae_pack_b(int NR, int trans, long kc, long nc, const float *b, long ldb, float *dst) {
    for (long jr = 0; jr < nc; jr += NR) {
        const long nr = ae_min(NR, nc - jr);
        if (!trans) {
            // B stored k x n: row p of the panel is contiguous in the source.
            for (long p = 0; p < kc; p++) {
                const float *src = b + p * ldb + jr;
                float *d = dst + p * NR;
                for (long j = 0; j < nr; j++) d[j] = src[j];
                for (long j = nr; j < NR; j++) d[j] = 0.0f;
            }
        } else {
            // B stored n x k: column j of the panel is contiguous in the source.
            for (long j = 0; j < nr; j++) {
                const float *src = b + (jr + j) * ldb;
                for (long p = 0; p < kc; p++) dst[p * NR + j] = src[p];
            }
            for (long j = nr; j < NR; j++)
                for (long p = 0; p < kc; p++) dst[p * NR + j] = 0.0f;
        }
        dst += (long)NR * kc;
    }
}

// ---------------------------------------------------------------------------------
// Driver.

static void ae_scale_c(long m, long n, float beta, float *c, long ldc) {
    for (long i = 0; i < m; i++) {
        float *row = c + i * ldc;
        if (beta == 0.0f) memset(row, 0, sizeof(float) * (size_t)n);
        else if (beta != 1.0f) for (long j = 0; j < n; j++) row[j] *= beta;
    }
}

// Whether rows `ld` floats apart alias in the caches: a multiple of 512 floats (2 KiB)
// maps a whole micro-panel onto one or two of the 64 L1 sets (and few L2 sets).
static inline int ae_set_aliasing(long ld) { return ld >= 512 && ld % 512 == 0; }

static void ae_sgemm_blocked(const ae_kernel_desc *desc, int trans_a, int trans_b, long m, long n, long k, float alpha,
                             const float *a, long lda, const float *b, long ldb,
                             float beta, float *c, long ldc) {
    if (m <= 0 || n <= 0) return;
    if (alpha == 0.0f || k <= 0) { ae_scale_c(m, n, beta, c, ldc); return; }

    // The narrow tile (if any) for products at most its width wide, else the wide one.
    const int narrow_ok = desc->narrow.mr > 0;
    const ae_tile *T = narrow_ok && n <= desc->narrow.nr ? &desc->narrow : &desc->wide;
    const int MR = T->mr, NR = T->nr;

    const long MC = AE_MC_TARGET / MR * MR;
    const long NC = AE_NC_MAX / NR * NR;
    // Split k into equal blocks no deeper than AE_KC_MAX.
    const long k_blocks = (k + AE_KC_MAX - 1) / AE_KC_MAX;
    const long KC = (k + k_blocks - 1) / k_blocks;

    // How A and B are read: in place whenever the kernels allow it (no copy), else packed.
    // Rows 2 KiB apart (or a multiple of that) fall into the same few L1/L2 sets and
    // evict each other, so such operands are packed even when they could be read in place.
    const int b_in_place = !desc->pack_b && !trans_b && T->partial_b && !ae_set_aliasing(ldb);
    const int a_in_place = (trans_a || T->kernel_direct) && !ae_set_aliasing(lda);
    const int need_b = !b_in_place;
    const int need_a = !a_in_place || (trans_a && m % MR != 0);
    const ae_workspace ws = (need_a || need_b) ? ae_workspace_get() : (ae_workspace){NULL, NULL};
    // The narrow tile, when it exists and A is read in place, also serves the last
    // column panel of a wide product if that panel is narrow enough.
    const ae_tile *edge_tile = T == &desc->wide && narrow_ok && a_in_place && n % NR != 0
                             && (trans_a || desc->narrow.kernel_direct) && desc->narrow.partial_b
                             && MC % desc->narrow.mr == 0 ? &desc->narrow : NULL;

    for (long jc = 0; jc < n; jc += NC) {
        const long nc = ae_min(NC, n - jc);
        for (long pc = 0; pc < k; pc += KC) {
            const long kc = ae_min(KC, k - pc);
            const float beta_now = pc == 0 ? beta : 1.0f;

            const float *b_block = trans_b ? b + jc * ldb + pc : b + pc * ldb + jc;
            if (!b_in_place) {
                if (trans_b && desc->pack_b_transposed) desc->pack_b_transposed(NR, kc, nc, b_block, ldb, ws.b);
                else if (!trans_b && desc->pack_b_rows) desc->pack_b_rows(NR, kc, nc, b_block, ldb, ws.b);
                else ae_pack_b(NR, trans_b, kc, nc, b_block, ldb, ws.b);
            }

            for (long ic = 0; ic < m; ic += MC) {
                const long mc = ae_min(MC, m - ic);
                const float *a_block = trans_a ? a + pc * lda + ic : a + ic * lda + pc;
                const long full = mc / MR * MR;   // rows covered by whole tiles
                if (!a_in_place) {
                    ae_pack_a(MR, trans_a, mc, kc, a_block, lda, ws.a);
                } else if (trans_a && full < mc) {
                    // A^T read in place would run past column m: pack the last, partial panel.
                    ae_pack_a(MR, 1, mc - full, kc, a_block + full, lda, ws.a);
                }

                for (long jr = 0; jr < nc; jr += NR) {
                    const long nr = ae_min(NR, nc - jr);
                    const float *bp = b_in_place ? b_block + jr : ws.b + (jr / NR) * NR * kc;
                    const long b_step = b_in_place ? ldb : NR;
                    long ir = 0;
                    if (edge_tile && nr <= edge_tile->nr) {
                        // A last panel at most half as wide as the tile: the narrow tile
                        // does the whole-tile rows without computing the empty columns.
                        const int EMR = edge_tile->mr;
                        for (; ir + EMR <= mc; ir += EMR) {
                            float *ct = c + (ic + ir) * ldc + jc + jr;
                            if (!trans_a)
                                edge_tile->kernel_direct(kc, a_block + ir * lda, lda, bp, b_step, ct, ldc,
                                                         alpha, beta_now, EMR, nr);
                            else
                                edge_tile->kernel(kc, a_block + ir, lda, bp, b_step, ct, ldc, alpha, beta_now, EMR, nr);
                        }
                    }
                    for (; ir < mc; ir += MR) {
                        const long mr = ae_min(MR, mc - ir);
                        float *ct = c + (ic + ir) * ldc + jc + jr;
                        if (!a_in_place)
                            T->kernel(kc, ws.a + (ir / MR) * MR * kc, MR, bp, b_step, ct, ldc, alpha, beta_now, mr, nr);
                        else if (!trans_a)
                            T->kernel_direct(kc, a_block + ir * lda, lda, bp, b_step, ct, ldc, alpha, beta_now, mr, nr);
                        else if (mr == MR)
                            T->kernel(kc, a_block + ir, lda, bp, b_step, ct, ldc, alpha, beta_now, mr, nr);
                        else
                            T->kernel(kc, ws.a, MR, bp, b_step, ct, ldc, alpha, beta_now, mr, nr);
                    }
                }
            }
        }
    }
}

void ae_sgemm(ae_sgemm_kernel kernel, int trans_a, int trans_b, long m, long n, long k,
              float alpha, const float *a, long lda, const float *b, long ldb,
              float beta, float *c, long ldc) {
    ae_sgemm_blocked(ae_desc_for(kernel), trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
