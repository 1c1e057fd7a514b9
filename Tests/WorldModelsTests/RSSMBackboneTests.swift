import NN
import SeededRandom
import TensorCore
import TestSupport
import WorldModels
import XCTest

final class RSSMBackboneTests: XCTestCase {
    // input 3 = observation 2 + action 1; h 4, z 2, head hidden 5
    private func makeRSSM(observation: Int = 2, sampling: Bool = false, observationToDeterministic: Bool = false) -> RSSMBackbone {
        var g = SeededGenerator(seed: 11)
        let m = RSSMBackbone(inputSize: 3, observationSize: observation, hiddenSize: 4, stochasticSize: 2, headHiddenSize: 5,
                             observationToDeterministic: observationToDeterministic, generator: &g)
        m.sampling = sampling
        return m
    }

    private func input(_ shape: [Int], seed: UInt64 = 5) -> Tensor {
        var g = SeededGenerator(seed: seed)
        return Tensor(shape: shape, normalMean: 0, std: 1, generator: &g)
    }

    func testParameterCountAndShapes() {
        let m = makeRSSM()
        let cell = 3 * 4 * (2 + 1 + 4) + 6 * 4
        let prior = (4 * 5 + 5) + (5 * 4 + 4)
        let posterior = ((4 + 2) * 5 + 5) + (5 * 4 + 4)
        XCTAssertEqual(m.parameterCount, cell + prior + posterior)
        XCTAssertEqual(m.featureSize, 6)
        XCTAssertEqual(m.namedParameters().first?.0, "cell.weight_ih")
        let y = m(Tape().constant(input([2, 3, 3])), resetMask: nil)
        XCTAssertEqual(y.shape, [2, 3, 6])
    }

    func testUpdateGateBiasShiftsOnlyTheUpdateGate() {
        var g1 = SeededGenerator(seed: 4), g2 = SeededGenerator(seed: 4)
        let plain = RSSMBackbone(inputSize: 3, observationSize: 2, hiddenSize: 2, stochasticSize: 2, headHiddenSize: 3, generator: &g1)
        let biased = RSSMBackbone(inputSize: 3, observationSize: 2, hiddenSize: 2, stochasticSize: 2, headHiddenSize: 3,
                                  updateGateBias: 6, generator: &g2)
        let difference = zip(biased.cell.biasIH.value.scalars, plain.cell.biasIH.value.scalars).map { $0 - $1 }
        assertClose(difference, [0, 0, 6, 6, 0, 0])
        XCTAssertEqual(biased.prior.parameters.map(\.value), plain.prior.parameters.map(\.value))
    }

    /// Features and the KL term, with fixed noise (the generator is re-seeded per evaluation).
    /// Finite differences cannot see stop-gradients: with both scales 1 the term's value is
    /// 2·KL while its backward gives ∇_p KL + ∇_q KL = ∇KL, so the check differentiates
    /// `reg − ½ sg(reg)` (value KL, gradient that of reg).
    func testGradientsOfFeaturesAndKL() {
        let m = makeRSSM(sampling: true)
        m.freeNats = 0  // no kink inside the finite-difference step
        m.dynamicsScale = 1
        m.representationScale = 1
        let x = input([2, 3, 3])
        for mask in [nil, Tensor(shape: [2, 3], scalars: [0, 1, 0, 0, 0, 1])] {
            checkGradients(inputs: [x], parameters: m.parameters) { _, v in
                m.noiseGenerator = SeededGenerator(seed: 3)
                return m(v[0], resetMask: mask)
            }
            if mask == nil { continue }
            checkGradients(inputs: [x], parameters: m.parameters) { _, v in
                m.noiseGenerator = SeededGenerator(seed: 3)
                _ = m(v[0], resetMask: mask)
                let reg = m.regularizationLoss!
                return reg - reg.tape.constant(reg.value) * 0.5
            }
        }
    }

    func testKLTermMatchesClosedFormAndFreeNats() throws {
        let m = makeRSSM()
        m.freeNats = 0
        let tape = Tape()
        _ = m(tape.constant(input([2, 3, 3])), resetMask: nil)
        let reg = try XCTUnwrap(m.regularizationLoss).value.scalar
        XCTAssertGreaterThan(m.lastKL, 0)
        // with no free nats both terms equal the mean KL: (0.5 + 0.1) · KL
        XCTAssertEqual(reg, 0.6 * m.lastKL, accuracy: 1e-5 * max(1, reg))
        // free nats above every KL: constant term, no gradient
        m.freeNats = 1e3
        let tape2 = Tape()
        _ = m(tape2.constant(input([2, 3, 3])), resetMask: nil)
        let r2 = try XCTUnwrap(m.regularizationLoss)
        XCTAssertEqual(r2.value.scalar, 0.6e3, accuracy: 1e-2)
        let grads = tape2.gradients(of: r2, withRespectTo: m.parameters.map { tape2.variable($0) })
        XCTAssertEqual(grads.map { $0.scalars.map(abs).max()! }.max()!, 0)
    }

