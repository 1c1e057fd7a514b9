#ifndef MBRL_FASTMATH_H
#define MBRL_FASTMATH_H
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
static inline __attribute__((always_inline)) float mbrl_cephes_expf(float x) {
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

#endif
