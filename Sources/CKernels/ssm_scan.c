// Mamba selective scan (Gu & Dao 2023), forward and hand-written backward.
// One (batch, channel) pair at a time: its nstate-wide state stays in vector
// registers across time steps; B_t and C_t rows of the batch element stay in L1.
#include "kernel_attributes.h"
#include "fastmath.h"
#include "SSMKernels.h"
#include <stdint.h>
#include <string.h>

/// exp(x) by the shared Cephes polynomial (fastmath.h): branch-free and without
/// libm calls, so loops calling it vectorise.
static inline float ssm_expf(float x) { return mbrl_cephes_expf(x); }

// The bodies are always_inline functions of a `const int N`, instantiated for
// N = 16 (Mamba's default d_state: the state is two AVX2 / one AVX-512 register,
// no remainder loop) and for any N.
MBRL_INLINE void
scan_forward_impl(const float *restrict u, const float *restrict delta, const float *restrict A,
                  const float *restrict Bm, const float *restrict Cm, const float *restrict Dskip,
                  const float *h0, const float *restrict reset, float *restrict y, float *h_last,
                  int batch, int length, int dim, const int nstate) {
    const int N = nstate, D = dim, L = length;
    float h[N];
    for (int b = 0; b < batch; b++) {
        const float *Bb = Bm + (size_t)b * L * N;
        const float *Cb = Cm + (size_t)b * L * N;
        for (int d = 0; d < D; d++) {
            const float *a = A + (size_t)d * N;
            const size_t sidx = ((size_t)b * D + d) * N;
            if (h0) {
                for (int n = 0; n < N; n++) h[n] = h0[sidx + n];
            } else {
                for (int n = 0; n < N; n++) h[n] = 0.0f;
            }
            const float skip = Dskip ? Dskip[d] : 0.0f;
            for (int t = 0; t < L; t++) {
                const size_t idx = ((size_t)b * L + t) * D + d;
                const float dt = delta[idx], ut = u[idx], x = dt * ut;
                const float *Bt = Bb + (size_t)t * N, *Ct = Cb + (size_t)t * N;
                if (reset && reset[(size_t)b * L + t] != 0.0f) {
                    for (int n = 0; n < N; n++) h[n] = 0.0f;  // a new segment starts at t
                }
                float acc = 0.0f;
#pragma clang loop vectorize(enable) interleave_count(1)
                for (int n = 0; n < N; n++) {
                    float hn = ssm_expf(dt * a[n]) * h[n] + x * Bt[n];
                    h[n] = hn;
                    acc += hn * Ct[n];
                }
                y[idx] = acc + skip * ut;
            }
            if (h_last) {
                for (int n = 0; n < N; n++) h_last[sidx + n] = h[n];
            }
        }
    }
}

MBRL_CLONES
void mbrl_selective_scan_forward(const float *u, const float *delta, const float *A,
                                 const float *Bm, const float *Cm, const float *Dskip,
                                 const float *h0, const float *reset, float *y, float *h_last,
                                 int batch, int length, int dim, int nstate) {
    if (nstate == 16)
        scan_forward_impl(u, delta, A, Bm, Cm, Dskip, h0, reset, y, h_last, batch, length, dim, 16);
    else
        scan_forward_impl(u, delta, A, Bm, Cm, Dskip, h0, reset, y, h_last, batch, length, dim,
                          nstate);
}

int mbrl_selective_scan_backward_work_size(int length, int nstate) {
    return (2 * length + 1) * nstate;
}

