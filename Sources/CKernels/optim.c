#include "kernel_attributes.h"
#include "OptimizerKernels.h"
#include <math.h>

// sqrt without errno, so the loop vectorises (v >= 0 here; same correctly rounded result as sqrtf).
#if defined(__clang__) && __has_builtin(__builtin_elementwise_sqrt)
#define MBRL_SQRT(x) __builtin_elementwise_sqrt(x)
#else
#define MBRL_SQRT(x) sqrtf(x)
#endif

MBRL_CLONES
void mbrl_adam_update(float *restrict param, const float *restrict grad, float *restrict m,
                      float *restrict v, size_t n, float lr, float beta1, float beta2, float eps,
                      float weight_decay, int decoupled, float bias1, float bias2) {
    const float step = lr / bias1;
    const float inv_sqrt_bias2 = 1.0f / sqrtf(bias2);
    const float decay = decoupled ? (1.0f - lr * weight_decay) : 1.0f;
    const float l2 = decoupled ? 0.0f : weight_decay;
    for (size_t i = 0; i < n; i++) {
        float g = grad[i] + l2 * param[i];
        float mi = beta1 * m[i] + (1.0f - beta1) * g;
        float vi = beta2 * v[i] + (1.0f - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        param[i] = param[i] * decay - step * mi / (MBRL_SQRT(vi) * inv_sqrt_bias2 + eps);
    }
}