    /// Observes `time` random steps of `batch` rows one at a time and checks each feature against
    /// the parallel form's; returns the state after the last step.
    @discardableResult
    func assertObserveMatchesParallel(_ m: RSSMBackbone, batch b: Int, time t: Int,
                                      file: StaticString = #filePath, line: UInt = #line) -> RSSMBackbone.RecurrentState {
        let x = input([b, t, 3])
        let parallel = m(Tape().constant(x), resetMask: nil).value
        var state = m.initialState(batch: b)
        for s in 0..<t {
            let y = m.observe(x.slice(axis: 1, s..<(s + 1)).reshaped([b, 3]), state: &state)
            assertClose(y, parallel.slice(axis: 1, s..<(s + 1)).reshaped([b, 6]), relativeTolerance: 1e-4, absoluteTolerance: 1e-5,
                        file: file, line: line)
        }
        return state
    }

    func testObserveStepsMatchParallelForm() {
        let m = makeRSSM()
        let state = assertObserveMatchesParallel(m, batch: 3, time: 5)
        let g = m.gatherRows(state, rows: [1, 1])
        assertClose(g.stochastic.slice(axis: 0, 0..<1), state.stochastic.slice(axis: 0, 1..<2))
    }

    func testImaginationStepUsesPriorAndIgnoresObservation() {
        let m = makeRSSM()
        var s1 = m.initialState(batch: 2), s2 = m.initialState(batch: 2)
        var x = input([2, 3])
        let a = m.step(x, state: &s1)
        x[0, 0] += 5; x[1, 1] -= 5  // observation part only
        let b = m.step(x, state: &s2)
        assertClose(a, b, relativeTolerance: 0, absoluteTolerance: 0)
        // z is the prior mean of h
        let h = a.slice(axis: 1, 0..<4)
        let priorMean = m.prior(h).slice(axis: 1, 0..<2)
        assertClose(a.slice(axis: 1, 4..<6), priorMean, relativeTolerance: 1e-6, absoluteTolerance: 1e-6)
    }

    /// `observationToDeterministic`: o_t enters the GRU (input z 2 + action 1 + observation 2), the
    /// steps still match the parallel form, and imagination now depends on the observation part.
    func testObservationToDeterministicFeedsTheGRU() {
        let m = makeRSSM(observationToDeterministic: true)
        XCTAssertEqual(m.cell.inputSize, 5)
        assertObserveMatchesParallel(m, batch: 2, time: 4)
        var s1 = m.initialState(batch: 1), s2 = m.initialState(batch: 1)
        var step = input([1, 3])
        let a = m.step(step, state: &s1)
        step[0, 0] += 5
        let h1 = a.slice(axis: 1, 0..<4), h2 = m.step(step, state: &s2).slice(axis: 1, 0..<4)
        let moved = zip(h1.scalars, h2.scalars).map { abs($0 - $1) }.max() ?? 0
        XCTAssertGreaterThan(moved, 1e-4, "the observation moves h")
    }

    func testCausalityAndResets() {
        let m = makeRSSM()
        var x = input([2, 6, 3])
        let mask = Tensor(shape: [2, 6], scalars: [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0])
        let before = m(Tape().constant(x), resetMask: mask).value
        for c in 0..<3 { x[0, 1, c] += 2; x[1, 5, c] += 2 }
        let after = m(Tape().constant(x), resetMask: mask).value
        // row 0: the reset at 3 cuts the change at step 1
        assertClose(after.slice(axis: 0, 0..<1).slice(axis: 1, 3..<6), before.slice(axis: 0, 0..<1).slice(axis: 1, 3..<6),
                    relativeTolerance: 0, absoluteTolerance: 0)
        XCTAssertGreaterThan(abs(after[0, 1, 4] - before[0, 1, 4]) + abs(after[0, 1, 5] - before[0, 1, 5]), 1e-5)
        // row 1: a change at step 5 leaves steps ≤ 4 unchanged
        assertClose(after.slice(axis: 0, 1..<2).slice(axis: 1, 0..<5), before.slice(axis: 0, 1..<2).slice(axis: 1, 0..<5),
                    relativeTolerance: 0, absoluteTolerance: 0)
    }

    func testObservationOnlyInput() {
        let m = makeRSSM(observation: 3)
        XCTAssertEqual(m.actionSize, 0)
        let x = input([2, 4, 3])
        let parallel = m(Tape().constant(x), resetMask: nil).value
        var state = m.initialState(batch: 2)
        for s in 0..<4 {
            let y = m.observe(x.slice(axis: 1, s..<(s + 1)).reshaped([2, 3]), state: &state)
            assertClose(y, parallel.slice(axis: 1, s..<(s + 1)).reshaped([2, 6]), relativeTolerance: 1e-4, absoluteTolerance: 1e-5)
        }
    }

    /// The KL term keeps its tape alive until it is taken (or replaced by the next forward).
    func testTakingTheRegularizationLossReleasesTheTape() throws {
        let m = makeRSSM()
        weak var released: Tape?
        var taken: Variable?
        do {
            let tape = Tape()
            released = tape
            _ = m(tape.variable(input([2, 4, 3])), resetMask: nil)
            XCTAssertNotNil(m.regularizationLoss)
            taken = m.takeRegularizationLoss()
        }
        XCTAssertNil(m.regularizationLoss)
        XCTAssertNotNil(released)
        XCTAssertEqual(try XCTUnwrap(taken).shape, [])
        taken = nil
        XCTAssertNil(released)
    }
}
