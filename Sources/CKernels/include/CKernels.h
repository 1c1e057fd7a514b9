#ifndef CKERNELS_H
#define CKERNELS_H
// Vectorised element-wise kernels over contiguous float buffers, compiled for
// several x86-64 levels with target_clones (see kernels.c).
#include <stddef.h>

#endif
