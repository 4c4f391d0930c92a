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
} unfolded_job;

static long patch_size(const unfolded_job *j) { return j->channels * j->kernel_h * j->kernel_w; }
static long positions(const unfolded_job *j) { return j->out_h * j->out_w; }
static long image_size(const unfolded_job *j) { return j->channels * j->height * j->width; }
static int is_identity(const unfolded_job *j);
static long columns_size(const unfolded_job *j) { return is_identity(j) ? 0 : rounded(patch_size(j) * positions(j)); }
static long chunk_size(const unfolded_job *j) { return columns_size(j) + rounded(j->filters * patch_size(j)); }

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
    return ae_conv2d_unfolded_chunks(samples) * chunk_size(&job) + rounded(job.samples * filters);
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

// Chunk 0's weight gradient is the result itself; the others' are in their scratch.
static float *chunk_gradient(const unfolded_job *j, long chunk) {
    return chunk == 0 ? j->weight_gradient : chunk_columns(j, chunk) + columns_size(j);
}

static long chunk_first(const unfolded_job *j, long chunk) { return j->samples * chunk / j->chunks; }

static void forward_chunk(const unfolded_job *j, long chunk) {
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
    const long patch = patch_size(j), plane = positions(j), filters = j->filters;
    float *columns = chunk_columns(j, chunk);
    float *gradient = chunk_gradient(j, chunk);
    const long first = chunk_first(j, chunk), end = chunk_first(j, chunk + 1);
    if (first == end) { memset(gradient, 0, sizeof(float) * (size_t)(filters * patch)); return; }
    for (long s = first; s < end; s++) {
        float *d = j->delta + s * filters * plane;
        ae_multiply_derivative(d, j->output_values + s * filters * plane, filters * plane, j->f);
        for (long c = 0; c < filters; c++) j->bias_sums[s * filters + c] = ae_plane_sum(d + c * plane, plane);
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
