import Foundation
import NN
import SeededRandom
import TensorCore
import TestSupport
import WorldModels
import XCTest

final class GRUBackboneTests: XCTestCase {
    private func makeGRU(input: Int = 3, hidden: Int = 4, layers: Int = 2, threads: Int = 1, updateGateBias: Float = 0,
                         seed: UInt64 = 1) -> GRUBackbone {
        var g = SeededGenerator(seed: seed)
        return GRUBackbone(inputSize: input, hiddenSize: hidden, layers: layers, threads: threads, updateGateBias: updateGateBias,
                           generator: &g)
    }

    private func input(_ shape: [Int], seed: UInt64 = 7) -> Tensor {
        var g = SeededGenerator(seed: seed)
        return Tensor(shape: shape, normalMean: 0, std: 1, generator: &g)
    }

    func testParameterCountAndNamesMatchPyTorch() {
        let gru = makeGRU(input: 10, hidden: 256, layers: 1)
        XCTAssertEqual(gru.parameterCount, 205_824)  // nn.GRU(10, 256): 207,880 − Linear(256 → 8)'s 2,056
        XCTAssertEqual(gru.parameterCount, GRUBackbone.parameterCount(inputSize: 10, hiddenSize: 256, layers: 1))
        let deep = makeGRU(input: 3, hidden: 4, layers: 3)
        XCTAssertEqual(deep.parameterCount, 3 * 4 * (3 + 4) + 24 + 2 * (3 * 4 * (4 + 4) + 24))
        XCTAssertEqual(deep.namedParameters().map(\.0).prefix(5),
                       ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l1"])
        XCTAssertEqual(deep.weightIH[1].shape, [12, 4])
    }

    func testGradientsWithoutResets() {
        let gru = makeGRU()
        checkGradients(inputs: [input([2, 4, 3])], parameters: gru.parameters) { _, v in gru(v[0], resetMask: nil) }
    }

    /// With the memory recipe's update-gate bias (z ≈ σ(2) ≈ 0.88 at init) the state is mostly carried.
    func testGradientsWithUpdateGateBias() {
        let gru = makeGRU(updateGateBias: 2)
        checkGradients(inputs: [input([2, 4, 3])], parameters: gru.parameters) { _, v in gru(v[0], resetMask: nil) }
    }

    func testGradientsWithResets() {
        let gru = makeGRU()
        let mask = Tensor(shape: [2, 4], scalars: [0, 0, 1, 0, 0, 1, 0, 1])
        checkGradients(inputs: [input([2, 4, 3])], parameters: gru.parameters) { _, v in gru(v[0], resetMask: mask) }
    }

    func testThreadedMatchesSingleThreaded() {
        let one = makeGRU(hidden: 5, threads: 1), two = makeGRU(hidden: 5, threads: 2)
        let x = input([5, 6, 3])
        let mask = Tensor(shape: [5, 6], scalars: (0..<30).map { $0 % 7 == 3 ? 1 : 0 })
        func run(_ m: GRUBackbone) -> (Tensor, [Tensor]) {
            let tape = Tape()
            let xv = tape.variable(x)
            let y = m(xv, resetMask: mask)
            let grads = tape.gradients(of: (y * y).sum(), withRespectTo: [xv] + m.parameters.map { tape.variable($0) })
            return (y.value, grads)
        }
        let (y1, g1) = run(one), (y2, g2) = run(two)
        assertClose(y1, y2, relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
        for (a, b) in zip(g1, g2) { assertClose(a, b, relativeTolerance: 1e-4, absoluteTolerance: 1e-5) }
        // recurrent steps of many rows (split over the workers from 64 rows on)
        let rows = input([70, 3], seed: 3)
        var s1 = one.initialState(batch: 70), s2 = two.initialState(batch: 70)
        for _ in 0..<3 { assertClose(one.step(rows, state: &s1), two.step(rows, state: &s2), relativeTolerance: 1e-5, absoluteTolerance: 1e-6) }
        assertClose(s1.hidden, s2.hidden, relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
    }

    func testRecurrentStepsMatchParallelForm() {
        let gru = makeGRU(hidden: 6, layers: 2)
        let (b, t) = (3, 7)
        let x = input([b, t, 3])
        let parallel = gru(Tape().constant(x), resetMask: nil).value
        var state = gru.initialState(batch: b)
        for s in 0..<t {
            let y = gru.step(x.slice(axis: 1, s..<(s + 1)).reshaped([b, 3]), state: &state)
            assertClose(y, parallel.slice(axis: 1, s..<(s + 1)).reshaped([b, 6]), relativeTolerance: 1e-4, absoluteTolerance: 1e-5)
        }
        // gatherRows replicates rows of the state
        let g = gru.gatherRows(state, rows: [2, 0, 2])
        XCTAssertEqual(g.hidden.shape, [2, 3, 6])
        assertClose(g.hidden.slice(axis: 1, 0..<1), state.hidden.slice(axis: 1, 2..<3))
        assertClose(g.hidden.slice(axis: 1, 1..<2), state.hidden.slice(axis: 1, 0..<1))
    }

    func testCausality() {
        let gru = makeGRU()
        var x = input([2, 6, 3])
        let before = gru(Tape().constant(x), resetMask: nil).value
        for b in 0..<2 { for c in 0..<3 { x[b, 4, c] += 1; x[b, 5, c] -= 2 } }
        let after = gru(Tape().constant(x), resetMask: nil).value
        assertClose(after.slice(axis: 1, 0..<4), before.slice(axis: 1, 0..<4), relativeTolerance: 0, absoluteTolerance: 0)
        XCTAssertGreaterThan(abs(after[0, 4, 0] - before[0, 4, 0]) + abs(after[1, 5, 1] - before[1, 5, 1]), 1e-4)
    }

    func testResetCutsDependenceOnEarlierInputs() {
        let gru = makeGRU()
        let mask = Tensor(shape: [2, 6], scalars: [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0])
        var x = input([2, 6, 3])
        let before = gru(Tape().constant(x), resetMask: mask).value
        for c in 0..<3 { x[0, 1, c] += 3; x[1, 0, c] -= 3 }  // before each row's reset
        let after = gru(Tape().constant(x), resetMask: mask).value
        assertClose(after.slice(axis: 1, 3..<6).slice(axis: 0, 0..<1), before.slice(axis: 1, 3..<6).slice(axis: 0, 0..<1),
                    relativeTolerance: 0, absoluteTolerance: 0)
        assertClose(after.slice(axis: 1, 1..<6).slice(axis: 0, 1..<2), before.slice(axis: 1, 1..<6).slice(axis: 0, 1..<2),
                    relativeTolerance: 0, absoluteTolerance: 0)
        // and a window that starts at the reset gives the same features
        let tail = gru(Tape().constant(x.slice(axis: 1, 3..<6)), resetMask: nil).value
        assertClose(tail.slice(axis: 0, 0..<1), after.slice(axis: 1, 3..<6).slice(axis: 0, 0..<1), relativeTolerance: 1e-6, absoluteTolerance: 1e-6)
    }

    /// torch.nn.GRU(3, 4, batch_first=True): all states, final state and the gradients
    /// of Σ states·R₀ + Σ final·R₁ (the NNTests fixture, read by path).
    func testMatchesPyTorchFixture() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../NNTests/Fixtures/torch_layers.json").standardized
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let cases = try XCTUnwrap(root["cases"] as? [[String: Any]])
        let c = try XCTUnwrap(cases.first { $0["name"] as? String == "gru" })
        func flatten(_ v: Any) -> [Float] {
            if let n = v as? NSNumber { return [n.floatValue] }
            return (v as? [Any])?.flatMap(flatten) ?? []
        }
        func tensor(_ e: Any) -> Tensor {
            let d = e as! [String: Any]
            return Tensor(shape: d["shape"] as! [Int], scalars: flatten(d["values"]!))
        }
        let params = c["parameters"] as! [String: Any], pgrads = c["parameter_gradients"] as! [String: Any]
        let gru = makeGRU(input: 3, hidden: 4, layers: 1)
        for (name, p) in gru.namedParameters() { p.value = tensor(params[name]!) }
        let x = tensor((c["inputs"] as! [Any])[0])
        let outputs = (c["outputs"] as! [Any]).map(tensor), weights = (c["loss_weights"] as! [Any]).map(tensor)
        let (b, t) = (x.shape[0], x.shape[1])
        let tape = Tape()
        let xv = tape.variable(x)
        let states = gru(xv, resetMask: nil)
        let final = states.slice(axis: 1, (t - 1)..<t).reshaped([1, b, 4])
        var errors: [Float] = []
        errors.append(assertClose(states.value, outputs[0], relativeTolerance: 1e-5, absoluteTolerance: 1e-6))
        errors.append(assertClose(final.value, outputs[1], relativeTolerance: 1e-5, absoluteTolerance: 1e-6))
        let loss = (states * weights[0]).sum() + (final * weights[1]).sum()
        let grads = tape.gradients(of: loss, withRespectTo: [xv] + gru.parameters.map { tape.variable($0) })
        errors.append(assertClose(grads[0].scalars, flatten((c["input_gradients"] as! [Any])[0]), relativeTolerance: 1e-5, absoluteTolerance: 1e-5))
        for (k, (name, _)) in gru.namedParameters().enumerated() {
            errors.append(assertClose(grads[k + 1].scalars, flatten(pgrads[name]!), relativeTolerance: 1e-5, absoluteTolerance: 1e-5, name))
        }
        print("fixture gru (GRUBackbone) max |error|: \(errors.max()!)")
    }

    /// At the size a config trains (32 windows × 16 steps, 128 units, one and two
    /// layers, with resets): the fused layers give the states and every gradient of
    /// `GRUCell`s unrolled step by step on the tape, from the same weights. (The
    /// other tests use 4–6 units, below the kernels' vector width.)
    func testMatchesUnrolledCellsAtTrainingSize() {
        let (b, t, n, h) = (32, 16, 5, 128)
        for layers in [1, 2] {
            let fused = makeGRU(input: n, hidden: h, layers: layers, updateGateBias: 1, seed: 3)
            var g = SeededGenerator(seed: 9)
            let cells = (0..<layers).map { l -> GRUCell in
                let cell = GRUCell(inputSize: l == 0 ? n : h, hiddenSize: h, generator: &g)
                for (p, q) in zip(cell.parameters, [fused.weightIH[l], fused.weightHH[l], fused.biasIH[l], fused.biasHH[l]]) {
                    p.value = q.value
                }
                return cell
            }
            let x = input([b, t, n], seed: 5), target = input([b, t, h], seed: 6)
            let mask = Tensor(shape: [b, t], scalars: (0..<(b * t)).map { $0 % 23 == 7 ? 1 : 0 })
            func lossAndGradients(_ forward: (Variable) -> Variable, _ parameters: [Parameter]) -> (Tensor, [Tensor]) {
                let tape = Tape()
                let xv = tape.variable(x)
                let y = forward(xv)
                let d = y - tape.constant(target)
                return (y.value, tape.gradients(of: (d * d).sum(), withRespectTo: [xv] + parameters.map { tape.variable($0) }))
            }
            let (y1, g1) = lossAndGradients({ fused($0, resetMask: mask) }, fused.parameters)
            let (y2, g2) = lossAndGradients({ xv in
                let tape = xv.tape
                var states = cells.map { _ in tape.constant(Tensor(zeros: [b, h])) }
                var outputs: [Variable] = []
                for (s, step) in xv.split(sizes: [Int](repeating: 1, count: t), axis: 1).enumerated() {
                    let keep = Tensor(shape: [b, 1], scalars: (0..<b).map { mask.scalars[$0 * t + s] != 0 ? 0 : 1 })
                    states = states.map { $0 * keep }
                    var y = step.reshaped([b, n])
                    for (l, cell) in cells.enumerated() { states[l] = cell(y, state: states[l]); y = states[l] }
                    outputs.append(y.reshaped([b, 1, h]))
                }
                return Variable.concatenate(outputs, axis: 1)
            }, cells.flatMap(\.parameters))
            assertClose(y1, y2, relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
            for (a, c) in zip(g1, g2) { assertClose(a, c, relativeTolerance: 1e-4, absoluteTolerance: 1e-4) }
        }
    }

    func testWorkspaceReuseKeepsEarlierTapesValid() {
        let gru = makeGRU()
        let x = input([2, 4, 3])
        let tape1 = Tape()
        let y1 = gru(tape1.constant(x), resetMask: nil)
        let g1 = tape1.gradients(of: y1.sum(), withRespectTo: [tape1.variable(gru.weightHH[0])])[0]
        // a second forward while tape1 is alive must not clobber tape1's buffers
        let tape2 = Tape()
        _ = gru(tape2.constant(input([2, 4, 3], seed: 9)), resetMask: nil)
        let again = tape1.gradients(of: y1.sum(), withRespectTo: [tape1.variable(gru.weightHH[0])])[0]
        assertClose(again, g1, relativeTolerance: 0, absoluteTolerance: 0)
    }

    /// The layer op's backward closure must not hold the tape (a retain cycle would leak
    /// every training step's tape and force a fresh workspace each step).
    func testTapeIsReleasedAfterUse() {
        let gru = makeGRU()
        weak var released: Tape?
        do {
            let tape = Tape()
            released = tape
            let y = gru(tape.variable(input([2, 4, 3])), resetMask: Tensor(zeros: [2, 4]))
            _ = tape.gradients(of: y.sum(), withRespectTo: [tape.variable(gru.weightHH[0])])
        }
        XCTAssertNil(released)
    }
}
