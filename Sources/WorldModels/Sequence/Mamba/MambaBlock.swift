import Foundation
import NN
import SeededRandom
import TensorCore

/// One pre-norm residual Mamba block (Gu & Dao 2023, "Mamba: Linear-Time
/// Sequence Modeling with Selective State Spaces", Fig. 3), written as
/// `torch_bench.MambaBlock` with the same parameter names and initialisation:
///
///     [x_i, z]   = in_proj(LayerNorm(x))                 x_i, z ∈ ℝ^{d_inner}, d_inner = expand·d
///     x_s        = SiLU(conv(x_i))                        causal depthwise conv, d_conv taps
///     [δ, B, C]  = x_proj(x_s)                            δ ∈ ℝ^{dt_rank}, B, C ∈ ℝ^{d_state}
///     Δ          = softplus(dt_proj(δ))
///     y          = scan(x_s, Δ, A = −exp(A_log), B, C, D)  selective scan (``SelectiveScan``)
///     out        = x + out_proj(y ⊙ SiLU(z))
///
/// Parameters: `norm.weight`, `norm.bias` [d]; `in_proj.weight` [2·d_inner, d];
/// `conv.weight` [d_inner, 1, d_conv], `conv.bias` [d_inner]; `x_proj.weight`
/// [dt_rank + 2·d_state, d_inner]; `dt_proj.weight` [d_inner, dt_rank],
/// `dt_proj.bias` [d_inner]; `A_log` [d_inner, d_state] = log(n+1); `D`
/// [d_inner] = 1; `out_proj.weight` [d, d_inner]. Linear and conv weights take
/// PyTorch's default U(±1/√fan_in).
///
/// **Δ init** (`dtInitRange`): nil keeps torch_bench's default `dt_proj.bias`
/// ~ U(±1/√dt_rank), so Δ = softplus(·) ≈ 0.3–1.3 and the slowest state
/// (A = −1) keeps only e^{−Δ} ≈ 0.3–0.7 per step: a memory of a few steps.
/// A range (dt_min, dt_max) sets the bias as the Mamba reference
/// (`mamba_simple.py`, `dt_init`): Δ₀ ~ logU(dt_min, dt_max) per channel
/// (floored at 1e-4), bias = softplus⁻¹(Δ₀) = Δ₀ + log(1 − e^{−Δ₀}); the
/// reference's range (1e-3, 1e-1) lets the slow states keep e^{−0.1} or more
/// per step (~10–1000 steps of memory). The weight keeps U(±1/√dt_rank),
/// which is also the reference's `dt_init = "random"` with `dt_scale` 1.
///
/// **A init** (`stateDecayInit`): nil is S4D-Real's `A_log` = log(n+1) (A_n =
/// −(n+1): only the first states of a channel decay slowly); a value a sets
/// every A = −a, so with Δ ~ 1 each state keeps e^{−aΔ} per step and admits
/// the input with gain ≈ Δ (the memory gain of a state is ≈ Δ·e^{−aΔ·lag},
/// so a small a with a large Δ remembers as long as a = 1 with a small Δ, at a
/// larger gain). Measured at init (one block, d 32, N 16, Gaussian inputs):
/// the effect of step 0's input on the features 19 steps later, relative to
/// its effect at step 0, is ~2e-7 (default Δ), ~7e-6 (Δ₀ ~ logU(1e-3, 1e-1))
/// and ~4e-3 (a = 0.02, Δ₀ ~ logU(0.5, 2)).
///
/// **No weight decay** on `A_log`, `D` and `dt_proj.bias` (`exemptFromWeightDecay`,
/// as the reference's `_no_weight_decay`): their zero is not "off" but a
/// timescale (A = −1, Δ = softplus(0) ≈ 0.69). Adam's L2 term λθ is rescaled
/// like any gradient, so where the loss gradient is weak it drifts the
/// parameter towards 0 at ≈ lr per step whatever λ: on the T-maze (λ 5e-5,
/// Adam 1e-3) every A went from −0.02 to −0.57 and Δ from 1.2 to 0.74 in 4500
/// steps — a memory of ~2 steps instead of ~50 — and the probe stayed at chance.
///
/// Parallel form: the projections are GEMMs over all B·T rows, the conv and the
/// scan are one tape op each over the C kernels (reset masks cut both); the
/// recurrent form carries a conv window [rows, d_inner, d_conv−1] and an SSM
/// state [rows, d_inner, d_state]. Cost per step and row ≈ 2·d·3·d_inner +
/// 2·d_inner·(dt_rank + 2·d_state) + 2·dt_rank·d_inner flops of GEMM plus
/// ~5·d_inner·d_state for the scan (×≈3 with backward).
public final class MambaBlock: ResidualSequenceBlock {
    public let modelSize: Int, innerSize: Int, stateSize: Int, convSize: Int, dtRank: Int
    public let norm: LayerNorm
    public let inProj: Linear, xProj: Linear, dtProj: Linear, outProj: Linear
    /// `conv.weight` [d_inner, 1, d_conv] and `conv.bias` [d_inner].
    public let convWeight: Parameter, convBias: Parameter
    /// `A_log` [d_inner, d_state] and `D` [d_inner].
    public let aLog: Parameter, dSkip: Parameter

