#include "kernel_attributes.h"
#include "RandomKernels.h"
#include <math.h>

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t next(uint64_t *s) {
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t; s[3] = rotl(s[3], 45);
    return result;
}

/// ln(x) for x in (0, 1]: x = m·2^e with m in [1/√2, √2), ln m by an odd series in (m-1)/(m+1).
static inline float fast_log(float x) {
    union { float f; uint32_t i; } u = { x };
    int e = (int)((u.i >> 23) & 0xff) - 127;
    u.i = (u.i & 0x007fffff) | 0x3f800000;          // m in [1, 2)
    float m = u.f;
    float adjust = m > 1.41421356f ? 1.0f : 0.0f;
    m = adjust > 0 ? m * 0.5f : m;
    float ef = (float)e + adjust;
    float s = (m - 1.0f) / (m + 1.0f), s2 = s * s;
    float p = s * (2.0f + s2 * (0.666666667f + s2 * (0.4f + s2 * (0.285714286f + s2 * (0.222222222f + s2 * 0.181818182f)))));
    return p + ef * 0.69314718056f;
}

/// sin and cos of t·2π for t in [0, 1): reduce to [-π/4, π/4] by octant-free quarter turns.
static inline void fast_sincos_turns(float t, float *sine, float *cosine) {
    float q = t * 4.0f;                              // quarter turns in [0, 4)
    float k = (float)(int)(q + 0.5f);                // nearest quarter
    float x = (q - k) * 1.57079632679f;              // in [-π/4, π/4]
    int quadrant = ((int)k) & 3;
    float x2 = x * x;
    float s = x * (1.0f + x2 * (-0.166666667f + x2 * (0.00833333333f + x2 * (-0.000198412698f + x2 * 2.75573192e-6f))));
    float c = 1.0f + x2 * (-0.5f + x2 * (0.0416666667f + x2 * (-0.00138888889f + x2 * (2.48015873e-5f - x2 * 2.75573192e-7f))));
    float sn = quadrant == 0 ? s : quadrant == 1 ? c : quadrant == 2 ? -s : -c;
    float cs = quadrant == 0 ? c : quadrant == 1 ? -s : quadrant == 2 ? -c : s;
    *sine = sn; *cosine = cs;
}

MBRL_CLONES
static void box_muller(float *restrict out, const uint32_t *restrict bits, size_t pairs) {
    for (size_t i = 0; i < pairs; i++) {
        // u1 in (0, 1], u2 in [0, 1), 24 bits each
        float u1 = ((float)(bits[2 * i] >> 8) + 1.0f) * (1.0f / 16777216.0f);
        float u2 = (float)(bits[2 * i + 1] >> 8) * (1.0f / 16777216.0f);
        float r = sqrtf(-2.0f * fast_log(u1));
        float s, c;
        fast_sincos_turns(u2, &s, &c);
        out[2 * i] = r * c;
        out[2 * i + 1] = r * s;
    }
}

void mbrl_fill_normal(float *out, size_t n, uint64_t *state) {
    enum { CHUNK = 256 };
    uint32_t bits[2 * CHUNK];
    float tail[2];
    size_t done = 0;
    while (done < n) {
        size_t pairs = (n - done + 1) / 2;
        if (pairs > CHUNK) pairs = CHUNK;
        for (size_t i = 0; i < pairs; i++) {
            uint64_t r = next(state);
            bits[2 * i] = (uint32_t)(r >> 32);
            bits[2 * i + 1] = (uint32_t)r;
        }
        if (done + 2 * pairs <= n) {
            box_muller(out + done, bits, pairs);
            done += 2 * pairs;
        } else {                                      // odd tail: last pair into a scratch
            if (pairs > 1) box_muller(out + done, bits, pairs - 1);
            done += 2 * (pairs - 1);
            box_muller(tail, bits + 2 * (pairs - 1), 1);
            out[done++] = tail[0];
        }
    }
}
