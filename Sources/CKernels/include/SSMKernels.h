#ifndef MBRL_SSM_KERNELS_H
#define MBRL_SSM_KERNELS_H
#include <stddef.h>
// Sequence kernels for state-space world-model backbones, with hand-written
// backward passes: the Mamba selective scan, a causal depthwise conv1d, and the
// S4D kernels (S4D-Real and complex S4D-Lin) with the causal convolution and
// recurrence. Every sequence function takes an optional reset mask for episode
// boundaries inside a sequence.
//
// Conventions shared by every function here:
// - Buffers are contiguous, row-major float32. Sequences are batch-major
//   [batch, length, channels]; a single time step is [batch, channels].
// - Each function works on the batch range it is given (pointers already offset
//   to the first batch element), single-threaded; the Swift wrappers in
//   Sources/NN/SequenceKernels split the batch over the cores.
// - Backward functions OVERWRITE gradients indexed by batch (du, ddelta, dB, ...)
//   and ACCUMULATE (+=) into gradients of shared parameters (dA, dD, conv weight
//   and bias, S4D kernel), so partial sums from several batch ranges can be
//   added; zero those first.
// - No output buffer may overlap any other buffer argument (the definitions
//   use restrict), except where stated (the scan's h0 / h_last, the steps'
//   in-place state).
// - Sizes are int; nothing is allocated except where a `work` buffer is
//   documented, which the caller provides. Small scratch lives on the stack
//   (conv: (2K + 1)·dim floats; scan: 3·nstate floats; S4D: L doubles or 2L ints).

// MARK: - Mamba selective scan (Gu & Dao 2023, "Mamba", Algorithm 2, real diagonal A)

/// Forward selective scan over batch-major buffers:
///   h_t = exp(delta_t * A) ⊙ h_{t-1} + (delta_t u_t) B_t      (per channel d, state n)
///   y_t = <h_t, C_t> + Dskip ⊙ u_t
/// u, delta: [batch, length, dim] (delta already positive, e.g. softplus'ed);
/// A: [dim, nstate] (negative reals); Bm, Cm: [batch, length, nstate];
/// Dskip: [dim] or NULL (no skip); h0: [batch, dim, nstate] initial state or NULL (zeros);
/// y: [batch, length, dim]; h_last: [batch, dim, nstate] final state or NULL.
/// reset: [batch, length] or NULL; reset[b,t] != 0 starts a new segment at t
/// (the state before t is treated as zero, as at the start of an episode).
/// h0 and h_last may alias (that is how the one-step form uses it).
/// Cost: batch·length·dim·nstate exp + 3 FMA; the state lives in registers.
void mbrl_selective_scan_forward(const float *u, const float *delta, const float *A,
                                 const float *Bm, const float *Cm, const float *Dskip,
                                 const float *h0, const float *reset, float *y, float *h_last,
                                 int batch, int length, int dim, int nstate);

/// Number of floats of `work` that mbrl_selective_scan_backward needs.
int mbrl_selective_scan_backward_work_size(int length, int nstate);

/// Backward of mbrl_selective_scan_forward (same reset) given dy [batch, length, dim] and,
/// optionally, dh_last [batch, dim, nstate] (gradient reaching the final state;
/// NULL = 0). Recomputes the states of one (batch, channel) pair at a time into
/// `work` (mbrl_selective_scan_backward_work_size floats: (2·length + 1)·nstate,
/// 8 KB for length 64, nstate 16), so nothing is saved by the forward.
/// Overwrites du, ddelta [batch, length, dim], dB, dC [batch, length, nstate] and
/// dh0 [batch, dim, nstate] (NULL to skip); accumulates dA [dim, nstate] and
/// dD [dim] (dD NULL when Dskip is NULL).
/// Cost ≈ 1.5× the forward (measured at B 32, L 64, D 256, N 16).
void mbrl_selective_scan_backward(const float *u, const float *delta, const float *A,
                                  const float *Bm, const float *Cm, const float *Dskip,
                                  const float *h0, const float *reset, const float *dy,
                                  const float *dh_last, float *du, float *ddelta, float *dA,
                                  float *dB, float *dC, float *dD, float *dh0, float *work,
                                  int batch, int length, int dim, int nstate);

