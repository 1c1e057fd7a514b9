import NN
import SeededRandom
import TensorCore
import TestSupport
import XCTest
@testable import WorldModels

/// The fused causal attention op: finite-difference gradients (with and without
/// reset masks), agreement with attention composed from generic ops, causality
/// and the segment cut.
final class TransformerAttentionTests: XCTestCase {
    /// Attention composed from generic TensorCore ops with an explicit additive mask
    /// (−∞ outside start_i ≤ j ≤ i): the reference for the fused op.
    func reference(_ qkv: Tensor, heads: Int, starts: [Int32]?) -> Tensor {
        let (b, t, d) = (qkv.shape[0], qkv.shape[1], qkv.shape[2] / 3)
        let dh = d / heads
        let parts = qkv.split(sizes: [d, d, d], axis: -1)
        func splitHeads(_ v: Tensor) -> Tensor { v.reshaped([b, t, heads, dh]).permuted([0, 2, 1, 3]).reshaped([b * heads, t, dh]) }
        var mask = Tensor(zeros: [b * heads, t, t])
        for bh in 0..<(b * heads) {
            for i in 0..<t {
                let lo = starts.map { Int($0[(bh / heads) * t + i]) } ?? 0
                for j in 0..<t where j < lo || j > i { mask[bh, i, j] = -.infinity }
            }
        }
        let scores = Tensor.matmul(splitHeads(parts[0]), splitHeads(parts[1]).transposed()) * (1 / Float(dh).squareRoot()) + mask
        var out = Tensor(zeros: [0])
        let probs = scores.softmax()
        out = Tensor(zeros: [b * heads, t, dh])
        for e in 0..<(b * heads) {
            let p = probs.slice(axis: 0, e..<(e + 1)).reshaped([t, t])
            let v = splitHeads(parts[2]).slice(axis: 0, e..<(e + 1)).reshaped([t, dh])
            let o = Tensor.matmul(p, v)
            for k in 0..<(t * dh) { out.scalars[e * t * dh + k] = o.scalars[k] }
        }
        return out.reshaped([b, heads, t, dh]).permuted([0, 2, 1, 3]).reshaped([b, t, d])
    }

    func randomQKV(batch: Int, time: Int, d: Int, seed: UInt64) -> Tensor {
        var g = SeededGenerator(seed: seed)
        return Tensor(shape: [batch, time, 3 * d], normalMean: 0, std: 1, generator: &g)
    }

