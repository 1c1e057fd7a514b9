import Foundation
import NN
import SeededRandom
import TensorCore
import TestSupport
import WorldModels
import XCTest

final class S4WMBackboneTests: XCTestCase {
    private func makeS4(_ mode: S4DLayer.Mode, d: Int = 4, seed: UInt64 = 1) -> S4WMBackbone {
        var g = SeededGenerator(seed: seed)
        return S4WMBackbone(inputSize: 3, modelSize: d, layers: 2, stateSize: 3, mode: mode, generator: &g)
    }

    private func input(_ shape: [Int], seed: UInt64 = 7) -> Tensor {
        var g = SeededGenerator(seed: seed)
        return Tensor(shape: shape, normalMean: 0, std: 1, generator: &g)
    }

    func testParameterCountAndNamesMatchPyTorch() {
        var g = SeededGenerator(seed: 0)
        let m = S4WMBackbone(inputSize: 10, modelSize: 128, layers: 2, stateSize: 64, generator: &g)
        let head = Linear(inputSize: 128, outputSize: 8, generator: &g)
        XCTAssertEqual(m.parameterCount + head.parameterCount, 85_896)  // torch_bench s4d_seq
        let names = m.namedParameters().map(\.0)
        XCTAssertEqual(Array(names.prefix(11)),
                       ["inp.weight", "inp.bias", "blocks.0.norm.weight", "blocks.0.norm.bias", "blocks.0.ssm.log_dt",
                        "blocks.0.ssm.log_A", "blocks.0.ssm.B", "blocks.0.ssm.C", "blocks.0.ssm.D", "blocks.0.out.weight",
                        "blocks.0.out.bias"])
        XCTAssertEqual(names.suffix(2), ["norm.weight", "norm.bias"])
        let ssm = m.blocks[0].ssm
        XCTAssertEqual(ssm.logA.value[7, 4], Float(log(5.0)), accuracy: 1e-6)  // A_n = -(n+1)
        XCTAssertTrue(ssm.logDt.value.scalars.allSatisfy { $0 >= log(1e-3) && $0 <= log(1e-1) })
        let lin = makeS4(.complex)
        XCTAssertEqual(lin.blocks[1].namedParameters().map(\.0).filter { $0.hasPrefix("ssm") },
                       ["ssm.log_dt", "ssm.log_A_real", "ssm.A_imag", "ssm.C", "ssm.D"])
        XCTAssertEqual(lin.blocks[1].ssm.c.shape, [4, 3, 2])
        XCTAssertEqual(lin.blocks[1].ssm.second.value[2, 2], 2 * Float.pi, accuracy: 1e-5)  // A = -1/2 + iπn
    }

    func testStepSizeInitRangeReachesEveryLayer() {
        var g = SeededGenerator(seed: 2)
        let m = S4WMBackbone(inputSize: 3, modelSize: 16, layers: 2, stateSize: 4, mode: .complex, dtMin: 0.01, dtMax: 0.1,
                             generator: &g)
        for block in m.blocks {
            XCTAssertTrue(block.ssm.logDt.value.scalars.allSatisfy { $0 >= log(0.01) - 1e-6 && $0 <= log(0.1) + 1e-6 })
        }
    }

    private let mask = Tensor(shape: [2, 5], scalars: [0, 0, 1, 0, 0, 1, 0, 0, 1, 0])

    // Step 3e-3 rather than the default 1e-2: at 1e-2 one `out.weight` element of the first block
    // misses by ~1e-3 (second-order truncation through the downstream LayerNorms on 4-wide rows);
    // the miss shrinks with the step, as truncation error does.
    func testGradientsRealWithoutResets() {
        let m = makeS4(.real)
        checkGradients(inputs: [input([2, 5, 3])], parameters: m.parameters, step: 3e-3) { _, v in m(v[0], resetMask: nil) }
    }

    func testGradientsRealWithResets() {
        let m = makeS4(.real)
        checkGradients(inputs: [input([2, 5, 3])], parameters: m.parameters, step: 3e-3) { [mask] _, v in m(v[0], resetMask: mask) }
    }

    func testGradientsComplexWithResets() {
        let m = makeS4(.complex)
        checkGradients(inputs: [input([2, 5, 3])], parameters: m.parameters, step: 3e-3) { [mask] _, v in m(v[0], resetMask: mask) }
    }

    func testGradientsComplexWithoutResets() {
        let m = makeS4(.complex)
        checkGradients(inputs: [input([2, 5, 3])], parameters: m.parameters, step: 3e-3) { _, v in m(v[0], resetMask: nil) }
    }

