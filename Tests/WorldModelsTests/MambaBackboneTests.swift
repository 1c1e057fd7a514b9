import Foundation
import NN
import SeededRandom
import TensorCore
import TestSupport
import WorldModels
import XCTest

final class MambaBackboneTests: XCTestCase {
    private func makeMamba(input: Int = 3, d: Int = 4, layers: Int = 2, seed: UInt64 = 1) -> MambaBackbone {
        var g = SeededGenerator(seed: seed)
        return MambaBackbone(inputSize: input, modelSize: d, layers: layers, stateSize: 3, expand: 2, convSize: 3,
                             dtRank: 2, generator: &g)
    }

    private func input(_ shape: [Int], seed: UInt64 = 7) -> Tensor {
        var g = SeededGenerator(seed: seed)
        return Tensor(shape: shape, normalMean: 0, std: 1, generator: &g)
    }

    func testParameterCountAndNamesMatchPyTorch() {
        var g = SeededGenerator(seed: 0)
        let m = MambaBackbone(inputSize: 10, modelSize: 128, layers: 2, generator: &g)
        let head = Linear(inputSize: 128, outputSize: 8, generator: &g)
        XCTAssertEqual(m.parameterCount + head.parameterCount, 236_168)  // torch_bench mamba_seq
        XCTAssertEqual(m.blocks[0].dtRank, 8)
        let names = m.namedParameters().map(\.0)
        XCTAssertEqual(Array(names.prefix(14)),
                       ["inp.weight", "inp.bias", "blocks.0.norm.weight", "blocks.0.norm.bias", "blocks.0.in_proj.weight",
                        "blocks.0.conv.weight", "blocks.0.conv.bias", "blocks.0.x_proj.weight", "blocks.0.dt_proj.weight",
                        "blocks.0.dt_proj.bias", "blocks.0.A_log", "blocks.0.D", "blocks.0.out_proj.weight",
                        "blocks.1.norm.weight"])
        XCTAssertEqual(names.suffix(2), ["norm.weight", "norm.bias"])
        XCTAssertEqual(m.blocks[1].convWeight.shape, [256, 1, 4])
        XCTAssertEqual(m.blocks[1].xProj.weight.shape, [40, 256])
        XCTAssertEqual(m.blocks[1].aLog.value[5, 3], Float(log(4.0)), accuracy: 1e-6)
    }

    /// `dtInitRange` sets Δ₀ = softplus(dt_proj.bias) log-uniform in the range (the Mamba reference's
    /// init), `stateDecayInit` sets every A = −a; the defaults keep torch_bench's init.
    func testDeltaAndStateDecayInitOptions() {
        var g = SeededGenerator(seed: 3)
        let reference = MambaBlock(modelSize: 32, stateSize: 4, dtInitRange: 1e-3...1e-1, stateDecayInit: 0.02, generator: &g)
        let delta = reference.dtProj.bias!.value.scalars.map { Foundation.log1p(Foundation.exp($0)) }
        XCTAssertEqual(delta.count, 64)
        XCTAssertTrue(delta.allSatisfy { $0 >= 1e-3 * 0.999 && $0 <= 1e-1 * 1.001 }, "Δ₀ out of [1e-3, 1e-1]: \(delta)")
        XCTAssertLessThan(delta.min()!, 1e-2)
        XCTAssertGreaterThan(delta.max()!, 1e-2)
        XCTAssertTrue(reference.aLog.value.scalars.allSatisfy { abs($0 - Foundation.log(0.02)) < 1e-6 })
        var h = SeededGenerator(seed: 3)
        let plain = MambaBlock(modelSize: 32, stateSize: 4, generator: &h)
        let bound = 1 / Float(plain.dtRank).squareRoot()
        XCTAssertTrue(plain.dtProj.bias!.value.scalars.allSatisfy { abs($0) <= bound })
        XCTAssertEqual(plain.aLog.value[5, 3], Float(log(4.0)), accuracy: 1e-6)
    }

