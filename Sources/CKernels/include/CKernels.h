#ifndef CKERNELS_H
#define CKERNELS_H
// Vectorised kernels over contiguous float buffers. Each .c file compiles its
// hot functions for several x86-64 levels with target_clones (MBRL_CLONES of
// the private kernel_attributes.h, included by every .c file), so one binary
// uses AVX-512/AVX2 where the CPU has them and SSE2 otherwise, without
// unsafeFlags in Package.swift.
#include "OptimizerKernels.h"
#include "RandomKernels.h"
#include "EnsembleKernels.h"
#include "ElementwiseKernels.h"
#include "GRUKernels.h"
#include "SSMKernels.h"
#include "AttentionKernels.h"
#include "LayerNormKernels.h"
#include "DenseKernels.h"
#endif
