// Element-wise kernels for TensorCore. See include/ElementwiseKernels.h.
//
// Every transcendental is a branch-free polynomial (selects instead of
// branches, integer bit tricks instead of frexp/ldexp) so clang vectorises the
// loops; target_clones picks the AVX-512 / AVX2 / SSE2 build at load time.
#include "kernel_attributes.h"
#include "fastmath.h"
#include "ElementwiseKernels.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

MBRL_INLINE float bits_to_float(int32_t i) { float f; memcpy(&f, &i, 4); return f; }
MBRL_INLINE int32_t float_to_bits(float f) { int32_t i; memcpy(&i, &f, 4); return i; }

/// exp(x): Cephes expf. x = n ln2 + r, |r| <= ln2/2, e^r by a degree-7
/// polynomial, 2^n through the exponent bits. Overflow gives +inf, underflow 0.
MBRL_INLINE float mbrl_expf(float x) { return mbrl_cephes_expf(x); }

/// log(x): Cephes logf. x = m 2^e with m in [sqrt(1/2), sqrt(2)), log(m) by a
/// degree-9 polynomial. Subnormals are rescaled; x = 0 gives -inf, x < 0 NaN.
MBRL_INLINE float mbrl_logf(float x) {
    int tiny = x < 1.17549435e-38f;
    float xs = tiny ? x * 8388608.0f : x;
    int32_t ix = float_to_bits(xs);
    int32_t e = ((ix >> 23) & 0xff) - 126 - (tiny ? 23 : 0);
    float m = bits_to_float((ix & 0x007fffff) | 0x3f000000);  // in [0.5, 1)
    float result = mbrl_cephes_log_reduced(m, e);
    result = x == INFINITY ? INFINITY : result;
    result = x == 0.0f ? -INFINITY : result;
    result = x < 0.0f ? NAN : result;
    result = x != x ? x : result;
    return result;
}

/// log(1 + u) for u >= 0, accurate for tiny u (Goldberg's trick).
MBRL_INLINE float mbrl_log1pf_pos(float u) {
    float w = 1.0f + u;
    float l = mbrl_logf(w);
    float d = w - 1.0f;
    return d == 0.0f ? u : l * (u / d);
}

/// sqrt without errno (so the loop vectorises); NaN for x < 0 as sqrtf.
MBRL_INLINE float mbrl_sqrtf(float x) {
#if defined(__clang__) && __has_builtin(__builtin_elementwise_sqrt)
    return __builtin_elementwise_sqrt(x);
#else
    return sqrtf(x);
#endif
}

MBRL_INLINE float mbrl_sigmoidf(float x) { return 1.0f / (1.0f + mbrl_expf(-x)); }

/// tanh of fastmath.h (polynomial near 0, exp ratio elsewhere).
MBRL_INLINE float mbrl_tanhf(float x) { return mbrl_cephes_tanhf_ratio(x); }

/// erfc(t) for t >= 0: Numerical Recipes' Chebyshev fit, fractional error < 1.2e-7.
MBRL_INLINE float mbrl_erfc_pos(float t) {
    float s = 1.0f / (1.0f + 0.5f * t);
    float p = 0.17087277f;
    p = p * s - 0.82215223f;
    p = p * s + 1.48851587f;
    p = p * s - 1.13520398f;
    p = p * s + 0.27886807f;
    p = p * s - 0.18628806f;
    p = p * s + 0.09678418f;
    p = p * s + 0.37409196f;
    p = p * s + 1.00002368f;
    p = p * s - 1.26551223f;
    return s * mbrl_expf(-t * t + p);
}

/// Phi(x) = (1 + erf(x / sqrt 2)) / 2, the standard normal CDF, without
/// cancellation for negative x.
MBRL_INLINE float mbrl_normal_cdf(float x) {
    float c = mbrl_erfc_pos(fabsf(x) * 0.70710678118654752f);
    return x < 0.0f ? 0.5f * c : 1.0f - 0.5f * c;
}

#define GELU_K 0.7978845608028654f   /* sqrt(2 / pi) */
#define GELU_C 0.044715f

/// tanh-approximate GELU: 0.5 x (1 + tanh(u)) = x * sigmoid(2u), u = sqrt(2/pi)(x + 0.044715 x^3).
MBRL_INLINE float mbrl_gelu_tanh(float x) {
    float u = GELU_K * (x + GELU_C * x * x * x);
    return x * mbrl_sigmoidf(2.0f * u);
}