    func testGradientsWithoutResets() {
        let m = makeMamba()
        checkGradients(inputs: [input([2, 5, 3])], parameters: m.parameters) { _, v in m(v[0], resetMask: nil) }
    }

    func testGradientsWithResets() {
        let m = makeMamba()
        let mask = Tensor(shape: [2, 5], scalars: [0, 0, 1, 0, 0, 1, 0, 0, 1, 0])
        checkGradients(inputs: [input([2, 5, 3])], parameters: m.parameters) { _, v in m(v[0], resetMask: mask) }
    }

    func testRecurrentStepsMatchParallelForm() {
        let m = makeMamba(d: 6)
        let (b, t) = (3, 9)
        let x = input([b, t, 3])
        let parallel = m(Tape().constant(x), resetMask: nil).value
        var state = m.initialState(batch: b)
        for s in 0..<t {
            let y = m.step(x.slice(axis: 1, s..<(s + 1)).reshaped([b, 3]), state: &state)
            assertClose(y, parallel.slice(axis: 1, s..<(s + 1)).reshaped([b, 6]), relativeTolerance: 1e-4, absoluteTolerance: 1e-4)
        }
        let g = m.gatherRows(state, rows: [2, 0, 2, 1])
        XCTAssertEqual(g.ssm[1].shape, [4, 12, 3])
        XCTAssertEqual(g.conv[0].shape, [4, 12, 2])
        assertClose(g.ssm[1].slice(axis: 0, 0..<1), state.ssm[1].slice(axis: 0, 2..<3))
        assertClose(g.conv[0].slice(axis: 0, 1..<2), state.conv[0].slice(axis: 0, 0..<1))
        // gathered rows continue exactly as the rows they copy
        var s2 = g
        let next = input([b, 3], seed: 11)
        let y = m.step(next, state: &state)
        let y2 = m.step(next.gatherRows([2, 0, 2, 1]), state: &s2)
        assertClose(y2, y.gatherRows([2, 0, 2, 1]), relativeTolerance: 1e-6, absoluteTolerance: 1e-6)
    }

    func testCausality() {
        let m = makeMamba()
        let x = input([2, 6, 3])
        var x2 = x
        x2.withUnsafeMutableBufferPointer { p in for j in 0..<3 { p[(0 * 6 + 3) * 3 + j] += 1 } }
        let y = m(Tape().constant(x), resetMask: nil).value, y2 = m(Tape().constant(x2), resetMask: nil).value
        assertClose(y.slice(axis: 1, 0..<3), y2.slice(axis: 1, 0..<3), relativeTolerance: 0, absoluteTolerance: 0)
        assertClose(y.slice(axis: 0, 1..<2), y2.slice(axis: 0, 1..<2), relativeTolerance: 0, absoluteTolerance: 0)
        XCTAssertGreaterThan(zip(y.slice(axis: 1, 3..<6).scalars, y2.slice(axis: 1, 3..<6).scalars).map { abs($0 - $1) }.max()!, 1e-3)
    }

    func testResetMaskStartsAFreshSequence() {
        let m = makeMamba()
        let (t, s) = (7, 3)
        let x = input([2, t, 3])
        let mask = Tensor(shape: [2, t], scalars: (0..<(2 * t)).map { $0 == s ? 1 : 0 })  // window 0 resets at s
        let y = m(Tape().constant(x), resetMask: mask).value
        let tail = m(Tape().constant(x.slice(axis: 0, 0..<1).slice(axis: 1, s..<t)), resetMask: nil).value
        assertClose(y.slice(axis: 0, 0..<1).slice(axis: 1, s..<t), tail, relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
        let plain = m(Tape().constant(x), resetMask: nil).value
        assertClose(y.slice(axis: 0, 1..<2), plain.slice(axis: 0, 1..<2), relativeTolerance: 0, absoluteTolerance: 0)
        assertClose(y.slice(axis: 1, 0..<s), plain.slice(axis: 1, 0..<s), relativeTolerance: 0, absoluteTolerance: 0)
    }
}
