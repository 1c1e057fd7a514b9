// Process-wide glibc malloc tuning used by the transformer benchmark; see AttentionKernels.h.
#include "kernel_attributes.h"
#include "AttentionKernels.h"
#if defined(__GLIBC__)
#include <malloc.h>
#endif

int mbrl_malloc_keep_freed_memory(int mmap_threshold, int trim_threshold) {
#if defined(__GLIBC__)
    return mallopt(M_MMAP_THRESHOLD, mmap_threshold) && mallopt(M_TRIM_THRESHOLD, trim_threshold);
#else
    (void)mmap_threshold; (void)trim_threshold;
    return 0;
#endif
}