MBRL_INLINE void
scan_backward_impl(const float *restrict u, const float *restrict delta, const float *restrict A,
                   const float *restrict Bm, const float *restrict Cm, const float *restrict Dskip,
                   const float *restrict h0, const float *restrict reset, const float *restrict dy,
                   const float *restrict dh_last,
                   float *restrict du, float *restrict ddelta, float *restrict dA,
                   float *restrict dB, float *restrict dC, float *restrict dD, float *restrict dh0,
                   float *restrict work, int batch, int length, int dim, const int nstate) {
    const int N = nstate, D = dim, L = length;
    float *hs = work;                         // [(L + 1), N]: h_{-1} .. h_{L-1}
    float *das = work + (size_t)(L + 1) * N;  // [L, N]: exp(delta_t A)
    float dh[N], dAacc[N];
    for (int b = 0; b < batch; b++) {
        const float *Bb = Bm + (size_t)b * L * N;
        const float *Cb = Cm + (size_t)b * L * N;
        float *dBb = dB + (size_t)b * L * N;
        float *dCb = dC + (size_t)b * L * N;
        memset(dBb, 0, sizeof(float) * (size_t)L * N);
        memset(dCb, 0, sizeof(float) * (size_t)L * N);
        for (int d = 0; d < D; d++) {
            const float *a = A + (size_t)d * N;
            const size_t sidx = ((size_t)b * D + d) * N;
            // Recompute this channel's states.
            if (h0) {
                for (int n = 0; n < N; n++) hs[n] = h0[sidx + n];
            } else {
                for (int n = 0; n < N; n++) hs[n] = 0.0f;
            }
            for (int t = 0; t < L; t++) {
                const size_t idx = ((size_t)b * L + t) * D + d;
                const float dt = delta[idx], x = dt * u[idx];
                const float *Bt = Bb + (size_t)t * N;
                const float *hp = hs + (size_t)t * N;
                float *hn = hs + (size_t)(t + 1) * N, *e = das + (size_t)t * N;
                // A reset at t cuts the recurrence: the decay factor becomes 0, so
                // h_t ignores h_{t-1} and the reverse scan sends it no gradient.
                const float keep = (reset && reset[(size_t)b * L + t] != 0.0f) ? 0.0f : 1.0f;
#pragma clang loop vectorize(enable) interleave_count(1)
                for (int n = 0; n < N; n++) {
                    float en = ssm_expf(dt * a[n]) * keep;
                    e[n] = en;
                    hn[n] = en * hp[n] + x * Bt[n];
                }
            }
            // Reverse-time scan.
            for (int n = 0; n < N; n++) {
                dh[n] = dh_last ? dh_last[sidx + n] : 0.0f;
                dAacc[n] = 0.0f;
            }
            const float skip = Dskip ? Dskip[d] : 0.0f;
            float dDacc = 0.0f;
            for (int t = L - 1; t >= 0; t--) {
                const size_t idx = ((size_t)b * L + t) * D + d;
                const float g = dy[idx], dt = delta[idx], ut = u[idx], x = dt * ut;
                const float *Bt = Bb + (size_t)t * N, *Ct = Cb + (size_t)t * N;
                float *dBt = dBb + (size_t)t * N, *dCt = dCb + (size_t)t * N;
                const float *hp = hs + (size_t)t * N, *hc = hs + (size_t)(t + 1) * N;
                const float *e = das + (size_t)t * N;
                float dx = 0.0f, ddt = 0.0f;
#pragma clang loop vectorize(enable) interleave_count(1)
                for (int n = 0; n < N; n++) {
                    float dhn = dh[n] + g * Ct[n];          // y_t = <h_t, C_t>
                    dCt[n] += g * hc[n];
                    dBt[n] += dhn * x;                      // h_t += x B_t
                    dx += dhn * Bt[n];
                    float q = dhn * hp[n] * e[n];           // d loss / d (delta_t a_n)
                    dAacc[n] += q * dt;
                    ddt += q * a[n];
                    dh[n] = dhn * e[n];                     // to h_{t-1}
                }
                dDacc += g * ut;
                du[idx] = g * skip + dx * dt;
                ddelta[idx] = ddt + dx * ut;
            }
            for (int n = 0; n < N; n++) dA[(size_t)d * N + n] += dAacc[n];
            if (dD) dD[d] += dDacc;
            if (dh0) {
                for (int n = 0; n < N; n++) dh0[sidx + n] = dh[n];
            }
        }
    }
}

MBRL_CLONES
void mbrl_selective_scan_backward(const float *u, const float *delta, const float *A,
                                  const float *Bm, const float *Cm, const float *Dskip,
                                  const float *h0, const float *reset, const float *dy,
                                  const float *dh_last, float *du, float *ddelta, float *dA,
                                  float *dB, float *dC, float *dD, float *dh0, float *work,
                                  int batch, int length, int dim, int nstate) {
    if (nstate == 16)
        scan_backward_impl(u, delta, A, Bm, Cm, Dskip, h0, reset, dy, dh_last, du, ddelta, dA, dB,
                           dC, dD, dh0, work, batch, length, dim, 16);
    else
        scan_backward_impl(u, delta, A, Bm, Cm, Dskip, h0, reset, dy, dh_last, du, ddelta, dA, dB,
                           dC, dD, dh0, work, batch, length, dim, nstate);
}
