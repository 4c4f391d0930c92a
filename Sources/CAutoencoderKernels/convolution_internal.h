// Loops shared by the convolution files (not part of the module's interface).

#ifndef AE_CONVOLUTION_INTERNAL_H
#define AE_CONVOLUTION_INTERNAL_H

// The sum of one plane's `count` floats in eight lanes (a loop the compiler vectorises; one
// running sum would wait on each addition), the lanes added at the end after the tail.
// Every bias gradient of a convolution sums its planes with this, so the fused and the
// separate passes agree to the bit.
static inline float ae_plane_sum(const float *p, long count) {
    float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    long k = 0;
    for (; k + 8 <= count; k += 8)
        for (int q = 0; q < 8; q++) lanes[q] += p[k + q];
    float partial = 0;
    for (; k < count; k++) partial += p[k];
    for (int q = 0; q < 8; q++) partial += lanes[q];
    return partial;
}

#endif