MBRL_INLINE float mbrl_softplus(float x) {
    float r = fmaxf(x, 0.0f) + mbrl_log1pf_pos(mbrl_expf(-fabsf(x)));
    return x > 20.0f ? x : r;
}

#define BINARY_LOOPS(EXPR)                                                                        \
    if (sa == 1 && sb == 1) { MBRL_SAFE_LOOP for (size_t i = 0; i < n; i++) { float x = a[i], y = b[i]; out[i] = (EXPR); } } \
    else if (sa == 1) { const float y = b[0]; MBRL_SAFE_LOOP for (size_t i = 0; i < n; i++) { float x = a[i]; out[i] = (EXPR); } } \
    else if (sb == 1) { const float x = a[0]; MBRL_SAFE_LOOP for (size_t i = 0; i < n; i++) { float y = b[i]; out[i] = (EXPR); } } \
    else { float x = a[0], y = b[0]; float v = (EXPR); for (size_t i = 0; i < n; i++) out[i] = v; }

MBRL_CLONES
void mbrl_binary(int op, const float *a, size_t sa, const float *b, size_t sb, float *out, size_t n) {
    switch (op) {
    case MBRL_ADD: BINARY_LOOPS(x + y) break;
    case MBRL_SUB: BINARY_LOOPS(x - y) break;
    case MBRL_MUL: BINARY_LOOPS(x * y) break;
    case MBRL_DIV: BINARY_LOOPS(x / y) break;
    case MBRL_MIN: BINARY_LOOPS(fminf(x, y)) break;
    case MBRL_MAX: BINARY_LOOPS(fmaxf(x, y)) break;
    default: break;
    }
}

#define UNARY_LOOP(EXPR) MBRL_SAFE_LOOP for (size_t i = 0; i < n; i++) { float v = x[i]; y[i] = (EXPR); } break;

MBRL_CLONES
void mbrl_unary(int op, const float *x, float *y, size_t n, float p0, float p1) {
    switch (op) {
    case MBRL_NEG: UNARY_LOOP(-v)
    case MBRL_EXP: UNARY_LOOP(mbrl_expf(v))
    case MBRL_LOG: UNARY_LOOP(mbrl_logf(v))
    case MBRL_TANH: UNARY_LOOP(mbrl_tanhf(v))
    case MBRL_SIGMOID: UNARY_LOOP(mbrl_sigmoidf(v))
    case MBRL_RELU: UNARY_LOOP(v > 0.0f ? v : 0.0f)
    case MBRL_LEAKY_RELU: UNARY_LOOP(v > 0.0f ? v : p0 * v)
    case MBRL_SILU: UNARY_LOOP(v * mbrl_sigmoidf(v))
    case MBRL_GELU_ERF: UNARY_LOOP(v * mbrl_normal_cdf(v))
    case MBRL_GELU_TANH: UNARY_LOOP(mbrl_gelu_tanh(v))
    case MBRL_SOFTPLUS: UNARY_LOOP(mbrl_softplus(v))
    case MBRL_SQUARE: UNARY_LOOP(v * v)
    case MBRL_SQRT: UNARY_LOOP(mbrl_sqrtf(v))
    case MBRL_CLAMP: UNARY_LOOP(fminf(fmaxf(v, p0), p1))
    default: break;
    }
}

#define BACKWARD_LOOP(EXPR) MBRL_SAFE_LOOP for (size_t i = 0; i < n; i++) { float v = x[i], o = y[i], g = gy[i]; (void)v; (void)o; gx[i] = (EXPR); } break;

