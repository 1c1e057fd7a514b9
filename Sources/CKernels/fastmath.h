#ifndef MBRL_FASTMATH_H
#define MBRL_FASTMATH_H
#include "kernel_attributes.h"
// Private to the CKernels target: the polynomial exp shared by the kernels, so
// loops that call it vectorise (no libm calls) and every kernel computes the
// same function.
#include <math.h>
#include <stdint.h>
#include <string.h>

/// exp(x): Cephes expf. x = n ln2 + r with |r| <= ln2/2 (n rounded with the
/// 1.5·2^23 trick, which vectorises without SSE4.1), e^r by a degree-7
/// polynomial (≤ 2 ulp for normal results), 2^n through the exponent bits.
/// x > 88.72 gives +inf, x < -87.3 gives 0.
MBRL_INLINE float mbrl_cephes_expf(float x) {
    float xc = fminf(fmaxf(x, -87.3f), 88.3762626647949f);
    float n = (xc * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    float r = xc - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float z = r * r;
    float p = 1.9875691500E-4f;
    p = p * r + 1.3981999507E-3f;
    p = p * r + 8.3334519073E-3f;
    p = p * r + 4.1665795894E-2f;
    p = p * r + 1.6666665459E-1f;
    p = p * r + 5.0000001201E-1f;
    p = p * z + r + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    float result = p * scale;
    result = x > 88.72283905f ? INFINITY : result;
    result = x < -87.3f ? 0.0f : result;
    return result;
}

/// log(m · 2^e) for a mantissa m in [0.5, 1) and its exponent e: the Cephes logf
/// core. m is moved to [sqrt(1/2), sqrt(2)) (adjusting e), log(1 + f) comes from a
/// degree-9 polynomial, and e·ln2 is added in two parts. Callers split x into
/// (m, e) and handle special values.
MBRL_INLINE float mbrl_cephes_log_reduced(float m, int32_t e) {
    int small = m < 0.707106781186547524f;
    e = small ? e - 1 : e;
    m = small ? m + m - 1.0f : m - 1.0f;
    float z = m * m;
    float y = 7.0376836292E-2f;
    y = y * m - 1.1514610310E-1f;
    y = y * m + 1.1676998740E-1f;
    y = y * m - 1.2420140846E-1f;
    y = y * m + 1.4249322787E-1f;
    y = y * m - 1.6668057665E-1f;
    y = y * m + 2.0000714765E-1f;
    y = y * m - 2.4999993993E-1f;
    y = y * m + 3.3333331174E-1f;
    y = y * m * z;
    float fe = (float)e;
    y += -2.12194440e-4f * fe;
    y += -0.5f * z;
    return m + y + 0.693359375f * fe;
}

/// log(x) for a positive normal x (no special values: 0, subnormals, inf and NaN
/// are the caller's to exclude): x split into mantissa and exponent by its bits,
/// then the Cephes core above.
MBRL_INLINE float mbrl_cephes_logf_normal(float x) {
    int32_t ix;
    memcpy(&ix, &x, sizeof ix);
    int32_t e = ((ix >> 23) & 0xff) - 126;
    ix = (ix & 0x007fffff) | 0x3f000000;  // mantissa in [0.5, 1)
    float m;
    memcpy(&m, &ix, sizeof m);
    return mbrl_cephes_log_reduced(m, e);
}

/// tanh(x): the Cephes odd polynomial for |x| < 0.625, else 1 − 2 / (e^{2|x|} + 1)
/// with the sign restored (≤ ~2 ulp; saturates to ±1 for large |x|).
MBRL_INLINE float mbrl_cephes_tanhf(float x) {
    float a = fabsf(x);
    float z = x * x;
    float p = -5.70498872745e-3f;
    p = p * z + 2.06390887954e-2f;
    p = p * z - 5.37397155531e-2f;
    p = p * z + 1.33314422036e-1f;
    p = p * z - 3.33332819422e-1f;
    float small = p * z * x + x;
    float big = 1.0f - 2.0f / (mbrl_cephes_expf(2.0f * a) + 1.0f);
    big = x < 0.0f ? -big : big;
    return a < 0.625f ? small : big;
}

/// tanh(x) as the element-wise ops and the GRU gates compute it: the same odd
/// polynomial for |x| < 0.625, else (1 − e^{−2|x|}) / (1 + e^{−2|x|}) with the
/// sign restored.
MBRL_INLINE float mbrl_cephes_tanhf_ratio(float x) {
    float ax = fabsf(x);
    float z = x * x;
    float poly = ((((-5.70498872745E-3f * z + 2.06390887954E-2f) * z - 5.37397155531E-2f) * z
                   + 1.33314422036E-1f) * z - 3.33332819422E-1f) * z * x + x;
    float e = mbrl_cephes_expf(-2.0f * ax);
    float big = (1.0f - e) / (1.0f + e);
    big = x < 0.0f ? -big : big;
    return ax < 0.625f ? poly : big;
}
#endif
