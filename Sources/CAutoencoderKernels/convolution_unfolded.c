// Convolutions through unfolded columns and the SGEMM, split over the samples of a batch;
// see include/ae_convolution_unfolded.h for the layouts and the split.

#include "CAutoencoderKernels.h"
#include "convolution_internal.h"

#include <string.h>

// At most this many chunks per batch: enough to share among the cores of a small machine
// with little imbalance, few enough that their partial weight gradients stay small.
#define UNFOLDED_MAXIMUM_CHUNKS 8L

// Below this many multiply-adds a batch stays on the calling thread (a hand-off costs a
// few microseconds).
#define UNFOLDED_PARALLEL_MINIMUM 200000L

// Pieces of the scratch memory start on 64-byte boundaries (16 floats).
static long rounded(long floats) { return (floats + 15) / 16 * 16; }

// The geometry and operands of one call.
typedef struct {
    ae_sgemm_kernel kernel;
    const float *images, *output_values, *weight, *bias;
    float *delta, *scratch, *output, *weight_gradient, *bias_sums, *input_gradient;
    long samples, channels, height, width, kernel_h, kernel_w, stride_h, stride_w, pad_top, pad_left, out_h, out_w;
    long filters, chunks;
    ae_nonlinearity f;
    int threads;
    const float *flipped;   // the shifted input gradient's weights (see flip_weights)
} unfolded_job;

static long patch_size(const unfolded_job *j) { return j->channels * j->kernel_h * j->kernel_w; }
static long positions(const unfolded_job *j) { return j->out_h * j->out_w; }
static long image_size(const unfolded_job *j) { return j->channels * j->height * j->width; }
static int is_identity(const unfolded_job *j);
static long columns_size(const unfolded_job *j) { return is_identity(j) ? 0 : rounded(patch_size(j) * positions(j)); }
static int shifted_possible(const unfolded_job *j);
static long shifted_size(const unfolded_job *j);
// A chunk's working memory: one sample's unfolded columns or its shifted-plane buffers,
// whichever the geometry may use (the scratch size does not depend on the kernel).
static long workspace_size(const unfolded_job *j) {
    const long shifted = shifted_possible(j) ? shifted_size(j) : 0;
    return columns_size(j) > shifted ? columns_size(j) : shifted;
}
static long chunk_size(const unfolded_job *j) { return workspace_size(j) + rounded(j->filters * patch_size(j)); }
static long flipped_size(const unfolded_job *j) { return shifted_possible(j) ? rounded(j->filters * patch_size(j)) : 0; }

long ae_conv2d_unfolded_chunks(long samples) {
    return samples < 1 ? 1 : samples < UNFOLDED_MAXIMUM_CHUNKS ? samples : UNFOLDED_MAXIMUM_CHUNKS;
}

long ae_conv2d_unfolded_scratch(long samples, long channels, long height, long width, long kernel_h, long kernel_w,
                                long stride_h, long stride_w, long pad_top, long pad_left, long out_h, long out_w,
                                long filters) {
    unfolded_job job = {0};
    job.samples = samples < 0 ? 0 : samples; job.channels = channels; job.height = height; job.width = width;
    job.kernel_h = kernel_h; job.kernel_w = kernel_w; job.stride_h = stride_h; job.stride_w = stride_w;
    job.pad_top = pad_top; job.pad_left = pad_left; job.out_h = out_h; job.out_w = out_w; job.filters = filters;
    return ae_conv2d_unfolded_chunks(samples) * chunk_size(&job) + rounded(job.samples * filters) + flipped_size(&job);
}

// A 1x1 window with stride 1 and no padding: the image is its own unfolded matrix.
static int is_identity(const unfolded_job *j) {
    return j->kernel_h == 1 && j->kernel_w == 1 && j->stride_h == 1 && j->stride_w == 1 && j->pad_top == 0
        && j->pad_left == 0 && j->out_h == j->height && j->out_w == j->width;
}

// The columns of sample s: the image itself for an identity window, else unfolded into `columns`.
static const float *unfold(const unfolded_job *j, long s, float *columns) {
    const float *image = j->images + s * image_size(j);
    if (is_identity(j)) return image;
    ae_im2col(image, j->channels, j->height, j->width, j->kernel_h, j->kernel_w, j->stride_h, j->stride_w,
              j->pad_top, j->pad_left, j->out_h, j->out_w, columns);
    return columns;
}

static float *chunk_columns(const unfolded_job *j, long chunk) { return j->scratch + chunk * chunk_size(j); }

