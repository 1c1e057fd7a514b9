// S4D-Real (Gu, Gupta, Goel & Ré 2022): ZOH discretisation, convolution kernel
// and its backward (in double: the kernel is small, H·N·L, and powers dA^l are
// formed by repeated multiplication), the direct causal convolution with its
// backward, and the recurrent form.
#include "kernel_attributes.h"
#include "SSMKernels.h"
#include <math.h>
#include <string.h>

/// Discretised parameters of one (h, n) pair, in double.
typedef struct {
    double dt, A, E, Em1;  // dt, A = -exp(log_A), E = exp(dt A), E - 1
} s4d_pair;

static inline s4d_pair s4d_pair_make(float log_dt, float log_A) {
    s4d_pair p;
    p.dt = exp((double)log_dt);
    p.A = -exp((double)log_A);
    p.E = exp(p.dt * p.A);
    p.Em1 = expm1(p.dt * p.A);
    return p;
}

void mbrl_s4d_real_discretize(const float *log_dt, const float *log_A, const float *B, float *dA,
                              float *dB, int H, int N) {
    for (int h = 0; h < H; h++)
        for (int n = 0; n < N; n++) {
            const size_t i = (size_t)h * N + n;
            s4d_pair p = s4d_pair_make(log_dt[h], log_A[i]);
            dA[i] = (float)p.E;
            dB[i] = (float)(p.Em1 / p.A * (double)B[i]);
        }
}

void mbrl_s4d_real_kernel(const float *log_dt, const float *log_A, const float *B, const float *C,
                          float *K, int H, int N, int L) {
    double acc[L > 0 ? L : 1];
    for (int h = 0; h < H; h++) {
        for (int l = 0; l < L; l++) acc[l] = 0.0;
        for (int n = 0; n < N; n++) {
            const size_t i = (size_t)h * N + n;
            s4d_pair p = s4d_pair_make(log_dt[h], log_A[i]);
            double pw = (double)C[i] * (p.Em1 / p.A) * (double)B[i];
            for (int l = 0; l < L; l++) {
                acc[l] += pw;
                pw *= p.E;
            }
        }
        for (int l = 0; l < L; l++) K[(size_t)l * H + h] = (float)acc[l];
    }
}

void mbrl_s4d_real_kernel_backward(const float *log_dt, const float *log_A, const float *B,
                                   const float *C, const float *dK, float *dlog_dt, float *dlog_A,
                                   float *dB, float *dC, int H, int N, int L) {
    for (int h = 0; h < H; h++) {
        double ddt = 0.0;
        for (int n = 0; n < N; n++) {
            const size_t i = (size_t)h * N + n;
            s4d_pair p = s4d_pair_make(log_dt[h], log_A[i]);
            // S0 = Σ_l dK_l E^l, S1 = Σ_l dK_l l E^(l-1)
            double s0 = 0.0, s1 = 0.0, pw = 1.0, pwm1 = 0.0;
            for (int l = 0; l < L; l++) {
                const double g = dK[(size_t)l * H + h];
                s0 += g * pw;
                s1 += g * (double)l * pwm1;
                pwm1 = pw;
                pw *= p.E;
            }
            const double zoh = p.Em1 / p.A;          // dB = zoh · B
            const double dbar = zoh * (double)B[i];
            const double w = (double)C[i] * dbar;     // K_l = Σ_n w E^l
            const double dw = s0;
            double dE = w * s1;
            const double ddbar = dw * (double)C[i];
            dC[i] = (float)(dw * dbar);
            dB[i] = (float)(ddbar * zoh);
            dE += ddbar * (double)B[i] / p.A;         // ∂zoh/∂E = 1/A
            double dA = -ddbar * (double)B[i] * p.Em1 / (p.A * p.A);  // ∂zoh/∂A at fixed E
            const double ddtA = dE * p.E;             // E = exp(dt A)
            dA += ddtA * p.dt;
            ddt += ddtA * p.A;
            dlog_A[i] = (float)(dA * p.A);            // A = -exp(log_A)
        }
        dlog_dt[h] = (float)(ddt * exp((double)log_dt[h]));
    }
}

/// First time of the segment containing l, given the segment start before l.
static inline int s4d_segment_start(const float *reset, int b, int L, int l, int start) {
    return (reset && reset[(size_t)b * L + l] != 0.0f) ? l : start;
}

