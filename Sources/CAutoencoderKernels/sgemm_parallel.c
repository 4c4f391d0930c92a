// Runs several independent SGEMM sub-problems (disjoint blocks of C) at once on a
// small pool of persistent worker threads, so that splitting a product over cores
// costs no heap allocation after the pool's first use (DispatchQueue.concurrentPerform
// allocates a few blocks per call) and wakes threads that already exist.
//
// Memory layout: each ae_sgemm_problem describes a row-major product exactly as the
// arguments of ae_sgemm do (see CAutoencoderKernels.h); the problems' C blocks must not
// overlap. Synchronisation: one mutex and two condition variables guard the batch;
// claims of sub-problems happen under the mutex, so a late-waking worker can never pick
// up a stale batch.

#include "CAutoencoderKernels.h"

#include <pthread.h>

#define AE_MAX_WORKERS 63

static struct {
    pthread_mutex_t lock;
    pthread_cond_t work_available;
    pthread_cond_t batch_finished;
    pthread_mutex_t in_use;                 // held by the one caller whose batch runs on the pool
    const ae_sgemm_problem *problems;       // the current batch
    ae_sgemm_kernel kernel;
    int count;                              // problems in the batch (0 when idle)
    int next;                               // first unclaimed problem
    int finished;                           // problems done
    int workers;                            // worker threads started so far
} ae_pool = {
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER,
    PTHREAD_MUTEX_INITIALIZER, 0, AE_SGEMM_KERNEL_PORTABLE, 0, 0, 0, 0,
};

static void ae_run_problem(ae_sgemm_kernel kernel, const ae_sgemm_problem *p) {
    ae_sgemm(kernel, p->trans_a, p->trans_b, p->m, p->n, p->k, p->alpha, p->a, p->lda,
             p->b, p->ldb, p->beta, p->c, p->ldc);
}

// Claims and runs problems until none is left; called with ae_pool.lock held, returns with it held.
static void ae_pool_drain(void) {
    while (ae_pool.next < ae_pool.count) {
        const ae_sgemm_problem *p = &ae_pool.problems[ae_pool.next++];
        const ae_sgemm_kernel kernel = ae_pool.kernel;
        pthread_mutex_unlock(&ae_pool.lock);
        ae_run_problem(kernel, p);
        pthread_mutex_lock(&ae_pool.lock);
        if (++ae_pool.finished == ae_pool.count) pthread_cond_signal(&ae_pool.batch_finished);
    }
}

static void *ae_worker_main(void *unused) {
    (void)unused;
    pthread_mutex_lock(&ae_pool.lock);
    for (;;) {
        while (ae_pool.next >= ae_pool.count) pthread_cond_wait(&ae_pool.work_available, &ae_pool.lock);
        ae_pool_drain();
    }
    return NULL;
}

void ae_sgemm_batch(ae_sgemm_kernel kernel, const ae_sgemm_problem *problems, int count) {
    if (count <= 0) return;
    // One problem, or the pool busy with another thread's batch: run here, serially.
    if (count == 1 || pthread_mutex_trylock(&ae_pool.in_use) != 0) {
        for (int i = 0; i < count; i++) ae_run_problem(kernel, &problems[i]);
        return;
    }
    pthread_mutex_lock(&ae_pool.lock);
    // Start missing workers (once per process; they never exit).
    while (ae_pool.workers < count - 1 && ae_pool.workers < AE_MAX_WORKERS) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, ae_worker_main, NULL) != 0) break;
        pthread_detach(thread);
        ae_pool.workers++;
    }
    ae_pool.problems = problems;
    ae_pool.kernel = kernel;
    ae_pool.count = count;
    ae_pool.next = 0;
    ae_pool.finished = 0;
    for (int i = 1; i < count && i <= ae_pool.workers; i++) pthread_cond_signal(&ae_pool.work_available);
    // The caller works too, and takes over whatever the workers have not claimed yet.
    ae_pool_drain();
    while (ae_pool.finished < ae_pool.count) pthread_cond_wait(&ae_pool.batch_finished, &ae_pool.lock);
    ae_pool.count = 0;
    ae_pool.next = 0;
    ae_pool.problems = 0;
    pthread_mutex_unlock(&ae_pool.lock);
    pthread_mutex_unlock(&ae_pool.in_use);
}
