#ifndef MBRL_ATTENTION_KERNELS_H
#define MBRL_ATTENTION_KERNELS_H
#include <stddef.h>
#include <stdint.h>

/// Kernels of the causal transformer backbone (WorldModels/Sequence/Transformer):
/// the masked softmax of fused causal attention and its backward, and the
/// single-query attention of the key/value-cache decode step. Each is
/// compiled for x86-64-v4, -v3 and the baseline with target_clones.

/// Causal, segment-masked softmax of one [T, T] score matrix, in place:
/// row i keeps columns j in [start_i, i] (start_i = starts[i], or 0 when
/// `starts` is NULL) and gets p_ij = exp(s_ij − m) / Σ exp(s_ik − m) there,
/// 0 elsewhere.
void mbrl_attention_softmax(float *scores, size_t t, const int32_t *starts);

/// Softmax backward over one [T, T] block, in place on `dprobs`:
/// ds_ij = scale · p_ij · (dp_ij − Σ_k dp_ik p_ik). Masked entries (p = 0) give 0; the
/// block is causal (p_ij = 0 for j > i): those entries of dprobs are not read and are set to 0.
void mbrl_attention_softmax_backward(const float *probs, float *dprobs, size_t t, float scale);

/// Floats of scratch `mbrl_attention_head_forward` / `_backward` need for T = `t`, dh = `dh`.
size_t mbrl_attention_head_scratch(size_t t, size_t dh);

/// Causal attention of one (batch, head) block: q, k, v are [t, dh] with row stride `ld`
/// (views into a packed [t, 3d] projection); S = scale·q·kᵀ, p = `mbrl_attention_softmax`(S,
/// `starts`) written to `probs` [t, t] (kept for the backward pass), out [t, dh] (row stride
/// `ldo`) = p·v. Register-blocked products instead of per-block GEMM calls; `scratch` holds
/// `mbrl_attention_head_scratch(t, dh)` floats.
void mbrl_attention_head_forward(const float *q, const float *k, const float *v, size_t ld, size_t t, size_t dh,
                                 float scale, const int32_t *starts, float *probs, float *out, size_t ldo, float *scratch);

/// Backward of `mbrl_attention_head_forward` given g = ∂L/∂out [t, dh] (row stride `ldg`)
/// and its `probs`: dP = g·vᵀ, dv = pᵀ·g, dS = `mbrl_attention_softmax_backward`(p, dP, scale),
/// dq = dS·k, dk = dSᵀ·q, written (not accumulated) to dq, dk, dv [t, dh] with row stride `ld`.
void mbrl_attention_head_backward(const float *q, const float *k, const float *v, size_t ld, const float *g, size_t ldg,
                                  const float *probs, size_t t, size_t dh, float scale,
                                  float *dq, float *dk, float *dv, float *scratch);

/// One decode step of multi-head attention against a key/value cache:
/// for each row r and head h, the query q[r, h·dh ..] attends to the `length`
/// cached keys keys[r, j, h·dh ..] (j < length; order irrelevant), softmax of
/// scale·q·k, and out[r, h·dh ..] = Σ_j p_j values[r, j, h·dh ..].
/// q has row stride `q_stride`; keys/values are [rows, capacity, d]; out is [rows, d].
/// `scratch` holds at least `length` floats.
void mbrl_attention_decode(const float *q, size_t q_stride, const float *keys, const float *values,
                           float *out, size_t rows, size_t heads, size_t head_size,
                           size_t capacity, size_t length, float scale, float *scratch);

/// Process-wide glibc malloc setting (mallopt): serve allocations up to
/// `mmap_threshold` bytes from the heap and keep up to `trim_threshold` bytes of
/// freed heap instead of returning it to the kernel, so the large per-step
/// activation tensors of a training step are not page-faulted in again every
/// step. Returns 1 on success, 0 when unsupported (non-glibc). Global state:
/// call it from a program's entry point or a benchmark, not from library code.
int mbrl_malloc_keep_freed_memory(int mmap_threshold, int trim_threshold);
#endif
