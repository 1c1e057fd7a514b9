#ifndef MBRL_RANDOM_KERNELS_H
#define MBRL_RANDOM_KERNELS_H
#include <stddef.h>
#include <stdint.h>

/// Fills out[0..<n] with standard normal draws (Box–Muller on xoshiro256**
/// uniforms; log and sin/cos by polynomials accurate to ~1e-6 relative, so the
/// transform vectorises). `state` is the xoshiro256** state (4 words, not all
/// zero) and is advanced. Used for imagination noise, where tens of thousands
/// of draws per model call make libm's scalar log/sin/cos a visible cost.
void mbrl_fill_normal(float *out, size_t n, uint64_t *state);

#endif
