// Element-wise kernels of the fused PETS ensemble; see EnsembleKernels.h.
#include "kernel_attributes.h"
#include "fastmath.h"
#include "EnsembleKernels.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

// MARK: - Polynomial exp / log (Cephes expf / logf, ~1-2 ulp over the clamped range)

static inline float ens_exp(float x) { return mbrl_cephes_expf(x); }

/// Natural log for normal positive x.
static inline float ens_log(float x) { return mbrl_cephes_logf_normal(x); }

/// log(1 + u) for u in [0, 1], accurate for small u (Goldberg's trick).
static inline float ens_log1p_unit(float u) {
    float w = 1.0f + u;
    float d = w - 1.0f;
    return d == 0.0f ? u : ens_log(w) * (u / d);
}

/// softplus(x) = log(1 + e^x) and sigmoid(x), sharing one exp.
static inline void ens_softplus_sigmoid(float x, float *softplus, float *sigmoid) {
    float e = ens_exp(-fabsf(x));
    float inv = 1.0f / (1.0f + e);
    *softplus = fmaxf(x, 0.0f) + ens_log1p_unit(e);
    *sigmoid = x >= 0.0f ? inv : e * inv;
}

/// 1 - sigmoid(x) = sigmoid(-x), without cancellation.
static inline float ens_sigmoid_complement(float x) {
    float e = ens_exp(-fabsf(x));
    float inv = 1.0f / (1.0f + e);
    return x >= 0.0f ? e * inv : inv;
}

static inline float ens_tanh(float x) { return mbrl_cephes_tanhf(x); }

// MARK: - Bias + activation

// One loop per (bias?, derivative?) so each inner loop is branch-free and vectorises.
#define ENS_INNER(ZEXPR, STORE_D, BODY)                                      \
    for (size_t r = 0; r < rows; r++) {                                      \
        float *restrict xr = x + r * cols;                                   \
        float *restrict dr = deriv + (deriv ? r * cols : 0);                 \
        (void)dr;                                                            \
        for (size_t c = 0; c < cols; c++) {                                  \
            float z = ZEXPR;                                                 \
            float h, g;                                                      \
            BODY                                                             \
            (void)g;                                                         \
            xr[c] = h;                                                       \
            STORE_D                                                          \
        }                                                                    \
    }
#define ENS_ROW_LOOP(BODY)                                                   \
    if (bias && deriv) {                                                     \
        ENS_INNER(xr[c] + bias[c], dr[c] = g;, BODY)                         \
    } else if (bias) {                                                       \
        ENS_INNER(xr[c] + bias[c], , BODY)                                   \
    } else if (deriv) {                                                      \
        ENS_INNER(xr[c], dr[c] = g;, BODY)                                   \
    } else {                                                                 \
        ENS_INNER(xr[c], , BODY)                                             \
    }

MBRL_CLONES
void mbrl_ens_bias_activation(float *restrict x, const float *restrict bias, float *restrict deriv,
                              size_t rows, size_t cols, int activation) {
    switch (activation) {
    case MBRL_ACT_RELU:
        ENS_ROW_LOOP(h = z > 0.0f ? z : 0.0f; g = z > 0.0f ? 1.0f : 0.0f;)
        break;
    case MBRL_ACT_LEAKY_RELU:
        ENS_ROW_LOOP(h = z > 0.0f ? z : 0.01f * z; g = z > 0.0f ? 1.0f : 0.01f;)
        break;
    case MBRL_ACT_SILU:
        ENS_ROW_LOOP(float s = 1.0f / (1.0f + ens_exp(-z)); h = z * s;
                     g = s * (1.0f + z * (1.0f - s));)
        break;
    case MBRL_ACT_TANH:
        ENS_ROW_LOOP(h = ens_tanh(z); g = 1.0f - h * h;)
        break;
    default:
        ENS_ROW_LOOP(h = z; g = 1.0f;)
        break;
    }
}

MBRL_CLONES
void mbrl_ens_broadcast_rows(float *restrict dst, const float *restrict row, size_t rows, size_t cols) {
    for (size_t r = 0; r < rows; r++) {
        float *restrict dr = dst + r * cols;
        for (size_t c = 0; c < cols; c++) dr[c] = row[c];
    }
}

MBRL_CLONES
void mbrl_ens_multiply_inplace(float *restrict d, const float *restrict g, size_t n) {
    for (size_t i = 0; i < n; i++) d[i] *= g[i];
}

MBRL_CLONES
void mbrl_ens_column_sum(const float *restrict x, size_t rows, size_t cols, float *restrict out) {
    for (size_t c = 0; c < cols; c++) out[c] = 0.0f;
    for (size_t r = 0; r < rows; r++) {
        const float *restrict xr = x + r * cols;
        for (size_t c = 0; c < cols; c++) out[c] += xr[c];
    }
}

// MARK: - Heads

#define ENS_HEAD_BLOCK 64