    func testMatchesComposedAttention() {
        let qkv = randomQKV(batch: 3, time: 7, d: 8, seed: 1)
        let mask = Tensor(shape: [3, 7], scalars: [0, 0, 0, 0, 0, 0, 0,  1, 0, 0, 1, 0, 0, 0,  0, 1, 0, 0, 0, 0, 1])
        for resetMask in [nil, mask] {
            let starts = CausalAttention.segmentStarts(resetMask: resetMask, batch: 3, time: 7)
            for threads in [1, 2] {
                let fused = CausalAttention.forward(qkv, heads: 2, starts: starts, threads: threads)
                assertClose(fused, reference(qkv, heads: 2, starts: starts), relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
            }
        }
    }

    /// T = 37 spans three 16-column tiles of the attention kernels (the last one partial).
    func testCausalBlocksMatchComposedAttention() {
        let (b, t) = (2, 37)
        let qkv = randomQKV(batch: b, time: t, d: 8, seed: 5)
        var maskScalars = [Float](repeating: 0, count: b * t)
        maskScalars[t + 20] = 1  // the second window starts an episode inside its second block
        let mask = Tensor(shape: [b, t], scalars: maskScalars)
        for resetMask in [nil, mask] {
            let starts = CausalAttention.segmentStarts(resetMask: resetMask, batch: b, time: t)
            for threads in [1, 2] {
                let fused = CausalAttention.forward(qkv, heads: 2, starts: starts, threads: threads)
                assertClose(fused, reference(qkv, heads: 2, starts: starts), relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
            }
        }
    }

    /// Head size 20 spans two 16-float column tiles of the attention kernels (the second partial),
    /// T = 37 three column tiles and a partial 8-row tile: forward against the composed reference,
    /// gradients by finite differences.
    func testHeadWiderThanOneTileMatchesComposedAttention() {
        let (b, t, d) = (2, 37, 40)
        let qkv = randomQKV(batch: b, time: t, d: d, seed: 7)
        var maskScalars = [Float](repeating: 0, count: b * t)
        maskScalars[t + 9] = 1
        let starts = CausalAttention.segmentStarts(resetMask: Tensor(shape: [b, t], scalars: maskScalars), batch: b, time: t)
        for s in [nil, starts] {
            let fused = CausalAttention.forward(qkv, heads: 2, starts: s, threads: 2)
            assertClose(fused, reference(qkv, heads: 2, starts: s), relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        }
        let small = randomQKV(batch: 1, time: 6, d: d, seed: 8)
        checkGradients(inputs: [small]) { _, v in CausalAttention.apply(v[0], heads: 2, starts: nil, threads: 1) }
    }

    func testGradientsAcrossCausalBlocks() {
        let qkv = randomQKV(batch: 1, time: 19, d: 4, seed: 6)
        let starts = CausalAttention.segmentStarts(resetMask: Tensor(shape: [1, 19], scalars: (0..<19).map { $0 == 17 ? 1 : 0 }),
                                                   batch: 1, time: 19)
        for s in [nil, starts] {
            checkGradients(inputs: [qkv]) { _, v in CausalAttention.apply(v[0], heads: 2, starts: s, threads: 2) }
        }
    }

    func testSegmentStarts() {
        let mask = Tensor(shape: [2, 5], scalars: [0, 0, 1, 0, 1,  1, 0, 0, 0, 0])
        XCTAssertEqual(CausalAttention.segmentStarts(resetMask: mask, batch: 2, time: 5), [0, 0, 2, 2, 4,  0, 0, 0, 0, 0])
        XCTAssertNil(CausalAttention.segmentStarts(resetMask: nil, batch: 2, time: 5))
    }

    func testGradientsWithoutResets() {
        let qkv = randomQKV(batch: 2, time: 4, d: 4, seed: 2)
        checkGradients(inputs: [qkv]) { _, v in CausalAttention.apply(v[0], heads: 2, starts: nil) }
    }

    func testGradientsWithResetsAndThreads() {
        let qkv = randomQKV(batch: 3, time: 5, d: 4, seed: 3)
        let mask = Tensor(shape: [3, 5], scalars: [0, 0, 1, 0, 0,  0, 1, 0, 0, 1,  1, 0, 0, 0, 0])
        let starts = CausalAttention.segmentStarts(resetMask: mask, batch: 3, time: 5)
        checkGradients(inputs: [qkv]) { _, v in CausalAttention.apply(v[0], heads: 2, starts: starts, threads: 2) }
    }

    func testCausalAndCutAtEpisodeStart() {
        let (b, t, d) = (1, 6, 4)
        let qkv = randomQKV(batch: b, time: t, d: d, seed: 4)
        let starts = CausalAttention.segmentStarts(resetMask: Tensor(shape: [1, 6], scalars: [0, 0, 0, 1, 0, 0]), batch: b, time: t)
        let base = CausalAttention.forward(qkv, heads: 2, starts: starts)
        // changing step 4 leaves steps 0...3 unchanged; changing step 1 leaves steps 3... unchanged
        for (changed, unaffected) in [(4, Array(0...3)), (1, Array(3...5))] {
            var other = qkv
            for c in 0..<(3 * d) { other[0, changed, c] += 1 }
            let out = CausalAttention.forward(other, heads: 2, starts: starts)
            for s in unaffected { for c in 0..<d { XCTAssertEqual(out[0, s, c], base[0, s, c], "step \(s) changed by step \(changed)") } }
            XCTAssertNotEqual(out[0, changed, 0], base[0, changed, 0])
        }
    }
}
