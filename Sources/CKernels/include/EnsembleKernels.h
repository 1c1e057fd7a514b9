#ifndef MBRL_ENSEMBLE_KERNELS_H
#define MBRL_ENSEMBLE_KERNELS_H
// Element-wise kernels of the fused PETS ensemble (GaussianEnsembleMLP):
// bias + activation (+ derivative), the soft-bounded Gaussian head with its
// NLL gradient, the MSE head, column sums. Row-major float buffers; every
// hot loop is compiled for x86-64-v4 / v3 / baseline with target_clones and
// uses polynomial exp/log (Cephes, ~1-2 ulp) so that it vectorises.
#include <stddef.h>

/// Activation codes for mbrl_ens_bias_activation.
#define MBRL_ACT_IDENTITY 0
#define MBRL_ACT_RELU 1
#define MBRL_ACT_LEAKY_RELU 2 /* negative slope 0.01, as torch's default */
#define MBRL_ACT_SILU 3       /* x * sigmoid(x) (a.k.a. swish) */
#define MBRL_ACT_TANH 4

/// x[r, c] = act(x[r, c] + bias[c]) in place, for a [rows, cols] block.
/// If deriv is not NULL, deriv[r, c] = act'(x + bias) (torch's convention at
/// kinks: relu' (0) = 0, leaky_relu'(0) = 0.01). bias may be NULL (no bias).
void mbrl_ens_bias_activation(float *x, const float *bias, float *deriv, size_t rows,
                              size_t cols, int activation);

/// dst[r, c] = row[c] for a [rows, cols] block (a bias broadcast, so the
/// following GEMM can accumulate with beta = 1: OpenBLAS's separate beta = 0
/// pass costs ~10% of a 128x200x200 sgemm here).
void mbrl_ens_broadcast_rows(float *dst, const float *row, size_t rows, size_t cols);

/// d[i] *= g[i] for i < n (chain rule through a stored activation derivative).
void mbrl_ens_multiply_inplace(float *d, const float *g, size_t n);

/// out[c] = sum_r x[r, c] for a [rows, cols] block (bias gradients).
void mbrl_ens_column_sum(const float *x, size_t rows, size_t cols, float *out);

/// Soft-bounded log-variance head of mbrl-lib's GaussianMLP, forward only:
/// head is [rows, 2D] (mean | raw logvar);
///   logvar = max - softplus(max - raw);  logvar = min + softplus(logvar - min).
/// mean [rows, D] and logvar [rows, D] are written (logvar may be NULL).
void mbrl_ens_gaussian_head_forward(const float *head, const float *min_logvar,
                                    const float *max_logvar, size_t rows, size_t d,
                                    float *mean, float *logvar);

/// Soft-bounded head + Gaussian NLL terms and their gradient for one block of
/// rows of one member. Returns sum over the block of
///   (mean - target)^2 * exp(-logvar) + logvar
/// (in double). Writes dhead [rows, 2D] = d L / d head where
///   L = nll_scale * sum(terms) + sum(mean * cot_mean) + sum(logvar * cot_logvar)
/// (cot_* may be NULL = 0; nll_scale is the loss weight / (batch * D)), and
/// ADDS d L / d min_logvar and d L / d max_logvar of the block into dmin, dmax
/// [D] (the 0.01 bound penalty is not included). mean / logvar outputs may be NULL.
double mbrl_ens_gaussian_head_backward(const float *head, const float *target,
                                       const float *min_logvar, const float *max_logvar,
                                       size_t rows, size_t d, float nll_scale,
                                       const float *cot_mean, const float *cot_logvar,
                                       float *mean, float *logvar, float *dhead,
                                       float *dmin, float *dmax);

/// Deterministic head: returns sum of (head - target)^2 over a [rows, D] block
/// and writes dhead = mse_scale * 2 (head - target) (+ cot_mean if not NULL).
double mbrl_ens_mse_head_backward(const float *head, const float *target, size_t rows,
                                  size_t d, float mse_scale, const float *cot_mean,
                                  float *dhead);

/// Atomically returns *counter and increments it (a work queue for the
/// Swift-side parallel loops).
size_t mbrl_ens_atomic_next(size_t *counter);
#endif
