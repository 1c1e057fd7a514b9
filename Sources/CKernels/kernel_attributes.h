#ifndef MBRL_KERNEL_ATTRIBUTES_H
#define MBRL_KERNEL_ATTRIBUTES_H
// Private to the CKernels target: the function and loop attributes every
// kernel file uses, defined once.

/// Compiles a function for x86-64-v4 (AVX-512), x86-64-v3 (AVX2 + FMA) and the
/// baseline; the loader picks the best the CPU runs (no unsafeFlags needed).
#if defined(__x86_64__) && defined(__clang__)
#define MBRL_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define MBRL_CLONES
#endif

/// A helper inlined into each clone of its caller (so it is vectorised for that level).
#define MBRL_INLINE static inline __attribute__((always_inline))

/// For loops that read element i of their inputs and write element i of their
/// output: in-place calls are then safe to vectorise, and clang skips the
/// runtime overlap check that would send them to the scalar fallback (measured
/// 4x slower for an in-place silu).
#if defined(__clang__)
#define MBRL_SAFE_LOOP _Pragma("clang loop vectorize(assume_safety)")
#else
#define MBRL_SAFE_LOOP
#endif
#endif
