// Fused LayerNorm over rows, forward and backward; see include/LayerNormKernels.h.
#include "kernel_attributes.h"
#include "LayerNormKernels.h"
#include <math.h>

// Reductions with 8 independent partial sums (so the loops vectorise without
// -ffast-math), combined as ((a0+a4)+(a1+a5))+((a2+a6)+(a3+a7)).
MBRL_INLINE float sum8_lanes(const float acc[8]) {
    return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

MBRL_INLINE float sum8(const float *a, size_t n) {
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t c = 0;
    for (; c + 8 <= n; c += 8)
        for (size_t u = 0; u < 8; u++) acc[u] += a[c + u];
    float s = sum8_lanes(acc);
    for (; c < n; c++) s += a[c];
    return s;
}

MBRL_CLONES
void mbrl_layernorm_forward(const float *restrict x, const float *restrict w, const float *restrict b, float *restrict y,
                            float *restrict mean, float *restrict rstd, size_t rows, size_t n, float eps) {
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * n;
        float *yr = y + r * n;
        const float mu = sum8(xr, n) / (float)n;
        float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        size_t j0 = 0;
        for (; j0 + 8 <= n; j0 += 8)
            for (size_t u = 0; u < 8; u++) { float c = xr[j0 + u] - mu; acc[u] += c * c; }
        float v = sum8_lanes(acc);
        for (; j0 < n; j0++) { float c = xr[j0] - mu; v += c * c; }
        const float inv = 1.0f / sqrtf(v / (float)n + eps);
        for (size_t j = 0; j < n; j++) yr[j] = (xr[j] - mu) * inv * w[j] + b[j];
        mean[r] = mu;
        rstd[r] = inv;
    }
}

MBRL_CLONES
void mbrl_layernorm_backward(const float *restrict dy, const float *restrict x, const float *restrict w,
                             const float *restrict mean, const float *restrict rstd, float *restrict dx,
                             float *restrict dw, float *restrict db, size_t rows, size_t n) {
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * n, *gr = dy + r * n;
        float *dxr = dx + r * n;
        const float mu = mean[r], inv = rstd[r];
        float a1[8] = {0, 0, 0, 0, 0, 0, 0, 0}, a2[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        size_t j0 = 0;
        for (; j0 + 8 <= n; j0 += 8) {
            for (size_t u = 0; u < 8; u++) {
                const size_t j = j0 + u;
                float xh = (xr[j] - mu) * inv, g = gr[j] * w[j];
                a1[u] += g;
                a2[u] += g * xh;
                dw[j] += gr[j] * xh;
                db[j] += gr[j];
            }
        }
        float m1 = sum8_lanes(a1);
        float m2 = sum8_lanes(a2);
        for (; j0 < n; j0++) {
            float xh = (xr[j0] - mu) * inv, g = gr[j0] * w[j0];
            m1 += g;
            m2 += g * xh;
            dw[j0] += gr[j0] * xh;
            db[j0] += gr[j0];
        }
        m1 /= (float)n;
        m2 /= (float)n;
        for (size_t j = 0; j < n; j++) {
            float xh = (xr[j] - mu) * inv;
            dxr[j] = inv * (gr[j] * w[j] - m1 - xh * m2);
        }
    }
}
