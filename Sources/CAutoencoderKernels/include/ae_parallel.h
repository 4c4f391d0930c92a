// The shared worker pool of the kernels: runs task(context, 0 ..< count) on persistent
// threads plus the calling thread, with no heap allocation after first use.

#ifndef AE_PARALLEL_H
#define AE_PARALLEL_H

#ifdef __cplusplus
extern "C" {
#endif

/// A unit of work: `index` tells which of the batch's tasks to run.
typedef void (*ae_task)(void *context, int index);

/// Runs task(context, i) for every i in 0 ..< count, in parallel, and returns when all are
/// done. The calling thread takes part; worker threads are started on first use (never
/// more than count - 1) and reused. If another thread's batch occupies the pool (or the
/// call is nested in a task), the tasks run serially on the calling thread instead.
void ae_parallel_for(int count, ae_task task, void *context);

/// Caps the threads that run one ae_parallel_for batch (the calling thread included) at
/// `threads`, for the whole process; 0 or less removes the cap (the default: one thread
/// per task). Callers split their work as before, so results do not change; 1 runs every
/// batch on the calling thread. Meant to be set once, before the first parallel call.
void ae_parallel_set_thread_limit(int threads);

/// The cap set by ae_parallel_set_thread_limit, or 0 when there is none.
int ae_parallel_thread_limit(void);

#ifdef __cplusplus
}
#endif

#endif