static long chunk_first(const unfolded_job *j, long chunk) { return j->samples * chunk / j->chunks; }

// Sample s's output gradient times f' (in place), its planes' sums stored as its bias sums.
static const float *sample_delta(const unfolded_job *j, long s) {
    const long plane = positions(j), filters = j->filters;
    float *d = j->delta + s * filters * plane;
    ae_multiply_derivative(d, j->output_values + s * filters * plane, filters * plane, j->f);
    for (long c = 0; c < filters; c++) j->bias_sums[s * filters + c] = ae_plane_sum(d + c * plane, plane);
    return d;
}

// Chunk 0's weight gradient is the result itself; the others' are in their scratch.
static float *chunk_gradient(const unfolded_job *j, long chunk) {
    return chunk == 0 ? j->weight_gradient : chunk_columns(j, chunk) + workspace_size(j);
}

// ---------------------------------------------------------------------------------------
// Shifted planes instead of unfolded columns (stride 1, the AVX2 or AVX-512 kernel): see
// shifted_geometry in convolution_internal.h. The forward product and the weight gradient
// read the padded image; the input gradient is the forward product of the output gradient
// padded all round (kernel - 1 - padding) with the window turned round and the roles of
// filters and planes swapped (flip_weights).

// Stride 1, a window that is not 1x1-identity, and paddings within the window (so that the
// input gradient's padding is not negative); the kernel is checked by uses_shifted.
static int shifted_possible(const unfolded_job *j) {
    return j->stride_h == 1 && j->stride_w == 1 && !is_identity(j) && j->pad_top >= 0 && j->pad_left >= 0
        && j->pad_top < j->kernel_h && j->pad_left < j->kernel_w && j->out_h >= 1 && j->out_w >= 1
        && j->out_h <= j->height + j->pad_top && j->out_w <= j->width + j->pad_left;
}

static int uses_shifted(const unfolded_job *j) {
#if defined(__x86_64__)
    // The tiles are AVX2 code, which the AVX-512 processors run too (a Zen 4 splits its
    // 512-bit multiply-adds in two 256-bit halves, so they reach the same share of its peak).
    return (j->kernel == AE_SGEMM_KERNEL_AVX2_FMA || j->kernel == AE_SGEMM_KERNEL_AVX512)
        && ae_sgemm_kernel_supported(j->kernel) && shifted_possible(j);
#else
    return 0;
#endif
}

// The forward product's padded images and the input gradient's padded output gradients.
static shifted_geometry forward_geometry(const unfolded_job *j) {
    return shifted_geometry_make(j->channels, j->kernel_h, j->kernel_w, j->out_h, j->out_w);
}
static shifted_geometry backward_geometry(const unfolded_job *j) {
    return shifted_geometry_make(j->filters, j->kernel_h, j->kernel_w, j->height, j->width);
}

// A chunk's shifted buffers, one after the other in its working memory: a group of
// samples' padded images and flat output gradients (`group` of each, `padded_stride` and
// `delta_stride` floats apart), the flat output planes (the forward product's, or the
// input gradient's) and the padded output gradient.
typedef struct {
    float *padded, *delta, *flat, *padded_delta;
    long padded_stride, delta_stride, group;
} shifted_buffers;

// The weight gradient of a group of samples adds their products into the same eight-lane
// sums, so that the lanes are added up once per group rather than once per sample: as many
// samples as keep the group's images and gradients within this many floats (the L2 cache),
// at least one, at most a chunk's.
#define SHIFTED_GROUP_FLOATS 32768L

// Where each buffer starts, in floats from the first, and where the last ends.
typedef struct { long delta, flat, padded_delta, end, padded_stride, delta_stride, group; } shifted_offsets;

static shifted_offsets shifted_offsets_of(const unfolded_job *j) {
    const shifted_geometry f = forward_geometry(j), b = backward_geometry(j);
    const long flat = j->filters * shifted_flat_positions(&f), folded = j->channels * shifted_flat_positions(&b);
    const long chunk_samples = ceil_div(j->samples, ae_conv2d_unfolded_chunks(j->samples));
    shifted_offsets o;
    o.padded_stride = rounded(shifted_padded_size(&f));
    o.delta_stride = rounded(j->filters * shifted_delta_positions(&f));
    o.group = SHIFTED_GROUP_FLOATS / (o.padded_stride + o.delta_stride);
    if (o.group > chunk_samples) o.group = chunk_samples;
    if (o.group < 1) o.group = 1;
    o.delta = o.group * o.padded_stride;
    o.flat = o.delta + o.group * o.delta_stride;
    o.padded_delta = o.flat + rounded(flat > folded ? flat : folded);
    o.end = o.padded_delta + rounded(shifted_padded_size(&b));
    return o;
}