MBRL_CLONES
void mbrl_s4d_conv_forward(const float *restrict u, const float *restrict K,
                           const float *restrict D, const float *restrict reset, float *restrict y,
                           int batch, int L, int H) {
    for (int b = 0; b < batch; b++) {
        const float *ub = u + (size_t)b * L * H;
        int start = 0;
        for (int l = 0; l < L; l++) {
            start = s4d_segment_start(reset, b, L, l, start);
            float *yr = y + ((size_t)b * L + l) * H;
            const float *ul = ub + (size_t)l * H;
            if (D) {
                for (int h = 0; h < H; h++) yr[h] = D[h] * ul[h];
            } else {
                for (int h = 0; h < H; h++) yr[h] = 0.0f;
            }
            for (int j = 0; j <= l - start; j++) {
                const float *kj = K + (size_t)j * H;
                const float *us = ub + (size_t)(l - j) * H;
                for (int h = 0; h < H; h++) yr[h] += kj[h] * us[h];
            }
        }
    }
}

MBRL_CLONES
void mbrl_s4d_conv_backward(const float *restrict u, const float *restrict K,
                            const float *restrict D, const float *restrict reset,
                            const float *restrict dy, float *restrict du, float *restrict dK,
                            float *restrict dD, int batch, int L, int H) {
    int starts[L > 0 ? L : 1], ends[L > 0 ? L : 1];
    for (int b = 0; b < batch; b++) {
        const float *ub = u + (size_t)b * L * H;
        const float *dyb = dy + (size_t)b * L * H;
        // starts[l]: first time of l's segment; ends[s]: one past the last time of s's segment.
        int start = 0;
        for (int l = 0; l < L; l++) starts[l] = start = s4d_segment_start(reset, b, L, l, start);
        for (int l = L - 1; l >= 0; l--) ends[l] = (l + 1 == L) ? L : (starts[l + 1] == l + 1 ? l + 1 : ends[l + 1]);
        // du[s] = D dy[s] + Σ_{s ≤ l < ends[s]} K[l-s] dy[l]   (a row stays in L1)
        for (int s = 0; s < L; s++) {
            float *dur = du + ((size_t)b * L + s) * H;
            const float *dys = dyb + (size_t)s * H;
            if (D) {
                for (int h = 0; h < H; h++) dur[h] = D[h] * dys[h];
            } else {
                for (int h = 0; h < H; h++) dur[h] = 0.0f;
            }
            for (int l = s; l < ends[s]; l++) {
                const float *kj = K + (size_t)(l - s) * H;
                const float *dyl = dyb + (size_t)l * H;
                for (int h = 0; h < H; h++) dur[h] += kj[h] * dyl[h];
            }
            if (dD) {
                const float *us = ub + (size_t)s * H;
                for (int h = 0; h < H; h++) dD[h] += dys[h] * us[h];
            }
        }
        // dK[j] += Σ_{l ≥ j, l - j ≥ starts[l]} dy[l] u[l-j]
        for (int j = 0; j < L; j++) {
            float *dkj = dK + (size_t)j * H;
            for (int l = j; l < L; l++) {
                if (l - j < starts[l]) continue;
                const float *dyl = dyb + (size_t)l * H;
                const float *us = ub + (size_t)(l - j) * H;
                for (int h = 0; h < H; h++) dkj[h] += dyl[h] * us[h];
            }
        }
    }
}

void mbrl_s4d_final_state(const float *restrict u, const float *restrict dA,
                          const float *restrict dB, const float *restrict reset,
                          float *restrict state, int batch, int L, int H, int N) {
    for (int b = 0; b < batch; b++) {
        float *x = state + (size_t)b * H * N;
        memset(x, 0, sizeof(float) * (size_t)H * N);
        for (int j = 0; j < L; j++) {
            if (reset && reset[(size_t)b * L + j] != 0.0f) memset(x, 0, sizeof(float) * (size_t)H * N);
            const float *uj = u + ((size_t)b * L + j) * H;
            for (int h = 0; h < H; h++) {
                const float uv = uj[h];
                float *xh = x + (size_t)h * N;
                const float *ah = dA + (size_t)h * N, *bh = dB + (size_t)h * N;
                for (int n = 0; n < N; n++) xh[n] = ah[n] * xh[n] + bh[n] * uv;
            }
        }
    }
}

void mbrl_s4d_step(const float *u_t, const float *dA, const float *dB, const float *C,
                   const float *D, float *state, float *y_t, int batch, int H, int N) {
    for (int b = 0; b < batch; b++) {
        for (int h = 0; h < H; h++) {
            const float uv = u_t[(size_t)b * H + h];
            float *xh = state + ((size_t)b * H + h) * N;
            const float *ah = dA + (size_t)h * N, *bh = dB + (size_t)h * N, *ch = C + (size_t)h * N;
            float acc = 0.0f;
            for (int n = 0; n < N; n++) {
                const float xn = ah[n] * xh[n] + bh[n] * uv;
                xh[n] = xn;
                acc += ch[n] * xn;
            }
            y_t[(size_t)b * H + h] = acc + (D ? D[h] : 0.0f) * uv;
        }
    }
}
