import CBLAS
import CKernels
import NN
import TensorCore

/// The buffers of one fused GRU layer over a `[batch, time, ·]` window, and
/// its forward and backward-through-time passes (PyTorch `nn.GRU` equations,
/// see ``GRUBackbone``).
///
/// Layout (all batch-first, row `b·T + t`): `projections` `[B·T, 3H]` holds
/// W_ih x for every step (one GEMM) and is reused for ∂L/∂(W_ih x) in the
/// backward pass; `previous` `[B·T, H]` the state each step started from
/// (zero at t = 0 and where a reset starts an episode); `cache` `[B·T, 4H]`
/// the gates r, z, n and m = W_hn h + b_hn; `recurrentGradient` `[B·T, 3H]`
/// ∂L/∂(W_hh h); `stepScratch` `[B, 3H]` one step's W_hh h; `carry` `[B, H]`
/// ∂L/∂h flowing back. Everything is allocated once per workspace; a
/// ``GRUBackbone`` reuses a workspace once the tape that held it is gone.
///
/// Work split: the batch is cut into `parts` contiguous row ranges that run
/// the whole time loop independently (no barrier per step); the weight
/// gradients are then split by gate rows. Each part calls single-threaded
/// OpenBLAS (set `BLAS.setThreadCount(1)` when `parts > 1`).
///
/// Cost per layer: forward 2·B·T·3H·(in + H) flops; backward twice that, as
/// GEMMs (W_hh's gradient is one `[3H, B·T] × [B·T, H]` product).
final class GRUSequenceWorkspace {
    let batch: Int, time: Int, inputSize: Int, hiddenSize: Int
    let projections: UnsafeMutablePointer<Float>
    let previous: UnsafeMutablePointer<Float>
    let cache: UnsafeMutablePointer<Float>
    let recurrentGradient: UnsafeMutablePointer<Float>
    let stepScratch: UnsafeMutablePointer<Float>
    let carry: UnsafeMutablePointer<Float>
    let ones: UnsafeMutablePointer<Float>
    /// `reset[b·T + t]` = the state is zeroed before step t of row b (t = 0 always).
    var reset: [Bool]

    init(batch: Int, time: Int, inputSize: Int, hiddenSize: Int) {
        (self.batch, self.time, self.inputSize, self.hiddenSize) = (batch, time, inputSize, hiddenSize)
        let rows = batch * time, h = hiddenSize
        projections = .allocate(capacity: rows * 3 * h)
        previous = .allocate(capacity: rows * h)
        cache = .allocate(capacity: rows * 4 * h)
        recurrentGradient = .allocate(capacity: rows * 3 * h)
        stepScratch = .allocate(capacity: batch * 3 * h)
        carry = .allocate(capacity: batch * h)
        ones = .allocate(capacity: rows)
        ones.initialize(repeating: 1, count: rows)
        reset = [Bool](repeating: false, count: rows)
    }

    deinit {
        for p in [projections, previous, cache, recurrentGradient, stepScratch, carry, ones] { p.deallocate() }
    }

    func fits(batch: Int, time: Int, inputSize: Int, hiddenSize: Int) -> Bool {
        self.batch == batch && self.time == time && self.inputSize == inputSize && self.hiddenSize == hiddenSize
    }

    /// Reads the reset flags of `[batch, time]` `mask` (nonzero = reset), nil = none.
    func setResets(_ mask: Tensor?) {
        for b in 0..<batch {
            for t in 0..<time {
                reset[b * time + t] = t == 0 || (mask.map { $0.scalars[b * time + t] != 0 } ?? false)
            }
        }
    }

    // MARK: - Forward

