// GRU gate kernels. See include/GRUKernels.h.
#include "kernel_attributes.h"
#include "fastmath.h"
#include "GRUKernels.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

// Cephes expf (fastmath.h), inlined here.
MBRL_INLINE float gru_expf(float x) { return mbrl_cephes_expf(x); }

MBRL_INLINE float gru_sigmoidf(float x) { return 1.0f / (1.0f + gru_expf(-x)); }

/// tanh of fastmath.h (polynomial near 0, exp ratio elsewhere).
MBRL_INLINE float gru_tanhf(float x) { return mbrl_cephes_tanhf_ratio(x); }

MBRL_CLONES
void mbrl_gru_forward_gates(size_t rows, size_t H,
                            const float *gi, size_t gi_stride, const float *b_ih,
                            const float *gh, size_t gh_stride, const float *b_hh,
                            const float *h_prev, size_t h_prev_stride,
                            float *h, size_t h_stride,
                            float *cache, size_t cache_stride) {
    for (size_t b = 0; b < rows; b++) {
        const float *xi = gi + b * gi_stride, *hh = gh + b * gh_stride, *hp = h_prev + b * h_prev_stride;
        float *out = h + b * h_stride;
        if (cache) {
            float *c = cache + b * cache_stride;
            MBRL_SAFE_LOOP
            for (size_t j = 0; j < H; j++) {
                float r = gru_sigmoidf(xi[j] + b_ih[j] + hh[j] + b_hh[j]);
                float z = gru_sigmoidf(xi[H + j] + b_ih[H + j] + hh[H + j] + b_hh[H + j]);
                float m = hh[2 * H + j] + b_hh[2 * H + j];
                float n = gru_tanhf(xi[2 * H + j] + b_ih[2 * H + j] + r * m);
                c[j] = r; c[H + j] = z; c[2 * H + j] = n; c[3 * H + j] = m;
                out[j] = n + z * (hp[j] - n);
            }
        } else {
            MBRL_SAFE_LOOP
            for (size_t j = 0; j < H; j++) {
                float r = gru_sigmoidf(xi[j] + b_ih[j] + hh[j] + b_hh[j]);
                float z = gru_sigmoidf(xi[H + j] + b_ih[H + j] + hh[H + j] + b_hh[H + j]);
                float m = hh[2 * H + j] + b_hh[2 * H + j];
                float n = gru_tanhf(xi[2 * H + j] + b_ih[2 * H + j] + r * m);
                out[j] = n + z * (hp[j] - n);
            }
        }
    }
}

MBRL_CLONES
void mbrl_gru_backward_gates(size_t rows, size_t H,
                             const float *dy, size_t dy_stride,
                             float *carry, size_t carry_stride,
                             const float *cache, size_t cache_stride,
                             const float *h_prev, size_t h_prev_stride,
                             float *dgi, size_t dgi_stride,
                             float *dgh, size_t dgh_stride) {
    for (size_t b = 0; b < rows; b++) {
        const float *g = dy + b * dy_stride, *c = cache + b * cache_stride, *hp = h_prev + b * h_prev_stride;
        float *cr = carry + b * carry_stride, *di = dgi + b * dgi_stride, *dh_ = dgh + b * dgh_stride;
        MBRL_SAFE_LOOP
        for (size_t j = 0; j < H; j++) {
            float r = c[j], z = c[H + j], n = c[2 * H + j], m = c[3 * H + j];
            float dh = g[j] + cr[j];
            float dan = dh * (1.0f - z) * (1.0f - n * n);
            float daz = dh * (hp[j] - n) * z * (1.0f - z);
            float dar = dan * m * r * (1.0f - r);
            di[j] = dar; di[H + j] = daz; di[2 * H + j] = dan;
            dh_[j] = dar; dh_[H + j] = daz; dh_[2 * H + j] = dan * r;
            cr[j] = dh * z;
        }
    }
}