// MARK: - Causal depthwise conv1d

/// y[b,t,d] = bias[d] + Σ_{k<K} w[d,k] · x[b, t-(K-1)+k, d]   (x at negative times = 0)
/// i.e. nn.Conv1d(dim, dim, K, groups=dim, padding=K-1)(x.transpose(1,2))[..., :L].
/// x, y: [batch, length, dim]; w: [dim, K] (torch's [dim, 1, K]); bias: [dim] or NULL.
/// reset: [batch, length] or NULL; reset[b,t] != 0 starts a new segment at t: inputs
/// before t are treated as 0 for outputs at t and later (as at the sequence start).
/// Cost: batch·length·dim·K FMA, vectorised over channels.
void mbrl_causal_conv1d_forward(const float *x, const float *w, const float *bias,
                                const float *reset, float *y, int batch, int length, int dim,
                                int ksize);

/// Backward (same reset): overwrites dx [batch, length, dim]; accumulates dw [dim, K]
/// and dbias [dim] (NULL to skip).
void mbrl_causal_conv1d_backward(const float *x, const float *w, const float *reset,
                                 const float *dy, float *dx, float *dw, float *dbias, int batch,
                                 int length, int dim, int ksize);

/// The rolling state after a sequence: state[b,d,j] = x[b, length-(K-1)+j, d]
/// (0 where that time is negative or before the last reset). state: [batch, dim, K-1],
/// oldest first.
void mbrl_causal_conv1d_final_state(const float *x, const float *reset, float *state, int batch,
                                    int length, int dim, int ksize);

/// One step: y_t = bias + Σ_{k<K-1} w[d,k] state[b,d,k] + w[d,K-1] x_t, then the
/// state shifts left by one and x_t is appended. x_t, y_t: [batch, dim];
/// state: [batch, dim, K-1] updated in place.
void mbrl_causal_conv1d_step(const float *x_t, const float *w, const float *bias, float *state,
                             float *y_t, int batch, int dim, int ksize);

// MARK: - S4D-Real (Gu et al. 2022, "On the Parameterization and Initialization of Diagonal SSMs")

/// ZOH discretisation of the real diagonal SSM:
///   dt = exp(log_dt[h]), A = -exp(log_A[h,n]), dA = exp(dt A), dB = (dA - 1)/A · B.
/// log_dt: [H]; log_A, B, dA, dB: [H, N]. Computed in double, stored as float.
void mbrl_s4d_real_discretize(const float *log_dt, const float *log_A, const float *B,
                              float *dA, float *dB, int H, int N);

/// Convolution kernel K[l,h] = Σ_n C[h,n] dB[h,n] dA[h,n]^l for l < L.
/// NOTE the layout: K is [L, H] (time-major, channel-contiguous) so the causal
/// convolution vectorises over channels. Cost: H·N·L FMA in double.
void mbrl_s4d_real_kernel(const float *log_dt, const float *log_A, const float *B,
                          const float *C, float *K, int H, int N, int L);

/// Backward of mbrl_s4d_real_kernel given dK [L, H]: overwrites dlog_dt [H],
/// dlog_A, dB, dC [H, N]. Cost: 2·H·N·L FMA in double.
void mbrl_s4d_real_kernel_backward(const float *log_dt, const float *log_A, const float *B,
                                   const float *C, const float *dK, float *dlog_dt,
                                   float *dlog_A, float *dB, float *dC, int H, int N, int L);

