// See include/ae_files.h. In C because Swift's Glibc module does not export O_DIRECT (a
// _GNU_SOURCE flag whose value differs between architectures).

#define _GNU_SOURCE
#include "ae_files.h"

#include <fcntl.h>

int ae_open_uncached(const char *path) {
#if defined(__linux__) && defined(O_DIRECT)
    return open(path, O_RDONLY | O_CLOEXEC | O_DIRECT);
#else
    (void)path;
    return -1;
#endif
}
