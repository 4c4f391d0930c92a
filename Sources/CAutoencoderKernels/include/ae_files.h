// Opening a file for reads that bypass the system's file cache.

#ifndef AE_FILES_H
#define AE_FILES_H

#ifdef __cplusplus
extern "C" {
#endif

/// Opens `path` read-only (close-on-exec) for reads past the file cache (Linux's O_DIRECT:
/// offsets, lengths and buffers must then be aligned to the disk's logical block). Returns
/// the descriptor, or -1 where the system or the file system does not allow it.
int ae_open_uncached(const char *path);

#ifdef __cplusplus
}
#endif

#endif
