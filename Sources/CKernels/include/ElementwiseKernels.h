#ifndef MBRL_ELEMENTWISE_KERNELS_H
#define MBRL_ELEMENTWISE_KERNELS_H
#include <stddef.h>

/// Element-wise kernels over contiguous float32 buffers (TensorCore's hot loops).
/// Transcendentals use branch-free polynomials (Cephes-style exp/log, a
/// Chebyshev erfc) so the loops vectorise; each function is compiled for
/// x86-64-v4, -v3 and the baseline with target_clones. Accuracy: exp and log
/// within ~2 ulp for normal inputs; erfc fractional error < 1.2e-7 (Numerical
/// Recipes' erfcc) plus float rounding.

/// Binary operations for `mbrl_binary`.
enum {
    MBRL_ADD = 0, MBRL_SUB = 1, MBRL_MUL = 2, MBRL_DIV = 3, MBRL_MIN = 4, MBRL_MAX = 5,
};

/// out[i] = a[i * a_stride] (op) b[i * b_stride] for i < n. Strides are 0
/// (broadcast a scalar) or 1; `out` may alias a or b when their stride is 1.
void mbrl_binary(int op, const float *a, size_t a_stride, const float *b, size_t b_stride,
                 float *out, size_t n);

/// Unary operations for `mbrl_unary` / `mbrl_unary_backward`. p0, p1 are the
/// op's parameters (leaky relu: p0 = negative slope; clamp: [p0, p1]).
enum {
    MBRL_NEG = 0, MBRL_EXP = 1, MBRL_LOG = 2, MBRL_TANH = 3, MBRL_SIGMOID = 4, MBRL_RELU = 5,
    MBRL_LEAKY_RELU = 6, MBRL_SILU = 7, MBRL_GELU_ERF = 8, MBRL_GELU_TANH = 9,
    MBRL_SOFTPLUS = 10, MBRL_SQUARE = 11, MBRL_SQRT = 12, MBRL_CLAMP = 13,
};

/// y[i] = f(x[i]) for i < n; y may alias x. Softplus follows torch
/// (threshold 20: x > 20 gives x).
void mbrl_unary(int op, const float *x, float *y, size_t n, float p0, float p1);

/// gx[i] = f'(x[i]) * gy[i], given the forward input x and output y = f(x)
/// (each op reads whichever is cheaper). gx may alias gy.
void mbrl_unary_backward(int op, const float *x, const float *y, const float *gy, float *gx,
                         size_t n, float p0, float p1);

/// Exact GELU of a [rows, cols] matrix with a bias added first, keeping its derivative for the
/// backward pass: v = x[r, c] + bias[c] (bias may be NULL), x[r, c] = v·Φ(v) in place and
/// derivative[r, c] = Φ(v) + v·φ(v), so that ∂x = ∂y ⊙ derivative needs no erf or exp.
/// Same values as `mbrl_unary` / `mbrl_unary_backward` with MBRL_GELU_ERF on v.
void mbrl_gelu_erf_bias_forward(float *x, const float *bias, size_t rows, size_t cols, float *derivative);

/// Row-wise softmax (log_softmax when `log` != 0) of a [rows, cols] matrix,
/// max-subtracted for stability; y may alias x.
void mbrl_softmax_rows(const float *x, float *y, size_t rows, size_t cols, int log);

/// sum_i a[i] * b[i] accumulated in double (used for loss reductions and tests).
double mbrl_dot_double(const float *a, const float *b, size_t n);
#endif