    public init(modelSize d: Int, stateSize n: Int = 16, expand: Int = 2, convSize k: Int = 4, dtRank: Int? = nil,
                dtInitRange: ClosedRange<Float>? = nil, stateDecayInit: Float? = nil, generator: inout SeededGenerator) {
        let rank = dtRank ?? (d + 15) / 16
        precondition(d > 0 && n > 0 && expand > 0 && k > 0 && rank > 0,
                     "MambaBlock: sizes must be positive, got d_model \(d), d_state \(n), expand \(expand), d_conv \(k), dt_rank \(rank)")
        let di = expand * d
        (modelSize, innerSize, stateSize, convSize, self.dtRank) = (d, di, n, k, rank)
        norm = LayerNorm(size: d)
        inProj = Linear(inputSize: d, outputSize: 2 * di, bias: false, generator: &generator)
        let bound = 1 / Float(k).squareRoot()  // Conv1d fan_in = in_channels/groups · k = k
        convWeight = Parameter(Tensor(shape: [di, 1, k], uniformLow: -bound, high: bound, generator: &generator))
        convBias = Parameter(Tensor(shape: [di], uniformLow: -bound, high: bound, generator: &generator))
        xProj = Linear(inputSize: di, outputSize: rank + 2 * n, bias: false, generator: &generator)
        dtProj = Linear(inputSize: rank, outputSize: di, generator: &generator)
        dtProj.bias!.exemptFromWeightDecay = true  // log-scale, like A_log: decay would pull Δ towards softplus(0)
        if let range = dtInitRange {
            precondition(range.lowerBound > 0, "MambaBlock: dtInitRange must be positive, got \(range)")
            let (lo, hi) = (Foundation.log(range.lowerBound), Foundation.log(range.upperBound))
            for i in 0..<di {
                let dt = max(Foundation.exp(generator.uniform(lo, hi)), 1e-4)
                dtProj.bias!.value.scalars[i] = dt + Foundation.log(-Foundation.expm1(-dt))
            }
        }
        if let a = stateDecayInit {
            precondition(a > 0, "MambaBlock: stateDecayInit must be positive, got \(a)")
            aLog = Parameter(Tensor(shape: [di, n], repeating: Foundation.log(a)), exemptFromWeightDecay: true)
        } else {
            aLog = Parameter(Tensor(shape: [di, n], scalars: (0..<di * n).map { Float(log(Double($0 % n + 1))) }),
                             exemptFromWeightDecay: true)
        }
        dSkip = Parameter(Tensor(shape: [di], repeating: 1), exemptFromWeightDecay: true)
        outProj = Linear(inputSize: di, outputSize: d, bias: false, generator: &generator)
    }

    public func namedParameters() -> [(String, Parameter)] {
        prefixed("norm", norm) + prefixed("in_proj", inProj) + [("conv.weight", convWeight), ("conv.bias", convBias)]
            + prefixed("x_proj", xProj) + prefixed("dt_proj", dtProj) + [("A_log", aLog), ("D", dSkip)]
            + prefixed("out_proj", outProj)
    }

    /// Parallel, differentiable: `[B, T, d]` → `[B, T, d]`.
    public func callAsFunction(_ x: Variable, resetMask: Tensor?) -> Variable {
        let tape = x.tape
        let (di, n) = (innerSize, stateSize)
        // in_proj as two GEMMs over row slices of its weight (no copies of the wide activation).
        let xn = norm.fused(x)
        let wIn = tape.variable(inProj.weight).split(sizes: [di, di], axis: 0)
        let (xi, z) = (fusedAffine(xn, weight: wIn[0], bias: nil), fusedAffine(xn, weight: wIn[1], bias: nil))
        let xs = SequenceKernelOps.causalConv(xi, weight: tape.variable(convWeight), bias: tape.variable(convBias),
                                              reset: resetMask).silu()
        let dbc = xProj.fused(xs).split(sizes: [dtRank, n, n], axis: 2)  // narrow: the copies are cheap
        let delta = dtProj.fused(dbc[0]).softplus()
        let a = tape.variable(aLog).exp() * -1
        let y = SequenceKernelOps.selectiveScan(u: xs, delta: delta, A: a, B: dbc[1], C: dbc[2], D: tape.variable(dSkip),
                                                reset: resetMask)
        return x + outProj.fused(y * z.silu())
    }

    /// One recurrent step without a tape: `x` [rows, d] → [rows, d]; `conv`
    /// [rows, d_inner, d_conv−1] and `ssm` [rows, d_inner, d_state] advance in place.
    public func step(_ x: Tensor, conv: inout Tensor, ssm: inout Tensor) -> Tensor {
        let rows = x.shape[0]
        let (di, n) = (innerSize, stateSize)
        let xz = inProj(norm(x)).split(sizes: [di, di], axis: 1)
        var xc = Tensor(uninitializedShape: [rows, di])
        let convOp = CausalDepthwiseConv1D(batch: rows, length: 1, channels: di, kernelSize: convSize)
        withBuffers([xz[0], convWeight.value, convBias.value]) { p in
            conv.withUnsafeMutableBufferPointer { ps in
                xc.withUnsafeMutableBufferPointer { convOp.step(x: p[0], weight: p[1], bias: p[2], state: ps, y: $0) }
            }
        }
        let xs = xc.silu()
        let dbc = xProj(xs).split(sizes: [dtRank, n, n], axis: 1)
        let delta = dtProj(dbc[0]).softplus()
        let a = aLog.value.exp() * -1
        var y = Tensor(uninitializedShape: [rows, di])
        let scan = SelectiveScan(batch: rows, length: 1, channels: di, stateSize: n)
        withBuffers([xs, delta, a, dbc[1], dbc[2], dSkip.value]) { p in
            ssm.withUnsafeMutableBufferPointer { ps in
                y.withUnsafeMutableBufferPointer { scan.step(u: p[0], delta: p[1], A: p[2], B: p[3], C: p[4], D: p[5], state: ps, y: $0) }
            }
        }
        return x + outProj(y * xz[1].silu())
    }
}
