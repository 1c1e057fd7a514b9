#ifndef MBRL_LAYERNORM_KERNELS_H
#define MBRL_LAYERNORM_KERNELS_H
#include <stddef.h>

/// The fused LayerNorm of NN's `LayerNorm.fused` (every backbone's hot path),
/// compiled for x86-64-v4, -v3 and the baseline with target_clones. Rows are
/// independent, so callers may split them over threads.

/// LayerNorm over rows of length n: y = (x − μ)·r·w + b with r = 1/√(σ² + eps)
/// (biased variance, two-pass). Writes μ and r per row to `mean` and `rstd`.
void mbrl_layernorm_forward(const float *x, const float *w, const float *b, float *y,
                            float *mean, float *rstd, size_t rows, size_t n, float eps);

/// LayerNorm backward: with x̂ = (x − μ)·r and g = dy·w,
/// dx = r·(g − mean(g) − x̂·mean(g·x̂)); dw += Σ_rows dy·x̂; db += Σ_rows dy.
/// `dw` and `db` are accumulated (zero them first).
void mbrl_layernorm_backward(const float *dy, const float *x, const float *w, const float *mean,
                             const float *rstd, float *dx, float *dw, float *db, size_t rows, size_t n);
#endif
