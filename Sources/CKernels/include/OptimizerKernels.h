#ifndef MBRL_OPTIMIZER_KERNELS_H
#define MBRL_OPTIMIZER_KERNELS_H
#include <stddef.h>

/// One Adam / AdamW update over n contiguous parameters (Kingma & Ba 2015;
/// Loshchilov & Hutter 2019), exactly as torch.optim.Adam / AdamW (eps added
/// after the square root of the bias-corrected second moment):
///   g  = grad (+ weight_decay * param        if !decoupled, Adam's L2 form)
///   param *= (1 - lr * weight_decay)          if decoupled (AdamW)
///   m  = beta1 m + (1 - beta1) g
///   v  = beta2 v + (1 - beta2) g^2
///   param -= lr * (m / bias1) / (sqrt(v / bias2) + eps)
/// bias1 = 1 - beta1^t, bias2 = 1 - beta2^t for step t (1-based).
void mbrl_adam_update(float *param, const float *grad, float *m, float *v, size_t n,
                      float lr, float beta1, float beta2, float eps, float weight_decay,
                      int decoupled, float bias1, float bias2);
#endif