MBRL_CLONES
void mbrl_unary_backward(int op, const float *x, const float *y, const float *gy, float *gx,
                         size_t n, float p0, float p1) {
    switch (op) {
    case MBRL_NEG: BACKWARD_LOOP(-g)
    case MBRL_EXP: BACKWARD_LOOP(g * o)
    case MBRL_LOG: BACKWARD_LOOP(g / v)
    case MBRL_TANH: BACKWARD_LOOP(g * (1.0f - o * o))
    case MBRL_SIGMOID: BACKWARD_LOOP(g * o * (1.0f - o))
    case MBRL_RELU: BACKWARD_LOOP(v > 0.0f ? g : 0.0f)
    case MBRL_LEAKY_RELU: BACKWARD_LOOP(v > 0.0f ? g : p0 * g)
    case MBRL_SILU: {
        MBRL_SAFE_LOOP for (size_t i = 0; i < n; i++) {
            float s = mbrl_sigmoidf(x[i]);
            gx[i] = gy[i] * s * (1.0f + x[i] * (1.0f - s));
        }
        break;
    }
    case MBRL_GELU_ERF: {
        // d/dx x Phi(x) = Phi(x) + x phi(x), phi(x) = exp(-x^2/2) / sqrt(2 pi)
        MBRL_SAFE_LOOP for (size_t i = 0; i < n; i++) {
            float v = x[i];
            float pdf = 0.3989422804014327f * mbrl_expf(-0.5f * v * v);
            gx[i] = gy[i] * (mbrl_normal_cdf(v) + v * pdf);
        }
        break;
    }
    case MBRL_GELU_TANH: {
        // f = x s(2u); f' = s + 2 x s (1 - s) u', u' = sqrt(2/pi)(1 + 3c x^2)
        MBRL_SAFE_LOOP for (size_t i = 0; i < n; i++) {
            float v = x[i];
            float u = GELU_K * (v + GELU_C * v * v * v);
            float s = mbrl_sigmoidf(2.0f * u);
            float du = GELU_K * (1.0f + 3.0f * GELU_C * v * v);
            gx[i] = gy[i] * (s + 2.0f * v * s * (1.0f - s) * du);
        }
        break;
    }
    case MBRL_SOFTPLUS: BACKWARD_LOOP(v > 20.0f ? g : g * mbrl_sigmoidf(v))
    case MBRL_SQUARE: BACKWARD_LOOP(2.0f * v * g)
    case MBRL_SQRT: BACKWARD_LOOP(0.5f * g / o)
    case MBRL_CLAMP: BACKWARD_LOOP((v >= p0 && v <= p1) ? g : 0.0f)
    default: break;
    }
}

/// y = v Phi(v) and its derivative Phi(v) + v phi(v), phi(v) = exp(-v^2/2) / sqrt(2 pi).
MBRL_INLINE void gelu_erf_with_derivative(float v, float *y, float *dy) {
    float cdf = mbrl_normal_cdf(v);
    float pdf = 0.3989422804014327f * mbrl_expf(-0.5f * v * v);
    *y = v * cdf;
    *dy = cdf + v * pdf;
}

MBRL_CLONES
void mbrl_gelu_erf_bias_forward(float *x, const float *bias, size_t rows, size_t cols, float *derivative) {
    for (size_t r = 0; r < rows; r++) {
        float *xr = x + r * cols, *dr = derivative + r * cols;
        if (bias) {
            MBRL_SAFE_LOOP for (size_t c = 0; c < cols; c++) gelu_erf_with_derivative(xr[c] + bias[c], xr + c, dr + c);
        } else {
            MBRL_SAFE_LOOP for (size_t c = 0; c < cols; c++) gelu_erf_with_derivative(xr[c], xr + c, dr + c);
        }
    }
}

MBRL_CLONES
void mbrl_softmax_rows(const float *x, float *y, size_t rows, size_t cols, int log) {
    // the row sums may be reassociated (vectorised); the max-shift keeps every term in (0, 1]
#pragma clang fp reassociate(on)
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *yr = y + r * cols;
        float m = -INFINITY;
        for (size_t j = 0; j < cols; j++) m = fmaxf(m, xr[j]);
        if (m == -INFINITY) m = 0.0f;  // an all -inf row stays NaN-free until the division
        float s = 0.0f;
        if (log) {
            for (size_t j = 0; j < cols; j++) s += mbrl_expf(xr[j] - m);
            float lse = m + mbrl_logf(s);
            MBRL_SAFE_LOOP for (size_t j = 0; j < cols; j++) yr[j] = xr[j] - lse;
        } else {
            MBRL_SAFE_LOOP for (size_t j = 0; j < cols; j++) { float e = mbrl_expf(xr[j] - m); yr[j] = e; s += e; }
            float inv = 1.0f / s;
            for (size_t j = 0; j < cols; j++) yr[j] *= inv;
        }
    }
}

MBRL_CLONES
double mbrl_dot_double(const float *a, const float *b, size_t n) {
#pragma clang fp reassociate(on)
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += (double)a[i] * (double)b[i];
    return s;
}