static shifted_buffers shifted_layout(const unfolded_job *j, float *memory) {
    const shifted_offsets o = shifted_offsets_of(j);
    shifted_buffers buffers = {memory, memory + o.delta, memory + o.flat, memory + o.padded_delta,
                               o.padded_stride, o.delta_stride, o.group};
    return buffers;
}

static long shifted_size(const unfolded_job *j) { return shifted_offsets_of(j).end; }

// Copies a row of a few dozen floats inline (a call to memcpy per row cost a tenth of the
// small layers' time): blocks of 8, the last one overlapping the one before. The empty asm
// keeps the compiler from turning the loop back into a call to memcpy.
static inline void copy_floats(float *restrict destination, const float *restrict source, long count) {
    if (count >= 8) {
        for (long k = 0; k + 8 < count; k += 8) {
            __builtin_memcpy(destination + k, source + k, 8 * sizeof(float));
            __asm__ __volatile__("");
        }
        __builtin_memcpy(destination + count - 8, source + count - 8, 8 * sizeof(float));
    } else if (count >= 4) {
        __builtin_memcpy(destination, source, 4 * sizeof(float));
        __builtin_memcpy(destination + count - 4, source + count - 4, 4 * sizeof(float));
    } else {
        if (count > 0) destination[0] = source[0];
        if (count > 1) destination[1] = source[1];
        if (count > 2) destination[2] = source[2];
    }
}

// Copies `planes` planes of height x width into g's padded planes at (top, left), leaving
// the padding as it is (zero); rows and columns past the padded plane are not needed.
static void pad_planes(const float *source, long planes, long height, long width, long top, long left,
                       const shifted_geometry *g, float *padded) {
    const long rows = g->plane / g->row;
    const long count = width < g->row - left ? width : g->row - left;
    for (long c = 0; c < planes; c++)
        for (long y = 0; y < height && y + top < rows; y++)
            copy_floats(padded + c * g->plane + (y + top) * g->row + left, source + (c * height + y) * width, count);
}

// Copies the first out_w positions of each of g's out_h flat rows of `planes` flat planes
// `length` floats apart into plain planes (out_h x out_w).
static void unflatten(const float *flat, long planes, long length, const shifted_geometry *g, float *out) {
    for (long c = 0; c < planes; c++)
        for (long y = 0; y < g->out_h; y++)
            copy_floats(out + (c * g->out_h + y) * g->out_w, flat + c * length + y * g->row, g->out_w);
}

// flipped[c][f][i][j] = weight[f][c][kh - 1 - i][kw - 1 - j].
static void flip_weights(const unfolded_job *j, float *flipped) {
    const long kh = j->kernel_h, kw = j->kernel_w, window = kh * kw;
    for (long f = 0; f < j->filters; f++)
        for (long c = 0; c < j->channels; c++)
            for (long i = 0; i < kh; i++)
                for (long k = 0; k < kw; k++)
                    flipped[(c * j->filters + f) * window + i * kw + k]
                        = j->weight[(f * j->channels + c) * window + (kh - 1 - i) * kw + (kw - 1 - k)];
}

#if defined(__x86_64__)
static void forward_chunk_shifted(const unfolded_job *j, long chunk) {
    const shifted_geometry g = forward_geometry(j);
    const shifted_buffers buffers = shifted_layout(j, chunk_columns(j, chunk));
    const long plane = positions(j), length = shifted_flat_positions(&g);
    memset(buffers.padded, 0, sizeof(float) * (size_t)shifted_padded_size(&g));
    for (long s = chunk_first(j, chunk), end = chunk_first(j, chunk + 1); s < end; s++) {
        pad_planes(j->images + s * image_size(j), j->channels, j->height, j->width, j->pad_top, j->pad_left, &g,
                   buffers.padded);
        ae_shifted_forward_avx2(&g, buffers.padded, j->weight, j->filters, buffers.flat);
        float *out = j->output + s * j->filters * plane;
        unflatten(buffers.flat, j->filters, length, &g, out);
        ae_channel_bias_activate(out, 1, j->filters, plane, j->bias, j->f);
    }
}

