// The byte-to-float conversions; see include/ae_bytes.h.
//
// A training step converts its batch from the bytes of randomly chosen images: in Swift
// at the baseline target that loop is scalar (a convert and a division per pixel), about
// 0.25 ms of a 3.4 ms autoencoder step. Here 16 bytes at a time are widened, converted and
// divided in one vector (AVX-512, AVX2 or the baseline, as elementwise.c), the next
// images are prefetched while one is converted (they are scattered over 47 MB), and the
// rows are split over the cores.

#include "ae_bytes.h"

#include "ae_parallel.h"
#include "vector_internal.h"

typedef uint8_t vbytes __attribute__((ext_vector_type(W)));

// How many images ahead to prefetch: enough to cover a memory access while one image
// (784 bytes) is converted.
#define AE_PREFETCH_IMAGES 4

INLINE void normalize_body(const uint8_t *source, long count, float *destination) {
    long i = 0;
    for (; i + W <= count; i += W) {
        vbytes bytes;
        memcpy(&bytes, source + i, sizeof bytes);
        store(destination + i, __builtin_convertvector(bytes, vf) / 255.0f);
    }
    for (; i < count; i++) destination[i] = (float)source[i] / 255.0f;
}

INLINE void gather_body(const uint8_t *source, const long *indices, long count, long width, float *destination) {
    for (long r = 0; r < count; r++) {
        if (r + AE_PREFETCH_IMAGES < count) {
            const uint8_t *ahead = source + indices[r + AE_PREFETCH_IMAGES] * width;
            for (long offset = 0; offset < width; offset += 64) __builtin_prefetch(ahead + offset);
        }
        normalize_body(source + indices[r] * width, width, destination + r * width);
    }
}

#define AE_DEFINE_BYTES(NAME, TARGET)                                                              \
    __attribute__((target(TARGET))) static void normalize_##NAME(const uint8_t *s, long n, float *d) { normalize_body(s, n, d); } \
    __attribute__((target(TARGET))) static void gather_##NAME(const uint8_t *s, const long *i, long n, long w, float *d) { gather_body(s, i, n, w, d); }

AE_VARIANTS(AE_DEFINE_BYTES)

static void normalize_base(const uint8_t *s, long n, float *d) { normalize_body(s, n, d); }
static void gather_base(const uint8_t *s, const long *i, long n, long w, float *d) { gather_body(s, i, n, w, d); }

typedef struct {
    const uint8_t *source; const long *indices; long count; long width; float *destination; int parts;
} bytes_job;

static void gather_task(void *context, int index) {
    const bytes_job *j = (const bytes_job *)context;
    long start, length;
    ae_part(j->count, 1, j->parts, index, &start, &length);
    if (length > 0) {
        AE_DISPATCH_VOID(gather_, j->source, j->indices + start, length, j->width, j->destination + start * j->width);
    }
}

void ae_gather_normalized_images(const uint8_t *source, const long *indices, long count, long width,
                                 float *destination) {
    int parts = ae_parts(count * width);
    if (parts > count) parts = (int)count;
    if (parts < 1) parts = 1;
    bytes_job job = {source, indices, count, width, destination, parts};
    ae_parallel_for(parts, gather_task, &job);
}

static void normalize_task(void *context, int index) {
    const bytes_job *j = (const bytes_job *)context;
    long start, length;
    ae_part(j->count, W, j->parts, index, &start, &length);
    if (length > 0) AE_DISPATCH_VOID(normalize_, j->source + start, length, j->destination + start);
}

void ae_normalize_bytes(const uint8_t *source, long count, float *destination) {
    const int parts = ae_parts(count);
    bytes_job job = {source, 0, count, 1, destination, parts};
    ae_parallel_for(parts, normalize_task, &job);
}
