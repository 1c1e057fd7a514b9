// Kernels of the dense ReLU networks and the SAC policy head; see DenseKernels.h.
#include "kernel_attributes.h"
#include "fastmath.h"
#include "DenseKernels.h"
#include <math.h>

// MARK: - Dense network

MBRL_CLONES
void mbrl_dense_relu_backward(float *restrict d, const float *restrict a, size_t n) {
    for (size_t i = 0; i < n; i++) d[i] = a[i] > 0.0f ? d[i] : 0.0f;
}

MBRL_CLONES
void mbrl_dense_backprop_narrow(const float *restrict dz, size_t rows, size_t out, const float *restrict w,
                                size_t in, const float *restrict a, float *restrict dst) {
    for (size_t r = 0; r < rows; r++) {
        float *restrict d = dst + r * in;
        const float *restrict ar = a + r * in;
        const float g0 = dz[r * out];
        for (size_t i = 0; i < in; i++) d[i] = g0 * w[i];
        for (size_t o = 1; o < out; o++) {
            const float g = dz[r * out + o];
            const float *restrict wo = w + o * in;
            for (size_t i = 0; i < in; i++) d[i] += g * wo[i];
        }
        for (size_t i = 0; i < in; i++) d[i] = ar[i] > 0.0f ? d[i] : 0.0f;
    }
}

MBRL_CLONES
void mbrl_dense_polyak(float *restrict target, const float *restrict source, size_t n, float tau) {
    const float keep = 1.0f - tau;
    for (size_t i = 0; i < n; i++) target[i] = keep * target[i] + tau * source[i];
}

MBRL_CLONES
void mbrl_dense_column_sum(const float *restrict x, size_t rows, size_t cols, size_t stride,
                           float *restrict out) {
    for (size_t c = 0; c < cols; c++) out[c] = 0.0f;
    for (size_t r = 0; r < rows; r++) {
        const float *restrict xr = x + r * stride;
        for (size_t c = 0; c < cols; c++) out[c] += xr[c];
    }
}

// MARK: - Tanh-squashed Gaussian policy

// Rows are processed in blocks, one action column at a time, so the inner loops
// run over contiguous scratch arrays and vectorise even for one action dimension.
#define SG_BLOCK 64
static const float half_log_2pi = 0.918938533204672742f;

MBRL_CLONES
void mbrl_squashed_gaussian_forward(const float *restrict head, const float *restrict noise, size_t rows,
                                    size_t act, const float *restrict scale, const float *restrict bias,
                                    float log_std_min, float log_std_max, float *restrict action,
                                    size_t action_stride, float *restrict log_prob) {
    const float half_range = 0.5f * (log_std_max - log_std_min);
    float mu[SG_BLOCK], raw[SG_BLOCK], eps[SG_BLOCK], a[SG_BLOCK], lp[SG_BLOCK];
    for (size_t r0 = 0; r0 < rows; r0 += SG_BLOCK) {
        const size_t nb = rows - r0 < SG_BLOCK ? rows - r0 : SG_BLOCK;
        for (size_t k = 0; k < nb; k++) lp[k] = 0.0f;
        for (size_t j = 0; j < act; j++) {
            const float sc = scale[j], bi = bias[j];
            for (size_t k = 0; k < nb; k++) {
                mu[k] = head[(r0 + k) * 2 * act + j];
                raw[k] = head[(r0 + k) * 2 * act + act + j];
            }
            if (noise) {
                for (size_t k = 0; k < nb; k++) eps[k] = noise[(r0 + k) * act + j];
                for (size_t k = 0; k < nb; k++) {
                    float ls = log_std_min + half_range * (mbrl_cephes_tanhf(raw[k]) + 1.0f);
                    float u = mu[k] + mbrl_cephes_expf(ls) * eps[k];
                    float y = mbrl_cephes_tanhf(u);
                    a[k] = y * sc + bi;
                    lp[k] += -0.5f * eps[k] * eps[k] - ls - half_log_2pi
                             - mbrl_cephes_logf_normal(sc * (1.0f - y * y) + 1e-6f);
                }
            } else {
                for (size_t k = 0; k < nb; k++) a[k] = mbrl_cephes_tanhf(mu[k]) * sc + bi;
            }
            for (size_t k = 0; k < nb; k++) action[(r0 + k) * action_stride + j] = a[k];
        }
        if (noise && log_prob)
            for (size_t k = 0; k < nb; k++) log_prob[r0 + k] = lp[k];
    }
}

MBRL_CLONES
void mbrl_squashed_gaussian_backward(const float *restrict head, const float *restrict noise, size_t rows,
                                     size_t act, const float *restrict scale, float log_std_min,
                                     float log_std_max, const float *restrict action_grad,
                                     size_t action_grad_stride, float log_prob_grad,
                                     float *restrict head_grad) {
    const float half_range = 0.5f * (log_std_max - log_std_min);
    float mu[SG_BLOCK], raw[SG_BLOCK], eps[SG_BLOCK], ga[SG_BLOCK], dmu[SG_BLOCK], draw[SG_BLOCK];
    for (size_t r0 = 0; r0 < rows; r0 += SG_BLOCK) {
        const size_t nb = rows - r0 < SG_BLOCK ? rows - r0 : SG_BLOCK;
        for (size_t j = 0; j < act; j++) {
            const float sc = scale[j];
            for (size_t k = 0; k < nb; k++) {
                mu[k] = head[(r0 + k) * 2 * act + j];
                raw[k] = head[(r0 + k) * 2 * act + act + j];
                eps[k] = noise[(r0 + k) * act + j];
                ga[k] = action_grad[(r0 + k) * action_grad_stride + j];
            }
            for (size_t k = 0; k < nb; k++) {
                float t = mbrl_cephes_tanhf(raw[k]);
                float ls = log_std_min + half_range * (t + 1.0f);
                float sd = mbrl_cephes_expf(ls);
                float y = mbrl_cephes_tanhf(mu[k] + sd * eps[k]);
                float one_minus_y2 = 1.0f - y * y;
                float dy = ga[k] * sc + log_prob_grad * 2.0f * sc * y / (sc * one_minus_y2 + 1e-6f);
                float du = dy * one_minus_y2;
                float dls = du * eps[k] * sd - log_prob_grad;
                dmu[k] = du;
                draw[k] = dls * half_range * (1.0f - t * t);
            }
            for (size_t k = 0; k < nb; k++) {
                head_grad[(r0 + k) * 2 * act + j] = dmu[k];
                head_grad[(r0 + k) * 2 * act + act + j] = draw[k];
            }
        }
    }
}
