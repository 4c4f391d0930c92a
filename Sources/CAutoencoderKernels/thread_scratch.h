// Per-thread scratch memory for the kernels (not part of the module's interface).
//
// A kernel that needs working memory (the SGEMM's packing buffers) asks for its slot
// here: the first request on a thread allocates, a larger request grows the slot, and
// every later request returns the same memory, so repeated calls allocate nothing. Each worker thread and each calling thread has its own slots;
// they are freed when the thread exits.

#ifndef AE_THREAD_SCRATCH_H
#define AE_THREAD_SCRATCH_H

#include <stddef.h>

typedef enum {
    AE_SCRATCH_PACKED_A = 0,
    AE_SCRATCH_PACKED_B = 1,
    AE_SCRATCH_SPARSE = 2,
    AE_SCRATCH_DELTA = 3,
    AE_SCRATCH_SLOTS = 4,
} ae_scratch_slot;

/// At least `bytes` bytes, 64-byte aligned, owned by the calling thread's `slot`; the
/// contents are not kept when the slot grows. Aborts when memory is exhausted.
void *ae_thread_scratch(ae_scratch_slot slot, size_t bytes);

/// Allocates the calling thread's SGEMM packing buffers now (sgemm.c), so that a worker
/// thread's first product does not allocate inside a training step.
void ae_sgemm_prepare_thread(void);

/// Allocates the calling thread's working memory for the zero-skipping forward product and
/// weight gradient (sparse.c), for the same reason.
void ae_sparse_prepare_thread(void);

#endif