static void backward_chunk_shifted(const unfolded_job *j, long chunk) {
    const shifted_geometry g = forward_geometry(j), back = backward_geometry(j);
    const shifted_buffers buffers = shifted_layout(j, chunk_columns(j, chunk));
    const long plane = positions(j), filters = j->filters, delta_length = shifted_delta_positions(&g);
    float *gradient = chunk_gradient(j, chunk);
    const long first = chunk_first(j, chunk), end = chunk_first(j, chunk + 1);
    if (first == end) { memset(gradient, 0, sizeof(float) * (size_t)(filters * patch_size(j))); return; }
    memset(buffers.padded, 0, sizeof(float) * (size_t)(buffers.group * buffers.padded_stride));
    memset(buffers.delta, 0, sizeof(float) * (size_t)(buffers.group * buffers.delta_stride));
    if (j->input_gradient) memset(buffers.padded_delta, 0, sizeof(float) * (size_t)shifted_padded_size(&back));
    for (long group = first; group < end; group += buffers.group) {
        const long count = end - group < buffers.group ? end - group : buffers.group;
        for (long member = 0; member < count; member++) {
            const long s = group + member;
            const float *d = sample_delta(j, s);
            pad_planes(j->images + s * image_size(j), j->channels, j->height, j->width, j->pad_top, j->pad_left, &g,
                       buffers.padded + member * buffers.padded_stride);
            // delta in flat rows g.row apart, zero at the junk positions.
            float *flat_delta = buffers.delta + member * buffers.delta_stride;
            for (long c = 0; c < filters; c++)
                for (long y = 0; y < j->out_h; y++)
                    copy_floats(flat_delta + c * delta_length + y * g.row, d + c * plane + y * j->out_w, j->out_w);
            if (!j->input_gradient) continue;
            pad_planes(d, filters, j->out_h, j->out_w, j->kernel_h - 1 - j->pad_top, j->kernel_w - 1 - j->pad_left,
                       &back, buffers.padded_delta);
            ae_shifted_forward_avx2(&back, buffers.padded_delta, j->flipped, j->channels, buffers.flat);
            unflatten(buffers.flat, j->channels, shifted_flat_positions(&back), &back,
                      j->input_gradient + s * image_size(j));
        }
        ae_shifted_weight_gradient_avx2(&g, buffers.padded, buffers.padded_stride, buffers.delta, buffers.delta_stride,
                                        count, filters, group != first, gradient);
    }
}
#endif


static void forward_chunk(const unfolded_job *j, long chunk) {
#if defined(__x86_64__)
    if (uses_shifted(j)) { forward_chunk_shifted(j, chunk); return; }
#endif
    const long patch = patch_size(j), plane = positions(j);
    float *columns = chunk_columns(j, chunk);
    for (long s = chunk_first(j, chunk), end = chunk_first(j, chunk + 1); s < end; s++) {
        const float *b = unfold(j, s, columns);
        float *out = j->output + s * j->filters * plane;
        ae_sgemm(j->kernel, 0, 0, j->filters, plane, patch, 1.0f, j->weight, patch, b, plane, 0.0f, out, plane);
        ae_channel_bias_activate(out, 1, j->filters, plane, j->bias, j->f);
    }
}

static void backward_chunk(const unfolded_job *j, long chunk) {
#if defined(__x86_64__)
    if (uses_shifted(j)) { backward_chunk_shifted(j, chunk); return; }
#endif
    const long patch = patch_size(j), plane = positions(j), filters = j->filters;
    float *columns = chunk_columns(j, chunk);
    float *gradient = chunk_gradient(j, chunk);
    const long first = chunk_first(j, chunk), end = chunk_first(j, chunk + 1);
    if (first == end) { memset(gradient, 0, sizeof(float) * (size_t)(filters * patch)); return; }
    for (long s = first; s < end; s++) {
        const float *d = sample_delta(j, s);
        const float *b = unfold(j, s, columns);
        ae_sgemm(j->kernel, 0, 1, filters, patch, plane, 1.0f, d, plane, b, plane, s == first ? 0.0f : 1.0f,
                 gradient, patch);
        if (!j->input_gradient) continue;
        float *image_gradient = j->input_gradient + s * image_size(j);
        if (is_identity(j)) {
            ae_sgemm(j->kernel, 1, 0, patch, plane, filters, 1.0f, j->weight, patch, d, plane, 0.0f,
                     image_gradient, plane);
        } else {
            // The columns were used; their memory takes their gradient.
            ae_sgemm(j->kernel, 1, 0, patch, plane, filters, 1.0f, j->weight, patch, d, plane, 0.0f, columns, plane);
            ae_col2im(columns, j->channels, j->height, j->width, j->kernel_h, j->kernel_w, j->stride_h, j->stride_w,
                      j->pad_top, j->pad_left, j->out_h, j->out_w, image_gradient);
        }
    }
}

