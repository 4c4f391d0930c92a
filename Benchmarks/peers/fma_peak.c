// The machine's single-precision FMA peak, measured: each of THREADS threads runs
// independent chains of vector fused multiply-adds (12 accumulators, enough to cover the
// FMA latency on two pipes) for ~0.2 s. Each thread's rate is taken over its own CPU time
// (CLOCK_THREAD_CPUTIME_ID), so other processes sharing the cores do not lower it; the peak
// is the mean of those rates times the threads that can run at once (at most the cores this
// process may use), best of REPS. The wall-clock rate of all threads together is printed too.
// It uses the widest FMA the CPU runs (AVX-512F, else AVX2+FMA), chosen at run time.
//
//   cc -O2 -pthread fma_peak.c -o fma_peak && ./fma_peak [THREADS] [REPS]
//
// prints one line of JSON: {"gflops": ..., "wallGflops": ..., "threads": ..., "isa": "avx2"|"avx512", ...}.
// compare.py builds and runs it; the number is what % of peak is measured against.
#define _GNU_SOURCE
#include <immintrin.h>
#include <sched.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CHAINS 12
#define INNER 4096L

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

// Runs `rounds` × INNER iterations of CHAINS FMAs of `lanes`-wide vectors; returns a value
// that depends on every chain, so that none is optimised away.
// Twelve named accumulators (not an array, which compilers may keep in memory).
#define FMA12(F, a, b)                                                                      \
    x0 = F(x0, a, b); x1 = F(x1, a, b); x2 = F(x2, a, b); x3 = F(x3, a, b);                \
    x4 = F(x4, a, b); x5 = F(x5, a, b); x6 = F(x6, a, b); x7 = F(x7, a, b);                \
    x8 = F(x8, a, b); x9 = F(x9, a, b); x10 = F(x10, a, b); x11 = F(x11, a, b)

__attribute__((target("avx2,fma"))) static float run_avx2(long rounds) {
    const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    __m256 x0 = _mm256_set1_ps(0), x1 = _mm256_set1_ps(1), x2 = _mm256_set1_ps(2), x3 = _mm256_set1_ps(3),
           x4 = _mm256_set1_ps(4), x5 = _mm256_set1_ps(5), x6 = _mm256_set1_ps(6), x7 = _mm256_set1_ps(7),
           x8 = _mm256_set1_ps(8), x9 = _mm256_set1_ps(9), x10 = _mm256_set1_ps(10), x11 = _mm256_set1_ps(11);
    for (long r = 0; r < rounds; r++)
        for (long j = 0; j < INNER; j++) { FMA12(_mm256_fmadd_ps, a, b); }
    __m256 sum = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(x0, x1), _mm256_add_ps(x2, x3)),
                               _mm256_add_ps(_mm256_add_ps(x4, x5), _mm256_add_ps(x6, x7)));
    sum = _mm256_add_ps(sum, _mm256_add_ps(_mm256_add_ps(x8, x9), _mm256_add_ps(x10, x11)));
    float out[8];
    _mm256_storeu_ps(out, sum);
    return out[0];
}

__attribute__((target("avx512f"))) static float run_avx512(long rounds) {
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    __m512 x0 = _mm512_set1_ps(0), x1 = _mm512_set1_ps(1), x2 = _mm512_set1_ps(2), x3 = _mm512_set1_ps(3),
           x4 = _mm512_set1_ps(4), x5 = _mm512_set1_ps(5), x6 = _mm512_set1_ps(6), x7 = _mm512_set1_ps(7),
           x8 = _mm512_set1_ps(8), x9 = _mm512_set1_ps(9), x10 = _mm512_set1_ps(10), x11 = _mm512_set1_ps(11);
    for (long r = 0; r < rounds; r++)
        for (long j = 0; j < INNER; j++) { FMA12(_mm512_fmadd_ps, a, b); }
    __m512 sum = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(x0, x1), _mm512_add_ps(x2, x3)),
                               _mm512_add_ps(_mm512_add_ps(x4, x5), _mm512_add_ps(x6, x7)));
    sum = _mm512_add_ps(sum, _mm512_add_ps(_mm512_add_ps(x8, x9), _mm512_add_ps(x10, x11)));
    return _mm512_reduce_add_ps(sum);
}

static int use512;
static long rounds;
static volatile float sink;

static double thread_cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

// Runs the chains; writes the CPU seconds this thread took to *cpu when given.
static void *worker(void *cpu) {
    const double start = thread_cpu_seconds();
    sink = use512 ? run_avx512(rounds) : run_avx2(rounds);
    if (cpu) *(double *)cpu = thread_cpu_seconds() - start;
    return NULL;
}

int main(int argc, char **argv) {
    const int threads = argc > 1 ? atoi(argv[1]) : 1;
    const int reps = argc > 2 ? atoi(argv[2]) : 7;
    if (threads < 1 || threads > 256 || reps < 1) {
        fprintf(stderr, "usage: fma_peak [THREADS >= 1] [REPS >= 1]\n");
        return 2;
    }
    __builtin_cpu_init();
    use512 = __builtin_cpu_supports("avx512f");
    if (!use512 && !(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) {
        fprintf(stderr, "fma_peak: this CPU has neither AVX-512F nor AVX2+FMA\n");
        return 1;
    }
    const int lanes = use512 ? 16 : 8;
    // Calibrate the rounds to ~0.2 s on one thread.
    rounds = 1;
    for (;;) {
        double t = now();
        worker(NULL);
        t = now() - t;
        if (t > 0.02) { rounds = (long)(rounds * 0.2 / t) + 1; break; }
        rounds *= 4;
    }
    const double flop_per_thread = 2.0 * lanes * CHAINS * INNER * (double)rounds;
    cpu_set_t usable;
    int cores = threads;
    if (sched_getaffinity(0, sizeof usable, &usable) == 0 && CPU_COUNT(&usable) < threads) cores = CPU_COUNT(&usable);
    double best = 0, best_wall = 0;
    pthread_t ids[256];
    double cpu[256];
    for (int rep = 0; rep < reps; rep++) {
        const double t = now();
        for (int i = 0; i < threads; i++) pthread_create(&ids[i], NULL, worker, &cpu[i]);
        for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
        const double wall = flop_per_thread * threads / (now() - t) / 1e9;
        double per_thread = 0;
        for (int i = 0; i < threads; i++) per_thread += flop_per_thread / cpu[i] / 1e9 / threads;
        if (per_thread * cores > best) best = per_thread * cores;
        if (wall > best_wall) best_wall = wall;
    }
    printf("{\"gflops\": %.1f, \"wallGflops\": %.1f, \"threads\": %d, \"cores\": %d, \"isa\": \"%s\", \"reps\": %d}\n",
           best, best_wall, threads, cores, use512 ? "avx512" : "avx2", reps);
    return 0;
}
