#ifndef MBRL_GRU_KERNELS_H
#define MBRL_GRU_KERNELS_H
#include <stddef.h>

/// Element-wise gate math of a GRU time step (PyTorch nn.GRU conventions, gate
/// order r, z, n) over `rows` rows of `H` units, each row's vectors found at
/// `row * stride` in its buffer (so one step of a batch-first [B, T, ·] buffer
/// is read in place). Transcendentals are the branch-free polynomials of
/// elementwise.c, so the loops vectorise; built for x86-64-v4/-v3/baseline.

/// Forward. gi: W_ih x (3H, without bias), gh: W_hh h_prev (3H, without bias):
///   r = σ(gi_r + b_ir + gh_r + b_hr), z = σ(gi_z + b_iz + gh_z + b_hz),
///   m = gh_n + b_hn, n = tanh(gi_n + b_in + r m), h = (1 − z) n + z h_prev.
/// cache (4H per row: r, z, n, m) may be NULL (inference). h may alias h_prev
/// (same strides): each element is read before it is written.
void mbrl_gru_forward_gates(size_t rows, size_t H,
                            const float *gi, size_t gi_stride, const float *b_ih,
                            const float *gh, size_t gh_stride, const float *b_hh,
                            const float *h_prev, size_t h_prev_stride,
                            float *h, size_t h_stride,
                            float *cache, size_t cache_stride);

/// Backward of one step. dh = dy + carry (∂L/∂h_t); from the cache (r, z, n, m):
///   dn = dh (1 − z), da_n = dn (1 − n²), dz = dh (h_prev − n) z (1 − z),
///   dr = da_n m r (1 − r);
/// writes dgi = [dr, dz, da_n], dgh = [dr, dz, da_n r] (3H each) and
/// carry = dh z (the direct part of ∂L/∂h_prev; the caller adds dgh·W_hh).
void mbrl_gru_backward_gates(size_t rows, size_t H,
                             const float *dy, size_t dy_stride,
                             float *carry, size_t carry_stride,
                             const float *cache, size_t cache_stride,
                             const float *h_prev, size_t h_prev_stride,
                             float *dgi, size_t dgi_stride,
                             float *dgh, size_t dgh_stride);
#endif