// Pool task `index` of j->threads takes a consecutive range of chunks.
static void forward_task(void *context, int index) {
    const unfolded_job *j = (const unfolded_job *)context;
    for (long c = j->chunks * index / j->threads, end = j->chunks * (index + 1) / j->threads; c < end; c++)
        forward_chunk(j, c);
}

static void backward_task(void *context, int index) {
    const unfolded_job *j = (const unfolded_job *)context;
    for (long c = j->chunks * index / j->threads, end = j->chunks * (index + 1) / j->threads; c < end; c++)
        backward_chunk(j, c);
}

// The pool tasks: at most `threads` and the number of chunks, one for a small batch.
static int task_count(const unfolded_job *j, int threads) {
    if (threads > j->chunks) threads = (int)j->chunks;
    if (j->samples * j->filters * patch_size(j) * positions(j) < UNFOLDED_PARALLEL_MINIMUM) threads = 1;
    return threads < 1 ? 1 : threads;
}

static void run(unfolded_job *j, int threads, ae_task task) {
    j->chunks = ae_conv2d_unfolded_chunks(j->samples);
    j->threads = task_count(j, threads);
    if (j->threads == 1) task(j, 0);
    else ae_parallel_for(j->threads, task, j);
}

void ae_conv2d_unfolded_forward(ae_sgemm_kernel kernel, const float *images, long samples,
                                long channels, long height, long width, long kernel_h, long kernel_w,
                                long stride_h, long stride_w, long pad_top, long pad_left, long out_h, long out_w,
                                const float *weight, long filters, const float *bias, ae_nonlinearity f,
                                float *scratch, int threads, float *output) {
    if (samples <= 0) return;
    unfolded_job job = {0};
    job.kernel = kernel; job.images = images; job.weight = weight; job.bias = bias; job.scratch = scratch;
    job.output = output; job.samples = samples; job.channels = channels; job.height = height; job.width = width;
    job.kernel_h = kernel_h; job.kernel_w = kernel_w; job.stride_h = stride_h; job.stride_w = stride_w;
    job.pad_top = pad_top; job.pad_left = pad_left; job.out_h = out_h; job.out_w = out_w; job.filters = filters;
    job.f = f;
    run(&job, threads, forward_task);
}

void ae_conv2d_unfolded_backward(ae_sgemm_kernel kernel, const float *images, const float *output, float *delta,
                                 long samples, long channels, long height, long width, long kernel_h, long kernel_w,
                                 long stride_h, long stride_w, long pad_top, long pad_left, long out_h, long out_w,
                                 const float *weight, long filters, ae_nonlinearity f, float *scratch, int threads,
                                 float *weight_gradient, float *bias_gradient, float *input_gradient) {
    const long patch = channels * kernel_h * kernel_w;
    if (samples <= 0) {
        memset(weight_gradient, 0, sizeof(float) * (size_t)(filters * patch));
        memset(bias_gradient, 0, sizeof(float) * (size_t)filters);
        return;
    }
    unfolded_job job = {0};
    job.kernel = kernel; job.images = images; job.output_values = output; job.weight = weight; job.delta = delta;
    job.scratch = scratch; job.weight_gradient = weight_gradient; job.input_gradient = input_gradient;
    job.samples = samples; job.channels = channels; job.height = height; job.width = width;
    job.kernel_h = kernel_h; job.kernel_w = kernel_w; job.stride_h = stride_h; job.stride_w = stride_w;
    job.pad_top = pad_top; job.pad_left = pad_left; job.out_h = out_h; job.out_w = out_w; job.filters = filters;
    job.f = f;
    job.chunks = ae_conv2d_unfolded_chunks(samples);
    job.bias_sums = scratch + job.chunks * chunk_size(&job);
    if (uses_shifted(&job) && input_gradient) {
        float *flipped = job.bias_sums + rounded(samples * filters);
        flip_weights(&job, flipped);
        job.flipped = flipped;
    }
    run(&job, threads, backward_task);
    // The chunks' weight gradients, added in order.
    const long count = filters * patch;
    for (long c = 1; c < job.chunks; c++) {
        const float *partial = chunk_gradient(&job, c);
        for (long i = 0; i < count; i++) weight_gradient[i] += partial[i];
    }
    // The bias sums in sample order, in double, as ae_channel_sums adds them.
    for (long c = 0; c < filters; c++) {
        double total = 0;
        for (long s = 0; s < samples; s++) total += job.bias_sums[s * filters + c];
        bias_gradient[c] = (float)total;
    }
}
