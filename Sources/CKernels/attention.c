// Kernels of the causal transformer backbone; see include/AttentionKernels.h.
#include "kernel_attributes.h"
#include "AttentionKernels.h"
#include "ElementwiseKernels.h"
#include <math.h>
#include <string.h>

// A dot product with 8 independent partial sums, so the loops vectorise without
// -ffast-math (a single accumulator forbids reassociation). Inlined into each clone.
MBRL_INLINE float dot8(const float *a, const float *b, size_t n) {
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t c = 0;
    for (; c + 8 <= n; c += 8)
        for (size_t u = 0; u < 8; u++) acc[u] += a[c + u] * b[c + u];
    float s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (; c < n; c++) s += a[c] * b[c];
    return s;
}

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
        // causal: p_ij = 0 for j > i, so those entries are 0 (dp there may be unset)
        const float dot = dot8(p, d, i + 1);
        for (size_t j = 0; j <= i; j++) d[j] = scale * p[j] * (d[j] - dot);
        for (size_t j = i + 1; j < t; j++) d[j] = 0.0f;
    }
}

MBRL_CLONES
void mbrl_attention_decode(const float *restrict q, size_t q_stride, const float *restrict keys,
                           const float *restrict values, float *restrict out, size_t rows, size_t heads, size_t head_size,
                           size_t capacity, size_t length, float scale, float *restrict scratch) {
    const size_t d = heads * head_size;
    for (size_t r = 0; r < rows; r++) {
        const float *kr = keys + r * capacity * d, *vr = values + r * capacity * d;
        for (size_t h = 0; h < heads; h++) {
            const float *qh = q + r * q_stride + h * head_size;
            float *oh = out + r * d + h * head_size;
            float m = -INFINITY;
            for (size_t j = 0; j < length; j++) {
                const float s = scale * dot8(qh, kr + j * d + h * head_size, head_size);
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
