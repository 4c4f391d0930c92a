// Runs several independent SGEMM sub-problems (disjoint blocks of C) at once on the
// shared worker pool (parallel.c).
//
// Memory layout: each ae_sgemm_problem describes a row-major product exactly as the
// arguments of ae_sgemm do (see CAutoencoderKernels.h); the problems' C blocks must not
// overlap.

#include "CAutoencoderKernels.h"

typedef struct {
    ae_sgemm_kernel kernel;
    const ae_sgemm_problem *problems;
} ae_sgemm_batch_context;

static void ae_sgemm_batch_task(void *context, int index) {
    const ae_sgemm_batch_context *batch = (const ae_sgemm_batch_context *)context;
    const ae_sgemm_problem *p = &batch->problems[index];
    ae_sgemm(batch->kernel, p->trans_a, p->trans_b, p->m, p->n, p->k, p->alpha, p->a, p->lda,
             p->b, p->ldb, p->beta, p->c, p->ldc);
}

void ae_sgemm_batch(ae_sgemm_kernel kernel, const ae_sgemm_problem *problems, int count) {
    ae_sgemm_batch_context batch = {kernel, problems};
    ae_parallel_for(count, ae_sgemm_batch_task, &batch);
}
