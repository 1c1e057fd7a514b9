// Causal attention of one (batch, head) block, forward and backward; see include/AttentionKernels.h.
//
// Three register-blocked products cover the six matrix products of causal attention
// (S = Q·Kᵀ, O = P·V; dP = G·Vᵀ, dV = Pᵀ·G, dQ = dS·K, dK = dSᵀ·Q) at T ≲ 100, dh ≲ 64,
// where one cblas_sgemm call per product and causal block costs more than the flops:
// each keeps an 8-row × 16-column accumulator tile in registers (8 AVX-512 vectors: enough
// independent FMA chains to fill both FMA pipes) and reads its right-hand operand from a zero-padded scratch copy,
// so every inner loop has a fixed width and no tail.
#include "kernel_attributes.h"
#include "AttentionKernels.h"

#define LANES 16
#define ROWS 8

/// 16 floats as one value (one AVX-512 register, two AVX2 ones): the accumulator tiles are
/// arrays of these, which clang keeps in registers (a plain float[8][16] tile spilled).
typedef float lanes_t __attribute__((vector_size(LANES * sizeof(float))));
/// The same, for loads and stores at any float alignment.
typedef float lanes_unaligned_t __attribute__((vector_size(LANES * sizeof(float)), aligned(sizeof(float))));

/// The LANES floats at p (any float alignment). Macros, not functions: a vector argument or
/// result in the baseline clone (no AVX) would change the ABI.
#define LOAD_LANES(p) (*(const lanes_unaligned_t *)(p))

/// Stores the first w ≤ LANES lanes of v at dst.
#define STORE_LANES(dst, v, w)                                                   \
    do {                                                                         \
        const lanes_t v_ = (v);                                                  \
        if ((w) == LANES) *(lanes_unaligned_t *)(dst) = v_;                      \
        else for (size_t u_ = 0; u_ < (w); u_++) (dst)[u_] = v_[u_];             \
    } while (0)

MBRL_INLINE size_t round_up(size_t n) { return (n + LANES - 1) / LANES * LANES; }
MBRL_INLINE size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

size_t mbrl_attention_head_scratch(size_t t, size_t dh) {
    return t * t + dh * round_up(t) + t * round_up(dh);
}

/// yt[c, j] = y[j, c] for j < t (row stride ldy), zero for t ≤ j < tp: [dh, tp].
MBRL_INLINE void transpose_padded(const float *y, size_t ldy, size_t t, size_t dh, size_t tp, float *yt) {
    for (size_t c = 0; c < dh; c++) {
        float *row = yt + c * tp;
        for (size_t j = 0; j < t; j++) row[j] = y[j * ldy + c];
        for (size_t j = t; j < tp; j++) row[j] = 0.0f;
    }
}

/// zp[j, c] = z[j, c] for c < dh (row stride ldz), zero for dh ≤ c < dhp: [t, dhp].
MBRL_INLINE void copy_padded(const float *z, size_t ldz, size_t t, size_t dh, size_t dhp, float *zp) {
    for (size_t j = 0; j < t; j++) {
        // one select loop, not memcpy + fill: clang would turn a plain copy loop back into a
        // libc memcpy call, which for dh = 32 floats costs more than the copy
        for (size_t c = 0; c < dhp; c++) zp[j * dhp + c] = c < dh ? z[j * ldz + c] : 0.0f;
    }
}

/// s[i, j] = alpha · Σ_c x[i, c] · yt[c, j] for i < t and every j < i + 1 (s: [t, t]; the
/// columns up to the tile's end beyond i are written too, with finite values).
MBRL_INLINE void causal_scores(const float *x, size_t ldx, const float *yt, size_t tp, size_t t, size_t dh,
                               float alpha, float *s) {
    for (size_t i0 = 0; i0 < t; i0 += ROWS) {
        const size_t rows = min_size(ROWS, t - i0);
        const float *xr[ROWS];
        for (size_t r = 0; r < ROWS; r++) xr[r] = x + min_size(i0 + r, t - 1) * ldx;
        for (size_t j0 = 0; j0 < i0 + rows; j0 += LANES) {
            lanes_t acc[ROWS] = {0};
            for (size_t c = 0; c < dh; c++) {
                const lanes_t y = LOAD_LANES(yt + c * tp + j0);
                for (size_t r = 0; r < ROWS; r++) acc[r] += xr[r][c] * y;
            }
            const size_t w = min_size(LANES, t - j0);
            for (size_t r = 0; r < rows; r++) STORE_LANES(s + (i0 + r) * t + j0, alpha * acc[r], w);
        }
    }
}

