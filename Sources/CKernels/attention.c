// Kernels of the causal transformer backbone; see include/AttentionKernels.h.
#include "AttentionKernels.h"
#include "ElementwiseKernels.h"
#include <math.h>
#include <string.h>

#if defined(__x86_64__) && defined(__clang__)
#define MBRL_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define MBRL_CLONES
#endif

void mbrl_attention_softmax(float *scores, size_t t, const int32_t *starts) {
    for (size_t i = 0; i < t; i++) {
        float *row = scores + i * t;
        size_t lo = starts ? (size_t)starts[i] : 0;
        if (lo > i) lo = i;
        if (lo > 0) memset(row, 0, lo * sizeof(float));
        mbrl_softmax_rows(row + lo, row + lo, 1, i - lo + 1, 0);
        if (i + 1 < t) memset(row + i + 1, 0, (t - i - 1) * sizeof(float));
    }
}

MBRL_CLONES
void mbrl_attention_softmax_backward(const float *probs, float *dprobs, size_t t, float scale) {
    for (size_t i = 0; i < t; i++) {
        const float *p = probs + i * t;
        float *d = dprobs + i * t;
        float dot = 0;
        for (size_t j = 0; j < t; j++) dot += p[j] * d[j];
        for (size_t j = 0; j < t; j++) d[j] = scale * p[j] * (d[j] - dot);
    }
}

MBRL_CLONES
void mbrl_layernorm_forward(const float *x, const float *w, const float *b, float *y,
                            float *mean, float *rstd, size_t rows, size_t n, float eps) {
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * n;
        float *yr = y + r * n;
        float s = 0;
        for (size_t j = 0; j < n; j++) s += xr[j];
        const float mu = s / (float)n;
        float v = 0;
        for (size_t j = 0; j < n; j++) { float c = xr[j] - mu; v += c * c; }
        const float inv = 1.0f / sqrtf(v / (float)n + eps);
        for (size_t j = 0; j < n; j++) yr[j] = (xr[j] - mu) * inv * w[j] + b[j];
        mean[r] = mu;
        rstd[r] = inv;
    }
}

MBRL_CLONES
void mbrl_layernorm_backward(const float *dy, const float *x, const float *w, const float *mean,
                             const float *rstd, float *dx, float *dw, float *db, size_t rows, size_t n) {
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * n, *gr = dy + r * n;
        float *dxr = dx + r * n;
        const float mu = mean[r], inv = rstd[r];
        float m1 = 0, m2 = 0;
        for (size_t j = 0; j < n; j++) {
            float xh = (xr[j] - mu) * inv, g = gr[j] * w[j];
            m1 += g;
            m2 += g * xh;
            dw[j] += gr[j] * xh;
            db[j] += gr[j];
        }
        m1 /= (float)n;
        m2 /= (float)n;
        for (size_t j = 0; j < n; j++) {
            float xh = (xr[j] - mu) * inv;
            dxr[j] = inv * (gr[j] * w[j] - m1 - xh * m2);
        }
    }
}

MBRL_CLONES
void mbrl_attention_decode(const float *q, size_t q_stride, const float *keys, const float *values,
                           float *out, size_t rows, size_t heads, size_t head_size,
                           size_t capacity, size_t length, float scale, float *scratch) {
    const size_t d = heads * head_size;
    for (size_t r = 0; r < rows; r++) {
        const float *kr = keys + r * capacity * d, *vr = values + r * capacity * d;
        for (size_t h = 0; h < heads; h++) {
            const float *qh = q + r * q_stride + h * head_size;
            float *oh = out + r * d + h * head_size;
            float m = -INFINITY;
            for (size_t j = 0; j < length; j++) {
                const float *k = kr + j * d + h * head_size;
                float s = 0;
                for (size_t c = 0; c < head_size; c++) s += qh[c] * k[c];
                s *= scale;
                scratch[j] = s;
                if (s > m) m = s;
            }
            float total = 0;
            for (size_t j = 0; j < length; j++) { scratch[j] = expf(scratch[j] - m); total += scratch[j]; }
            const float inv = 1.0f / total;
            for (size_t c = 0; c < head_size; c++) oh[c] = 0;
            for (size_t j = 0; j < length; j++) {
                const float p = scratch[j] * inv;
                const float *v = vr + j * d + h * head_size;
                for (size_t c = 0; c < head_size; c++) oh[c] += p * v[c];
            }
        }
    }
}
