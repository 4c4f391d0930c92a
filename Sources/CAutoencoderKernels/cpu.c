// The run-time choice of instruction set shared by the SGEMM kernels (sgemm.c) and the
// vector kernels (vector_internal.h's pick()); see include/ae_cpu.h.

#define _GNU_SOURCE   // sched_getaffinity and CPU_COUNT
#include "ae_cpu.h"

#include <sched.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <strings.h>

ae_isa ae_cpu_isa(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return AE_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return AE_ISA_AVX2_FMA;
#endif
    return AE_ISA_BASELINE;
}

int ae_isa_named(const char *name) {
    if (name == NULL) return -1;
    // Whatever the case of the letters, as the tools read their named options.
    if (strcasecmp(name, "avx512") == 0) return AE_ISA_AVX512;
    if (strcasecmp(name, "avx2") == 0) return AE_ISA_AVX2_FMA;
    if (strcasecmp(name, "baseline") == 0) return AE_ISA_BASELINE;
    return -1;
}

ae_isa ae_active_isa(void) {
    static int cached = -1;   // benign race: every thread computes the same value
    int value = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (value < 0) {
        value = (int)ae_cpu_isa();
        const int limit = ae_isa_named(getenv("AUTOENCODER_ISA"));
        if (limit >= 0 && limit < value) value = limit;
        __atomic_store_n(&cached, value, __ATOMIC_RELAXED);
    }
    return (ae_isa)value;
}

int ae_usable_cores(void) {
#if defined(__linux__)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        const int count = CPU_COUNT(&set);
        if (count >= 1) return count;
    }
#endif
    const long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online < 1 ? 1 : (int)online;
}
