// Shared by the vector kernel files (elementwise.c, sparse.c, bytes.c, convolution.c), not
// part of the module's interface: the 16-lane float vector type and its loads and stores,
// the run-time choice of instruction set, and how a pass is split over the cores.
//
// A kernel body is written once over clang's 16-lane vector extension and compiled
// three times through target attributes (AVX-512F, AVX2+FMA, the build's baseline);
// AE_DISPATCH calls the variant pick() chose for this CPU. Vectors are loaded and stored
// through memcpy, so pointers need no alignment.

#ifndef AE_VECTOR_INTERNAL_H
#define AE_VECTOR_INTERNAL_H

#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "ae_cpu.h"

// The helpers below take and return 16-lane vectors; clang warns that such a call's ABI
// differs between the AVX-512, AVX2 and baseline variants. No such call exists: every
// helper is always inlined into the variant that uses it.
#pragma clang diagnostic ignored "-Wpsabi"

typedef float vf __attribute__((ext_vector_type(16)));
typedef int32_t vi __attribute__((ext_vector_type(16)));
typedef uint32_t vu __attribute__((ext_vector_type(16)));
#define W 16

#define INLINE static inline __attribute__((always_inline))

INLINE vf load(const float *p) { vf v; memcpy(&v, p, sizeof v); return v; }
INLINE void store(float *p, vf v) { memcpy(p, &v, sizeof v); }
INLINE vf splat(float x) { return (vf)(x); }
INLINE vf select_where(vi mask, vf yes, vf no) { return (vf)(((vi)yes & mask) | ((vi)no & ~mask)); }

// Copies a partial vector through a zero-padded buffer so tails use the same code.
INLINE vf load_partial(const float *p, long count) {
    float buffer[W] = {0};
    memcpy(buffer, p, sizeof(float) * (size_t)count);
    return load(buffer);
}
INLINE void store_partial(float *p, vf v, long count) {
    float buffer[W];
    store(buffer, v);
    memcpy(p, buffer, sizeof(float) * (size_t)count);
}

// ---------------------------------------------------------------------------------------
// Choosing the variant.

#if defined(__x86_64__)
#define AE_VARIANTS(X) X(avx512, "avx512f") X(avx2, "avx2,fma")
#else
#define AE_VARIANTS(X)
#endif

typedef enum { ISA_UNKNOWN = -1, ISA_BASE = AE_ISA_BASELINE, ISA_AVX2 = AE_ISA_AVX2_FMA, ISA_AVX512 = AE_ISA_AVX512 } isa;
static volatile int chosen = ISA_UNKNOWN;

// The variant to run: the CPU's best, unless AUTOENCODER_ISA lowers it (ae_cpu.h).
static inline int pick(void) {
    int value = chosen;
    if (value != ISA_UNKNOWN) return value;
    value = (int)ae_active_isa();
    chosen = value;   // idempotent: racing first calls store the same value
    return value;
}

#if defined(__x86_64__)
#define AE_DISPATCH(CALL_PREFIX, ...)                                              \
    switch (pick()) {                                                            \
    case ISA_AVX512: return CALL_PREFIX##avx512(__VA_ARGS__);                    \
    case ISA_AVX2: return CALL_PREFIX##avx2(__VA_ARGS__);                        \
    default: return CALL_PREFIX##base(__VA_ARGS__);                              \
    }
#else
#define AE_DISPATCH(CALL_PREFIX, ...) return CALL_PREFIX##base(__VA_ARGS__);
#define AE_DISPATCH_VOID(CALL_PREFIX, ...) CALL_PREFIX##base(__VA_ARGS__)
#endif

#if defined(__x86_64__)
// AE_DISPATCH for a call whose caller goes on afterwards.
#define AE_DISPATCH_VOID(CALL_PREFIX, ...)                                         \
    do {                                                                         \
        switch (pick()) {                                                        \
        case ISA_AVX512: CALL_PREFIX##avx512(__VA_ARGS__); break;                \
        case ISA_AVX2: CALL_PREFIX##avx2(__VA_ARGS__); break;                    \
        default: CALL_PREFIX##base(__VA_ARGS__); break;                          \
        }                                                                        \
    } while (0)
#endif

// ---------------------------------------------------------------------------------------
// Splitting the large passes over the cores, on the shared worker pool (parallel.c).
// Below AE_PARALLEL_MINIMUM elements a pass runs on the calling thread: handing work to
// another thread costs a few microseconds, about what 30,000 float operations take.

#define AE_PARALLEL_MINIMUM 32768L
#define AE_MAX_PARTS 8   // ae_parts never returns more

static inline int ae_parts(long count) {
    static int cores = 0;   // racing first calls (from worker threads too) store the same value
    int value = __atomic_load_n(&cores, __ATOMIC_RELAXED);
    if (value == 0) {
        const int usable = ae_usable_cores();
        value = usable > AE_MAX_PARTS ? AE_MAX_PARTS : usable;
        __atomic_store_n(&cores, value, __ATOMIC_RELAXED);
    }
    return count < AE_PARALLEL_MINIMUM ? 1 : value;
}

// The part `index` of `parts` of 0 ..< count, in whole units of `unit` elements; the last
// part also takes the remainder of fewer than `unit` elements.
static inline void ae_part(long count, long unit, int parts, int index, long *start, long *length) {
    long units = count / unit;
    long first = units * index / parts, last = units * (index + 1) / parts;
    *start = first * unit;
    *length = index == parts - 1 ? count - *start : (last - first) * unit;
}

#endif
