// Causal depthwise conv1d (the short convolution in front of Mamba's selective
// scan), forward, backward and rolling-state step. Loops run over channels
// innermost (contiguous in [batch, length, dim]); the [dim, K] weight is
// transposed to [K, dim] on the stack first (K·dim floats).
#include "kernel_attributes.h"
#include "SSMKernels.h"
#include <string.h>

/// First time of the segment containing t, given the segment start before t.
static inline int conv_segment_start(const float *reset, int b, int L, int t, int start) {
    return (reset && reset[(size_t)b * L + t] != 0.0f) ? t : start;
}

MBRL_CLONES
void mbrl_causal_conv1d_forward(const float *restrict x, const float *restrict w,
                                const float *restrict bias, const float *restrict reset,
                                float *restrict y, int batch, int length, int dim, int ksize) {
    const int D = dim, K = ksize, L = length;
    float wt[K * D];
    for (int d = 0; d < D; d++)
        for (int k = 0; k < K; k++) wt[k * D + d] = w[d * K + k];
    for (int b = 0; b < batch; b++) {
        int start = 0;
        for (int t = 0; t < L; t++) {
            start = conv_segment_start(reset, b, L, t, start);
            float *yr = y + ((size_t)b * L + t) * D;
            if (bias) {
                for (int d = 0; d < D; d++) yr[d] = bias[d];
            } else {
                for (int d = 0; d < D; d++) yr[d] = 0.0f;
            }
            for (int k = 0; k < K; k++) {
                const int s = t - (K - 1) + k;
                if (s < start) continue;
                const float *xr = x + ((size_t)b * L + s) * D;
                const float *wk = wt + k * D;
                for (int d = 0; d < D; d++) yr[d] += wk[d] * xr[d];
            }
        }
    }
}

MBRL_CLONES
void mbrl_causal_conv1d_backward(const float *restrict x, const float *restrict w,
                                 const float *restrict reset, const float *restrict dy,
                                 float *restrict dx, float *restrict dw, float *restrict dbias,
                                 int batch, int length, int dim, int ksize) {
    const int D = dim, K = ksize, L = length;
    float wt[K * D], dwt[K * D], db[D];
    for (int d = 0; d < D; d++)
        for (int k = 0; k < K; k++) wt[k * D + d] = w[d * K + k];
    memset(dwt, 0, sizeof dwt);
    memset(db, 0, sizeof db);
    for (int b = 0; b < batch; b++) {
        memset(dx + (size_t)b * L * D, 0, sizeof(float) * (size_t)L * D);
        int start = 0;
        // For each output t: dx[s] += w[k] dy[t] and dw[k] += dy[t] x[s], s = t - (K-1) + k.
        for (int t = 0; t < L; t++) {
            start = conv_segment_start(reset, b, L, t, start);
            const float *dyr = dy + ((size_t)b * L + t) * D;
            for (int d = 0; d < D; d++) db[d] += dyr[d];
            for (int k = 0; k < K; k++) {
                const int s = t - (K - 1) + k;
                if (s < start) continue;
                const float *xr = x + ((size_t)b * L + s) * D;
                float *dxr = dx + ((size_t)b * L + s) * D;
                const float *wk = wt + k * D;
                float *dwk = dwt + k * D;
                for (int d = 0; d < D; d++) {
                    dxr[d] += wk[d] * dyr[d];
                    dwk[d] += dyr[d] * xr[d];
                }
            }
        }
    }
    for (int d = 0; d < D; d++)
        for (int k = 0; k < K; k++) dw[d * K + k] += dwt[k * D + d];
    if (dbias) {
        for (int d = 0; d < D; d++) dbias[d] += db[d];
    }
}

void mbrl_causal_conv1d_final_state(const float *x, const float *reset, float *state, int batch,
                                    int length, int dim, int ksize) {
    const int D = dim, K = ksize, L = length, S = ksize - 1;
    for (int b = 0; b < batch; b++) {
        int start = 0;
        for (int t = 0; t < L; t++) start = conv_segment_start(reset, b, L, t, start);
        for (int d = 0; d < D; d++)
            for (int j = 0; j < S; j++) {
                const int t = L - (K - 1) + j;
                state[((size_t)b * D + d) * S + j] =
                    t >= start ? x[((size_t)b * L + t) * D + d] : 0.0f;
            }
    }
}

void mbrl_causal_conv1d_step(const float *x_t, const float *w, const float *bias, float *state,
                             float *y_t, int batch, int dim, int ksize) {
    const int D = dim, K = ksize, S = ksize - 1;
    for (int b = 0; b < batch; b++) {
        for (int d = 0; d < D; d++) {
            float *st = state + ((size_t)b * D + d) * S;
            const float *wd = w + (size_t)d * K;
            const float xv = x_t[(size_t)b * D + d];
            float acc = bias ? bias[d] : 0.0f;
            for (int k = 0; k < S; k++) acc += wd[k] * st[k];
            acc += wd[S] * xv;
            y_t[(size_t)b * D + d] = acc;
            if (S > 0) {
                memmove(st, st + 1, sizeof(float) * (size_t)(S - 1));
                st[S - 1] = xv;
            }
        }
    }
}
