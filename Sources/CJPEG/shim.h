// libjpeg, and one decoding function that turns its errors into a return code: libjpeg
// reports errors by calling a function that must not return, which Swift cannot write
// (it needs setjmp/longjmp), so that part is C here.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>

struct cjpeg_error_manager {
    struct jpeg_error_mgr standard;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

static void cjpeg_error_exit(j_common_ptr info) {
    struct cjpeg_error_manager *manager = (struct cjpeg_error_manager *)info->err;
    (*info->err->format_message)(info, manager->message);
    longjmp(manager->jump, 1);
}

static void cjpeg_ignore_message(j_common_ptr info) { (void)info; }

/// Decodes the JPEG in `data` to 8-bit greyscale (`*channels` = 1) or RGB (3), rows top to
/// bottom, into a buffer from malloc that the caller frees. Returns 0, or 1 with libjpeg's
/// message in `message` when the data is not a JPEG it can decode, or 2 when the image has
/// more than `max_pixels` pixels. Warnings (a cut file's missing end) are not errors.
static inline int cjpeg_decode(const unsigned char *data, unsigned long size, long max_pixels,
                               unsigned char **pixels, int *width, int *height, int *channels,
                               char *message, size_t message_size) {
    struct jpeg_decompress_struct info;
    struct cjpeg_error_manager manager;
    unsigned char *volatile buffer = NULL;
    memset(&info, 0, sizeof info);
    info.err = jpeg_std_error(&manager.standard);
    manager.standard.error_exit = cjpeg_error_exit;
    manager.standard.output_message = cjpeg_ignore_message;
    manager.message[0] = 0;
    if (setjmp(manager.jump)) {
        jpeg_destroy_decompress(&info);
        free(buffer);
        snprintf(message, message_size, "%s", manager.message);
        return 1;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, size);
    jpeg_read_header(&info, TRUE);
    info.out_color_space = info.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    if ((long)info.image_width * (long)info.image_height > max_pixels) {
        snprintf(message, message_size, "it declares %ux%u pixels, more than %ld", info.image_width,
                 info.image_height, max_pixels);
        jpeg_destroy_decompress(&info);
        return 2;
    }
    jpeg_start_decompress(&info);
    size_t row_bytes = (size_t)info.output_width * (size_t)info.output_components;
    buffer = malloc(row_bytes * info.output_height + 1);
    if (buffer == NULL) {
        snprintf(message, message_size, "out of memory");
        jpeg_destroy_decompress(&info);
        return 2;
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = buffer + row_bytes * info.output_scanline;
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    *width = (int)info.output_width;
    *height = (int)info.output_height;
    *channels = info.output_components;
    *pixels = buffer;
    jpeg_destroy_decompress(&info);
    return 0;
}

/// Encodes `height` rows of `width` pixels of `channels` (1 grey, 3 RGB) 8-bit values as a
/// JPEG of `quality` (1-100) into a buffer from malloc that the caller frees. Returns 0, or 1
/// on failure. For tests and fuzzing seeds: the library only decodes.
static inline int cjpeg_encode(const unsigned char *pixels, int width, int height, int channels, int quality,
                               unsigned char **output, unsigned long *size) {
    struct jpeg_compress_struct info;
    struct cjpeg_error_manager manager;
    memset(&info, 0, sizeof info);
    info.err = jpeg_std_error(&manager.standard);
    manager.standard.error_exit = cjpeg_error_exit;
    manager.standard.output_message = cjpeg_ignore_message;
    *output = NULL;
    *size = 0;
    if (setjmp(manager.jump)) {
        jpeg_destroy_compress(&info);
        return 1;
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, output, size);
    info.image_width = (JDIMENSION)width;
    info.image_height = (JDIMENSION)height;
    info.input_components = channels;
    info.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    jpeg_start_compress(&info, TRUE);
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)info.next_scanline * (size_t)width * (size_t)channels);
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    return 0;
}