/// Causal convolution y[b,l,h] = Σ_{j≤l} K[j,h] u[b,l-j,h] + D[h] u[b,l,h].
/// u, y: [batch, L, H]; K: [L, H]; D: [H] or NULL. reset: [batch, L] or NULL;
/// reset[b,l] != 0 starts a new segment at l (the sum stops at the segment start,
/// i.e. the recurrent state is zeroed there). Direct O(L²) per channel
/// (batch·H·L(L+1)/2 FMA), vectorised over channels.
void mbrl_s4d_conv_forward(const float *u, const float *K, const float *D, const float *reset,
                           float *y, int batch, int L, int H);

/// Backward (same reset): overwrites du [batch, L, H]; accumulates dK [L, H] and
/// dD [H] (NULL to skip).
void mbrl_s4d_conv_backward(const float *u, const float *K, const float *D, const float *reset,
                            const float *dy, float *du, float *dK, float *dD, int batch, int L,
                            int H);

/// The recurrent state after a sequence (zero initial state, zeroed at resets):
///   x[b,h,n] = Σ_{start≤j<L} dA[h,n]^{L-1-j} dB[h,n] u[b,j,h].
/// u: [batch, L, H]; dA, dB: [H, N]; reset: [batch, L] or NULL; state: [batch, H, N].
void mbrl_s4d_final_state(const float *u, const float *dA, const float *dB, const float *reset,
                          float *state, int batch, int L, int H, int N);

/// One recurrent step: x = dA ⊙ x + dB u_t; y_t = Σ_n C x + D u_t.
/// u_t, y_t: [batch, H]; dA, dB, C: [H, N]; D: [H] or NULL; state: [batch, H, N] in place.
void mbrl_s4d_step(const float *u_t, const float *dA, const float *dB, const float *C,
                   const float *D, float *state, float *y_t, int batch, int H, int N);

// MARK: - S4D-Lin (complex diagonal A; Gu et al. 2022, Sec. 4 and the s4d.py reference)

/// Complex diagonal SSM with N complex modes per channel, B absorbed into C
/// (as in the paper's minimal s4d.py):
///   dt = exp(log_dt[h]), A = -exp(log_A_real[h,n]) + i A_imag[h,n],
///   dA = exp(dt A), dB = (dA - 1)/A   (ZOH with B = 1),
///   K[l,h] = 2 Re Σ_n C[h,n] dB[h,n] dA[h,n]^l.
/// S4D-Lin init: log_A_real = log(1/2), A_imag = π n. Complex arrays are
/// [..., 2] with (re, im) interleaved: C, dA, dB: [H, N, 2]; log_A_real, A_imag: [H, N].
/// K is [L, H] as for S4D-Real. Computed in double.
void mbrl_s4d_lin_discretize(const float *log_dt, const float *log_A_real, const float *A_imag,
                             float *dA, float *dB, int H, int N);
void mbrl_s4d_lin_kernel(const float *log_dt, const float *log_A_real, const float *A_imag,
                         const float *C, float *K, int H, int N, int L);
/// Backward given dK [L, H]: overwrites dlog_dt [H], dlog_A_real, dA_imag [H, N], dC [H, N, 2].
void mbrl_s4d_lin_kernel_backward(const float *log_dt, const float *log_A_real, const float *A_imag,
                                  const float *C, const float *dK, float *dlog_dt,
                                  float *dlog_A_real, float *dA_imag, float *dC, int H, int N, int L);
/// Recurrent state after u [batch, L, H] from zero: x = Σ_j dA^(L-1-j) dB u_j,
/// complex, state [batch, H, N, 2]; reset [batch, L] or NULL zeroes it at segment starts.
void mbrl_s4d_lin_final_state(const float *u, const float *dA, const float *dB,
                              const float *reset, float *state, int batch, int L, int H, int N);
/// One step: x = dA x + dB u_t (complex); y_t = 2 Re Σ_n C x + D u_t.
/// u_t, y_t: [batch, H]; dA, dB, C: [H, N, 2]; D: [H] or NULL; state [batch, H, N, 2] in place.
void mbrl_s4d_lin_step(const float *u_t, const float *dA, const float *dB, const float *C,
                       const float *D, float *state, float *y_t, int batch, int H, int N);

#endif
