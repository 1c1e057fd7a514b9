#ifndef MBRL_DENSE_KERNELS_H
#define MBRL_DENSE_KERNELS_H
#include <stddef.h>
// Element-wise kernels of the dense ReLU networks (NN/Dense: DenseNetwork) and
// of the model-free learners' heads (the tanh-squashed Gaussian policy of SAC).
// Row-major float32 buffers; hot loops compiled for x86-64-v4 / v3 / baseline
// with target_clones; transcendentals are the Cephes polynomials of fastmath.h
// (exp, log ~1-2 ulp; tanh ~2 ulp) so the loops vectorise.
//
// Conventions: no output buffer may overlap an input unless stated; sizes are
// element counts; a `stride` is the distance in floats between consecutive rows.
// The Gaussian bias (mbrl_ens_broadcast_rows), bias + activation
// (mbrl_ens_bias_activation) and Adam (mbrl_adam_update) kernels are shared
// with the ensemble and the optimizers and are not repeated here.

// MARK: - Dense network

/// ReLU backward from the stored activation: d[i] = a[i] > 0 ? d[i] : 0 for i < n
/// (a = relu(z) > 0 exactly when z > 0; torch's relu'(0) = 0).
void mbrl_dense_relu_backward(float *d, const float *a, size_t n);

/// One backward step through a narrow layer (out small, e.g. a critic's 1 output)
/// fused with the ReLU below it: for each row r < rows and i < in,
///   dst[r, i] = a[r, i] > 0 ? Σ_o dz[r, o] · w[o, i] : 0
/// with dz [rows, out], w [out, in] (the layer's weight) and a [rows, in] (the
/// activation below). Replaces clear + GEMM (k = out) + mask; cost rows·in·out FMAs.
void mbrl_dense_backprop_narrow(const float *dz, size_t rows, size_t out, const float *w, size_t in,
                                const float *a, float *dst);

/// Polyak averaging: target[i] = (1 - tau) * target[i] + tau * source[i] for i < n.
void mbrl_dense_polyak(float *target, const float *source, size_t n, float tau);

/// out[c] = sum over r < rows of x[r * stride + c], for c < cols (bias gradients
/// of a block of output units; summed in float, row by row).
void mbrl_dense_column_sum(const float *x, size_t rows, size_t cols, size_t stride, float *out);

// MARK: - Tanh-squashed Gaussian policy (SAC; CleanRL sac_continuous_action.py)

/// For each row r and action dimension j < act, from head[r, 0..<2·act] = (mean | raw log-std):
///   log_std = log_std_min + ½ (log_std_max − log_std_min)(tanh(raw) + 1),  σ = exp(log_std)
///   u = mean + σ ε   (ε = noise[r, j]; noise NULL: u = mean, the deterministic action)
///   y = tanh(u),     action[r·action_stride + j] = y · scale[j] + bias[j]
/// and, when noise and log_prob are not NULL,
///   log_prob[r] = Σ_j [−½ ε² − log_std − ½ log 2π − log(scale[j](1 − y²) + 1e-6)]
/// (−½ ε² is −½((u − mean)/σ)² without the round trip). head is [rows, 2·act],
/// noise [rows, act]; action rows may be strided into a wider buffer (e.g. the
/// critic's [observation | action] input).
void mbrl_squashed_gaussian_forward(const float *head, const float *noise, size_t rows, size_t act,
                                    const float *scale, const float *bias, float log_std_min,
                                    float log_std_max, float *action, size_t action_stride,
                                    float *log_prob);

/// The reverse of mbrl_squashed_gaussian_forward (sampled form, same head and noise)
/// for L with dL/d action[r, j] = action_grad[r·action_grad_stride + j] and
/// dL/d log_prob[r] = log_prob_grad (one value for every row): writes
/// head_grad[r, 0..<2·act] = dL/d(mean | raw log-std), overwriting it:
///   dy = dL/da · scale + log_prob_grad · 2 scale y / (scale(1 − y²) + 1e-6)
///   d mean = dy (1 − y²),   d log_std = d mean · ε σ − log_prob_grad,
///   d raw = d log_std · ½ (log_std_max − log_std_min)(1 − tanh(raw)²).
/// (The Gaussian term −½((u − mean)/σ)² has zero gradient under the
/// reparameterisation u = mean + σε.)
void mbrl_squashed_gaussian_backward(const float *head, const float *noise, size_t rows, size_t act,
                                     const float *scale, float log_std_min, float log_std_max,
                                     const float *action_grad, size_t action_grad_stride,
                                     float log_prob_grad, float *head_grad);
#endif
