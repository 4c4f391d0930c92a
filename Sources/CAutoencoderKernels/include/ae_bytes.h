// Converting 8-bit images to the floats a network reads: byte / 255, exactly as
// Float(byte) / 255 rounds (a true division, not a multiplication by 1/255).
//
// Memory layout: `source` holds images of `width` bytes one after another (image i at
// source[i * width]); `destination` receives one image per row of `width` floats.

#ifndef AE_BYTES_H
#define AE_BYTES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Row r of destination <- image indices[r] of source / 255, for r < count. The indices
/// are not checked (the caller does). Splits over the cores for large batches.
void ae_gather_normalized_images(const uint8_t *source, const long *indices, long count, long width,
                                 float *destination);

/// destination[i] <- source[i] / 255 for i < count. Splits over the cores when large.
void ae_normalize_bytes(const uint8_t *source, long count, float *destination);

#ifdef __cplusplus
}
#endif

#endif