MBRL_CLONES
void mbrl_ens_gaussian_head_forward(const float *restrict head, const float *restrict min_logvar,
                                    const float *restrict max_logvar, size_t rows, size_t d,
                                    float *restrict mean, float *restrict logvar) {
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < d; j++) mean[r * d + j] = head[r * 2 * d + j];
    if (!logvar) return;
    // Blocks of rows, one column at a time, as in the backward kernel below.
    float raw[ENS_HEAD_BLOCK], lvs[ENS_HEAD_BLOCK];
    for (size_t r0 = 0; r0 < rows; r0 += ENS_HEAD_BLOCK) {
        size_t nb = rows - r0 < ENS_HEAD_BLOCK ? rows - r0 : ENS_HEAD_BLOCK;
        for (size_t j = 0; j < d; j++) {
            for (size_t k = 0; k < nb; k++) raw[k] = head[(r0 + k) * 2 * d + d + j];
            const float mx = max_logvar[j], mn = min_logvar[j];
            for (size_t k = 0; k < nb; k++) {
                float sp1, s1, sp2, s2;
                ens_softplus_sigmoid(mx - raw[k], &sp1, &s1);
                ens_softplus_sigmoid(mx - sp1 - mn, &sp2, &s2);
                lvs[k] = mn + sp2;
            }
            for (size_t k = 0; k < nb; k++) logvar[(r0 + k) * d + j] = lvs[k];
        }
    }
}

MBRL_CLONES
double mbrl_ens_gaussian_head_backward(const float *restrict head, const float *restrict target,
                                       const float *restrict min_logvar,
                                       const float *restrict max_logvar, size_t rows, size_t d,
                                       float nll_scale, const float *restrict cot_mean,
                                       const float *restrict cot_logvar, float *restrict mean,
                                       float *restrict logvar, float *restrict dhead,
                                       float *restrict dmin, float *restrict dmax) {
    // Blocks of up to 64 rows, one output column j at a time: gather the
    // column into small arrays, run a branch-free (vectorisable) loop, scatter.
    double total = 0.0;
    float mu[ENS_HEAD_BLOCK], raw[ENS_HEAD_BLOCK], tg[ENS_HEAD_BLOCK], cm[ENS_HEAD_BLOCK],
        cl[ENS_HEAD_BLOCK], gm[ENS_HEAD_BLOCK], graw[ENS_HEAD_BLOCK], lvs[ENS_HEAD_BLOCK],
        term[ENS_HEAD_BLOCK], gmax[ENS_HEAD_BLOCK], gmin[ENS_HEAD_BLOCK];
    for (size_t r0 = 0; r0 < rows; r0 += ENS_HEAD_BLOCK) {
        size_t nb = rows - r0 < ENS_HEAD_BLOCK ? rows - r0 : ENS_HEAD_BLOCK;
        for (size_t j = 0; j < d; j++) {
            for (size_t k = 0; k < nb; k++) {
                size_t r = r0 + k;
                mu[k] = head[r * 2 * d + j];
                raw[k] = head[r * 2 * d + d + j];
                tg[k] = target[r * d + j];
                cm[k] = cot_mean ? cot_mean[r * d + j] : 0.0f;
                cl[k] = cot_logvar ? cot_logvar[r * d + j] : 0.0f;
            }
            const float mx = max_logvar[j], mn = min_logvar[j];
            for (size_t k = 0; k < nb; k++) {
                float u = mx - raw[k];
                float sp1, s1, sp2, s2;
                ens_softplus_sigmoid(u, &sp1, &s1);
                float v = mx - sp1 - mn;
                ens_softplus_sigmoid(v, &sp2, &s2);
                float lv = mn + sp2;
                float diff = mu[k] - tg[k];
                float inv_var = ens_exp(-lv);
                float sq = diff * diff * inv_var;
                term[k] = sq + lv;
                lvs[k] = lv;
                gm[k] = nll_scale * 2.0f * diff * inv_var + cm[k];
                float glv = nll_scale * (1.0f - sq) + cl[k];
                graw[k] = glv * s2 * s1;
                gmax[k] = glv * s2 * ens_sigmoid_complement(u);
                gmin[k] = glv * ens_sigmoid_complement(v);
            }
            float smax = 0.0f, smin = 0.0f;
            for (size_t k = 0; k < nb; k++) {
                size_t r = r0 + k;
                dhead[r * 2 * d + j] = gm[k];
                dhead[r * 2 * d + d + j] = graw[k];
                if (mean) mean[r * d + j] = mu[k];
                if (logvar) logvar[r * d + j] = lvs[k];
                total += (double)term[k];
                smax += gmax[k];
                smin += gmin[k];
            }
            dmax[j] += smax;
            dmin[j] += smin;
        }
    }
    return total;
}

MBRL_CLONES
double mbrl_ens_mse_head_backward(const float *restrict head, const float *restrict target,
                                  size_t rows, size_t d, float mse_scale,
                                  const float *restrict cot_mean, float *restrict dhead) {
    double total = 0.0;
    for (size_t r = 0; r < rows; r++) {
        float row_sum = 0.0f;
        for (size_t j = 0; j < d; j++) {
            size_t i = r * d + j;
            float diff = head[i] - target[i];
            row_sum += diff * diff;
            dhead[i] = mse_scale * 2.0f * diff + (cot_mean ? cot_mean[i] : 0.0f);
        }
        total += (double)row_sum;
    }
    return total;
}

size_t mbrl_ens_atomic_next(size_t *counter) {
    return __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}