/// o[i, c] = Σ_{j ≤ i} p[i, j] · zp[j, c] for p [t, t] lower triangular (zero above the
/// diagonal), zp [t, dhp]; o has row stride ldo and dh columns.
MBRL_INLINE void lower_product(const float *p, size_t t, const float *zp, size_t dh, size_t dhp, float *o, size_t ldo) {
    for (size_t i0 = 0; i0 < t; i0 += ROWS) {
        const size_t rows = min_size(ROWS, t - i0), jend = i0 + rows;
        const float *pr[ROWS];
        for (size_t r = 0; r < ROWS; r++) pr[r] = p + min_size(i0 + r, t - 1) * t;
        for (size_t c0 = 0; c0 < dhp; c0 += LANES) {
            lanes_t acc[ROWS] = {0};
            for (size_t j = 0; j < jend; j++) {
                const lanes_t z = LOAD_LANES(zp + j * dhp + c0);
                for (size_t r = 0; r < ROWS; r++) acc[r] += pr[r][j] * z;
            }
            const size_t w = min_size(LANES, dh - c0);
            for (size_t r = 0; r < rows; r++) STORE_LANES(o + (i0 + r) * ldo + c0, acc[r], w);
        }
    }
}

/// o[j, c] = Σ_{i ≥ j} p[i, j] · zp[i, c] (pᵀ·z) for p [t, t] lower triangular, zp [t, dhp];
/// o has row stride ldo and dh columns.
MBRL_INLINE void upper_product(const float *p, size_t t, const float *zp, size_t dh, size_t dhp, float *o, size_t ldo) {
    for (size_t j0 = 0; j0 < t; j0 += ROWS) {
        const size_t rows = min_size(ROWS, t - j0);
        size_t col[ROWS];
        for (size_t r = 0; r < ROWS; r++) col[r] = min_size(j0 + r, t - 1);
        for (size_t c0 = 0; c0 < dhp; c0 += LANES) {
            lanes_t acc[ROWS] = {0};
            for (size_t i = j0; i < t; i++) {
                const lanes_t z = LOAD_LANES(zp + i * dhp + c0);
                const float *pi = p + i * t;
                for (size_t r = 0; r < ROWS; r++) acc[r] += pi[col[r]] * z;
            }
            const size_t w = min_size(LANES, dh - c0);
            for (size_t r = 0; r < rows; r++) STORE_LANES(o + (j0 + r) * ldo + c0, acc[r], w);
        }
    }
}

MBRL_CLONES
void mbrl_attention_head_forward(const float *q, const float *k, const float *v, size_t ld, size_t t, size_t dh,
                                 float scale, const int32_t *starts, float *probs, float *out, size_t ldo, float *scratch) {
    const size_t tp = round_up(t), dhp = round_up(dh);
    float *kt = scratch + t * t, *vp = kt + dh * tp;
    transpose_padded(k, ld, t, dh, tp, kt);
    causal_scores(q, ld, kt, tp, t, dh, scale, probs);
    mbrl_attention_softmax(probs, t, starts);
    copy_padded(v, ld, t, dh, dhp, vp);
    lower_product(probs, t, vp, dh, dhp, out, ldo);
}

MBRL_CLONES
void mbrl_attention_head_backward(const float *q, const float *k, const float *v, size_t ld, const float *g, size_t ldg,
                                  const float *probs, size_t t, size_t dh, float scale,
                                  float *dq, float *dk, float *dv, float *scratch) {
    const size_t tp = round_up(t), dhp = round_up(dh);
    float *dp = scratch, *vt = scratch + t * t, *zp = vt + dh * tp;
    transpose_padded(v, ld, t, dh, tp, vt);
    causal_scores(g, ldg, vt, tp, t, dh, 1.0f, dp);          // dP = G·Vᵀ
    copy_padded(g, ldg, t, dh, dhp, zp);
    upper_product(probs, t, zp, dh, dhp, dv, ld);            // dV = Pᵀ·G
    mbrl_attention_softmax_backward(probs, dp, t, scale);    // dS, zero above the diagonal
    copy_padded(k, ld, t, dh, dhp, zp);
    lower_product(dp, t, zp, dh, dhp, dq, ld);               // dQ = dS·K
    copy_padded(q, ld, t, dh, dhp, zp);
    upper_product(dp, t, zp, dh, dhp, dk, ld);               // dK = dSᵀ·Q
}