    /// Runs the layer over `x` `[B·T, in]` into `h` `[B·T, H]`, filling the cache.
    func forward(x: UnsafePointer<Float>, wIH: UnsafePointer<Float>, wHH: UnsafePointer<Float>,
                 bIH: UnsafePointer<Float>, bHH: UnsafePointer<Float>, h out: UnsafeMutablePointer<Float>, parts: Int) {
        let (T, H, n) = (time, hiddenSize, inputSize)
        let (T3, T4) = (T * 3 * H, T * 4 * H)
        let reset = self.reset
        ParallelFor.chunks(count: batch, parts: parts) { _, rows in
            let (b0, m) = (rows.lowerBound, rows.count)
            // input projections of every step of these rows: [m·T, in] × [in, 3H]
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m * T), Int32(3 * H), Int32(n), 1,
                        x + b0 * T * n, Int32(n), wIH, Int32(n), 0, projections + b0 * T * 3 * H, Int32(3 * H))
            for t in 0..<T {
                for b in rows {
                    let dst = previous + (b * T + t) * H
                    if reset[b * T + t] { dst.update(repeating: 0, count: H) } else { dst.update(from: out + (b * T + t - 1) * H, count: H) }
                }
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(3 * H), Int32(H), 1,
                            previous + (b0 * T + t) * H, Int32(T * H), wHH, Int32(H), 0, stepScratch + b0 * 3 * H, Int32(3 * H))
                mbrl_gru_forward_gates(m, H, projections + (b0 * T + t) * 3 * H, T3, bIH, stepScratch + b0 * 3 * H, 3 * H, bHH,
                                       previous + (b0 * T + t) * H, T * H, out + (b0 * T + t) * H, T * H,
                                       cache + (b0 * T + t) * 4 * H, T4)
            }
        }
    }

    // MARK: - Backward through time

    /// Gradients from ∂L/∂h `dy` `[B·T, H]`. Writes ∂L/∂x into `dx` `[B·T, in]`
    /// (if non-nil) and the parameter gradients into `dWIH` `[3H, in]`, `dWHH`
    /// `[3H, H]`, `dBIH`, `dBHH` `[3H]` (each if non-nil). The gradient stops
    /// at resets (the state there was zeroed, not carried).
    func backward(dy: UnsafePointer<Float>, x: UnsafePointer<Float>, wIH: UnsafePointer<Float>, wHH: UnsafePointer<Float>,
                  dx: UnsafeMutablePointer<Float>?, dWIH: UnsafeMutablePointer<Float>?, dWHH: UnsafeMutablePointer<Float>?,
                  dBIH: UnsafeMutablePointer<Float>?, dBHH: UnsafeMutablePointer<Float>?, parts: Int) {
        let (T, H, n) = (time, hiddenSize, inputSize)
        let (T3, T4) = (T * 3 * H, T * 4 * H)
        let reset = self.reset
        let inputGradient = projections  // reused: W_ih x is not needed any more
        ParallelFor.chunks(count: batch, parts: parts) { _, rows in
            let (b0, m) = (rows.lowerBound, rows.count)
            (carry + b0 * H).update(repeating: 0, count: m * H)
            for t in stride(from: T - 1, through: 0, by: -1) {
                let r0 = b0 * T + t
                mbrl_gru_backward_gates(m, H, dy + r0 * H, T * H, carry + b0 * H, H, cache + r0 * 4 * H, T4,
                                        previous + r0 * H, T * H, inputGradient + r0 * 3 * H, T3, recurrentGradient + r0 * 3 * H, T3)
                guard t > 0 else { break }
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(H), Int32(3 * H), 1,
                            recurrentGradient + r0 * 3 * H, Int32(T3), wHH, Int32(H), 1, carry + b0 * H, Int32(H))
                for b in rows where reset[b * T + t] { (carry + b * H).update(repeating: 0, count: H) }
            }
            if let dx {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m * T), Int32(n), Int32(3 * H), 1,
                            inputGradient + b0 * T * 3 * H, Int32(3 * H), wIH, Int32(n), 0, dx + b0 * T * n, Int32(n))
            }
        }
        // weight gradients, split by gate rows: ∂W = Gᵀ·A over all B·T rows
        let rowsBT = Int32(batch * T)
        ParallelFor.chunks(count: 3 * H, parts: parts) { _, gates in
            let (j0, k) = (gates.lowerBound, Int32(gates.count))
            if let dWHH {
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, Int32(H), rowsBT, 1,
                            recurrentGradient + j0, Int32(3 * H), previous, Int32(H), 0, dWHH + j0 * H, Int32(H))
            }
            if let dWIH {
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, Int32(n), rowsBT, 1,
                            inputGradient + j0, Int32(3 * H), x, Int32(n), 0, dWIH + j0 * n, Int32(n))
            }
            if let dBHH {
                cblas_sgemv(CblasRowMajor, CblasTrans, rowsBT, k, 1, recurrentGradient + j0, Int32(3 * H), ones, 1, 0, dBHH + j0, 1)
            }
            if let dBIH {
                cblas_sgemv(CblasRowMajor, CblasTrans, rowsBT, k, 1, inputGradient + j0, Int32(3 * H), ones, 1, 0, dBIH + j0, 1)
            }
        }
    }
}