    private func checkRecurrentMatchesParallel(_ mode: S4DLayer.Mode) {
        let m = makeS4(mode, d: 6)
        // larger steps so the states carry information across the window
        for block in m.blocks { block.ssm.logDt.value = Tensor(shape: [6], repeating: log(0.5)) }
        let (b, t) = (3, 9)
        let x = input([b, t, 3])
        let parallel = m(Tape().constant(x), resetMask: nil).value
        var state = m.initialState(batch: b)
        for s in 0..<t {
            let y = m.step(x.slice(axis: 1, s..<(s + 1)).reshaped([b, 3]), state: &state)
            assertClose(y, parallel.slice(axis: 1, s..<(s + 1)).reshaped([b, 6]), relativeTolerance: 1e-4, absoluteTolerance: 1e-4)
        }
        let g = m.gatherRows(state, rows: [2, 0, 2, 1])
        XCTAssertEqual(g.ssm[1].shape, [4] + m.blocks[1].ssm.stateShape)
        var s2 = g
        let next = input([b, 3], seed: 11)
        let y = m.step(next, state: &state)
        let y2 = m.step(next.gatherRows([2, 0, 2, 1]), state: &s2)
        assertClose(y2, y.gatherRows([2, 0, 2, 1]), relativeTolerance: 1e-6, absoluteTolerance: 1e-6)
    }

    func testRecurrentStepsMatchParallelFormReal() { checkRecurrentMatchesParallel(.real) }
    func testRecurrentStepsMatchParallelFormComplex() { checkRecurrentMatchesParallel(.complex) }

    func testCausalityAndResets() {
        for mode in [S4DLayer.Mode.real, .complex] {
            let m = makeS4(mode)
            let (t, s) = (7, 3)
            let x = input([2, t, 3])
            var x2 = x
            x2.withUnsafeMutableBufferPointer { p in for j in 0..<3 { p[(0 * t + s) * 3 + j] += 1 } }
            let y = m(Tape().constant(x), resetMask: nil).value, y2 = m(Tape().constant(x2), resetMask: nil).value
            assertClose(y.slice(axis: 1, 0..<s), y2.slice(axis: 1, 0..<s), relativeTolerance: 0, absoluteTolerance: 0)
            XCTAssertGreaterThan(zip(y.slice(axis: 1, s..<t).scalars, y2.slice(axis: 1, s..<t).scalars).map { abs($0 - $1) }.max()!, 1e-3)
            // a reset at s in window 0: its tail equals a fresh run of the tail
            let resets = Tensor(shape: [2, t], scalars: (0..<(2 * t)).map { $0 == s ? 1 : 0 })
            let yr = m(Tape().constant(x), resetMask: resets).value
            let tail = m(Tape().constant(x.slice(axis: 0, 0..<1).slice(axis: 1, s..<t)), resetMask: nil).value
            assertClose(yr.slice(axis: 0, 0..<1).slice(axis: 1, s..<t), tail, relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
            assertClose(yr.slice(axis: 0, 1..<2), y.slice(axis: 0, 1..<2), relativeTolerance: 0, absoluteTolerance: 0)
            XCTAssertGreaterThan(zip(yr.slice(axis: 1, s..<t).scalars, y.slice(axis: 1, s..<t).scalars).map { abs($0 - $1) }.max()!, 1e-4)
        }
    }

    /// The parallel form on two workers (the factory's `sequence_threads`) computes the one-worker
    /// function and gradients.
    func testTwoThreadsMatchOneThread() {
        let m = makeS4(.real, d: 10)
        let x = input([3, 6, 3])
        func run() -> (Tensor, [Tensor]) {
            let (y, grads) = valueWithGradient(of: m.parameters) { tape in
                let out = m(tape.constant(x), resetMask: nil)
                return (out * out).sum()
            }
            return (Tensor(shape: [], scalars: [y]), m.parameters.map { grads[$0] })
        }
        let (y1, g1) = run()
        m.threads = 2
        XCTAssertEqual(m.blocks.map(\.threads), [2, 2])
        let (y2, g2) = run()
        assertClose(y2, y1, relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        for (a, b) in zip(g2, g1) { assertClose(a, b, relativeTolerance: 1e-4, absoluteTolerance: 1e-5) }
        checkGradients(inputs: [input([2, 5, 3])], parameters: m.parameters, step: 3e-3) { [mask] _, v in m(v[0], resetMask: mask) }
    }

    /// d_model 10 runs the fused LayerNorm's 8-wide SIMD path plus its scalar tail.
    func testSIMDWidthModelGradientsAndSteps() {
        let m = makeS4(.real, d: 10)
        checkGradients(inputs: [input([2, 4, 3])], parameters: m.parameters, step: 3e-3) { [mask] _, v in
            m(v[0], resetMask: mask.slice(axis: 1, 0..<4))
        }
        let x = input([2, 5, 3])
        let parallel = m(Tape().constant(x), resetMask: nil).value
        var state = m.initialState(batch: 2)
        for s in 0..<5 {
            assertClose(m.step(x.slice(axis: 1, s..<(s + 1)).reshaped([2, 3]), state: &state),
                        parallel.slice(axis: 1, s..<(s + 1)).reshaped([2, 10]), relativeTolerance: 1e-4, absoluteTolerance: 1e-4)
        }
    }
}
