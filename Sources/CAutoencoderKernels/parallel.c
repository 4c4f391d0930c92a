// A small pool of persistent worker threads shared by every parallel kernel (the built-in
// matrix multiply's blocks and the elementwise passes), so that splitting work over cores
// costs no heap allocation after the pool's first use (DispatchQueue.concurrentPerform
// allocates a few blocks per call) and only one set of threads ever competes for the cores.
//
// Synchronisation: one mutex guards the batch; task indices are claimed under it, so a
// late-waking worker can never pick up a stale batch. Waking a sleeping thread through
// a condition variable takes tens of microseconds on a virtual machine, as long as a
// 128^3 product, so both sides first spin politely (pause, then sched_yield, so other
// runnable threads keep the core): a worker for a short while after its last task,
// catching back-to-back calls; the caller while the workers finish their share.
// Only then do they sleep on the condition variables.
//
// A process-wide thread limit (ae_parallel_set_thread_limit) caps how many threads run a
// batch: the callers still split their work into the same tasks, so results do not depend
// on it; workers beyond the limit take no tasks and sleep (on their own condition
// variable, so that batches do not wake them) until the limit changes. Workers are named
// ae-worker-N (N from 0), as `top -H` and /proc/self/task/*/comm show them.

#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE   // pthread_setname_np
#endif

#include "ae_parallel.h"
#include "thread_scratch.h"

#include <pthread.h>
#include <stdio.h>
#include <sched.h>
#include <time.h>

#define AE_MAX_WORKERS 63
#define AE_WORKER_SPIN_NS 200000L     // a worker looks for new work this long before sleeping
#define AE_CALLER_SPIN_NS 5000000L    // the caller waits for the workers this long before sleeping

static struct {
    pthread_mutex_t lock;
    pthread_cond_t work_available;
    pthread_cond_t batch_finished;
    pthread_cond_t worker_ready;            // a new worker has its buffers and is waiting for work
    pthread_cond_t limit_changed;           // workers beyond the thread limit wait on this
    pthread_mutex_t in_use;                 // held by the one caller whose batch runs on the pool
    ae_task task;                           // the current batch: task(context, index)
    void *context;
    int count;                              // problems in the batch (0 when idle)   } read without the
    int next;                               // first unclaimed problem               } lock while spinning,
    int finished;                           // problems done                         } so always atomic
    int sleepers;                           // workers waiting on work_available
    int workers;                            // worker threads started so far
    int ready;                              // of those, how many have their buffers
    int limit;                              // most threads per batch, caller included (0: no limit)
} ae_pool = {
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER,
    PTHREAD_COND_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

// This worker's number (0 for the first started), -1 on other threads.
static __thread int ae_worker_index = -1;

#define AE_LOAD(field) __atomic_load_n(&ae_pool.field, __ATOMIC_ACQUIRE)
#define AE_STORE(field, value) __atomic_store_n(&ae_pool.field, (value), __ATOMIC_RELEASE)

static inline void ae_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static inline long ae_now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)t.tv_sec * 1000000000L + t.tv_nsec;
}

// Spins until `done()` or `budget_ns` have passed; returns done().
static int ae_spin_until(int (*done)(void), long budget_ns) {
    const long start = ae_now_ns();
    for (unsigned round = 0;; round++) {
        if (done()) return 1;
        if ((round & 15) == 15) {
            if (ae_now_ns() - start > budget_ns) return done();
            sched_yield();
        } else {
            ae_cpu_relax();
        }
    }
}

// Whether this worker may take tasks under the thread limit (the caller is one of the threads).
static int ae_worker_allowed(void) {
    const int limit = AE_LOAD(limit);
    return limit <= 0 || ae_worker_index < limit - 1;
}

static int ae_work_available(void) { return ae_worker_allowed() && AE_LOAD(next) < AE_LOAD(count); }
static int ae_batch_done(void) { return AE_LOAD(finished) >= AE_LOAD(count); }

// Claims and runs problems until none is left; called with ae_pool.lock held, returns with it held.
static void ae_pool_drain(void) {
    while (AE_LOAD(next) < AE_LOAD(count)) {
        const int index = AE_LOAD(next);
        AE_STORE(next, index + 1);
        const ae_task task = ae_pool.task;
        void *context = ae_pool.context;
        pthread_mutex_unlock(&ae_pool.lock);
        task(context, index);
        pthread_mutex_lock(&ae_pool.lock);
        AE_STORE(finished, AE_LOAD(finished) + 1);
        if (AE_LOAD(finished) == AE_LOAD(count)) pthread_cond_signal(&ae_pool.batch_finished);
    }
}

static void *ae_worker_main(void *index) {
    ae_worker_index = (int)(long)index;
#if defined(__linux__)
    char name[16];
    snprintf(name, sizeof name, "ae-worker-%d", ae_worker_index);
    pthread_setname_np(pthread_self(), name);
#endif
    // The packing buffers and the sparse product's lists first, while the thread that
    // started this one waits: a worker that first multiplies some steps later must not
    // allocate inside a training step.
    ae_sgemm_prepare_thread();
    ae_sparse_prepare_thread();
    pthread_mutex_lock(&ae_pool.lock);
    ae_pool.ready++;
    pthread_cond_broadcast(&ae_pool.worker_ready);
    pthread_mutex_unlock(&ae_pool.lock);
    for (;;) {
        if (!ae_worker_allowed()) {
            // Beyond the thread limit: no spinning, and no waking for each batch.
            pthread_mutex_lock(&ae_pool.lock);
            while (!ae_worker_allowed()) pthread_cond_wait(&ae_pool.limit_changed, &ae_pool.lock);
            pthread_mutex_unlock(&ae_pool.lock);
        }
        if (!ae_spin_until(ae_work_available, AE_WORKER_SPIN_NS)) {
            pthread_mutex_lock(&ae_pool.lock);
            if (ae_worker_allowed() && !ae_work_available()) {
                ae_pool.sleepers++;
                pthread_cond_wait(&ae_pool.work_available, &ae_pool.lock);
                ae_pool.sleepers--;
            }
            pthread_mutex_unlock(&ae_pool.lock);
            // Spin again even if the wake-up came too late for its batch: the next
            // product usually follows within microseconds.
            continue;
        }
        pthread_mutex_lock(&ae_pool.lock);
        ae_pool_drain();
        pthread_mutex_unlock(&ae_pool.lock);
    }
    return NULL;
}

void ae_parallel_for(int count, ae_task task, void *context) {
    if (count <= 0) return;
    // One task, or the pool busy with another thread's batch: run here, serially.
    const int limit = AE_LOAD(limit);
    if (count == 1 || limit == 1 || pthread_mutex_trylock(&ae_pool.in_use) != 0) {
        for (int i = 0; i < count; i++) task(context, i);
        return;
    }
    pthread_mutex_lock(&ae_pool.lock);
    // Start missing workers (once per process; they never exit).
    const int wanted = limit > 1 && limit - 1 < count - 1 ? limit - 1 : count - 1;
    while (ae_pool.workers < wanted && ae_pool.workers < AE_MAX_WORKERS) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, ae_worker_main, (void *)(long)ae_pool.workers) != 0) break;
        pthread_detach(thread);
        ae_pool.workers++;
    }
    while (ae_pool.ready < ae_pool.workers) pthread_cond_wait(&ae_pool.worker_ready, &ae_pool.lock);
    ae_pool.task = task;
    ae_pool.context = context;
    AE_STORE(next, 0);
    AE_STORE(finished, 0);
    AE_STORE(count, count);   // last: spinning workers see the batch complete
    if (limit > 1 && ae_pool.workers > limit - 1) {
        // A worker the limit has just excluded may still be counted among the sleepers
        // (woken, not yet moved to limit_changed): wake all, so that the allowed ones are
        // among the woken. Excluded workers sleep elsewhere and are not woken by this.
        pthread_cond_broadcast(&ae_pool.work_available);
    } else {
        for (int i = 1; i < count && i <= ae_pool.sleepers; i++) pthread_cond_signal(&ae_pool.work_available);
    }
    // The caller works too, and takes over whatever the workers have not claimed yet.
    ae_pool_drain();
    if (!ae_batch_done()) {
        pthread_mutex_unlock(&ae_pool.lock);
        ae_spin_until(ae_batch_done, AE_CALLER_SPIN_NS);
        pthread_mutex_lock(&ae_pool.lock);
        while (!ae_batch_done()) pthread_cond_wait(&ae_pool.batch_finished, &ae_pool.lock);
    }
    AE_STORE(count, 0);
    AE_STORE(next, 0);
    ae_pool.task = 0;
    ae_pool.context = 0;
    pthread_mutex_unlock(&ae_pool.lock);
    pthread_mutex_unlock(&ae_pool.in_use);
}

void ae_parallel_set_thread_limit(int threads) {
    pthread_mutex_lock(&ae_pool.lock);
    AE_STORE(limit, threads < 1 ? 0 : threads);
    // Workers now beyond the limit that sleep waiting for work move to limit_changed;
    // workers now within it wake from there.
    pthread_cond_broadcast(&ae_pool.work_available);
    pthread_cond_broadcast(&ae_pool.limit_changed);
    pthread_mutex_unlock(&ae_pool.lock);
}

int ae_parallel_thread_limit(void) {
    return AE_LOAD(limit);
}
