import NN
import SeededRandom
import TensorCore
import TestSupport
import XCTest
@testable import WorldModels

/// The transformer backbone: the recurrent (KV-cache) form against the parallel
/// form, causality, reset masks, gradients, parameter count and configuration errors.
final class TransformerBackboneTests: XCTestCase {
    func makeBackbone(_ encoding: PositionalEncoding = .learned, context: Int = 8, seed: UInt64 = 0) throws -> TransformerBackbone {
        var g = SeededGenerator(seed: seed)
        let config = TransformerConfiguration(inputSize: 3, modelSize: 8, headCount: 2, layerCount: 2, feedForwardSize: 12,
                                              context: context, positionalEncoding: encoding)
        return try TransformerBackbone(config, generator: &g)
    }

    func randomInput(_ shape: [Int], seed: UInt64) -> Tensor {
        var g = SeededGenerator(seed: seed)
        return Tensor(shape: shape, normalMean: 0, std: 1, generator: &g)
    }

    func testParameterCountMatchesPyTorchFormula() throws {
        var g = SeededGenerator(seed: 0)
        let config = TransformerConfiguration(inputSize: 10)  // torch_bench transformer_seq: d 128, 4 heads, 2 layers, ff 512, L 64
        let model = try TransformerBackbone(config, generator: &g)
        let (i, d, ff, n, l) = (10, 128, 512, 2, 64)
        let perLayer = 4 * d * d + 4 * d + 2 * d * ff + ff + d + 4 * d
        XCTAssertEqual(model.parameterCount, i * d + d + l * d + n * perLayer + 2 * d)
        XCTAssertEqual(model.parameterCount + d * 8 + 8, 407_432)  // + Linear(128 → 8) head = torch_bench's params
        XCTAssertEqual(model.namedParameters().first?.0, "inp.weight")
        XCTAssertTrue(model.namedParameters().contains { $0.0 == "enc.layers.1.self_attn.in_proj_weight" })
        let sinusoidal = try TransformerBackbone(TransformerConfiguration(inputSize: 10, positionalEncoding: .sinusoidal), generator: &g)
        XCTAssertEqual(sinusoidal.parameterCount, model.parameterCount - l * d)
    }

    func testInvalidConfigurationThrows() {
        var g = SeededGenerator(seed: 0)
        XCTAssertThrowsError(try TransformerBackbone(TransformerConfiguration(inputSize: 3, modelSize: 10, headCount: 4), generator: &g)) { error in
            XCTAssertTrue("\(error)".contains("modelSize (10) must be divisible by headCount (4)"), "\(error)")
        }
        XCTAssertThrowsError(try TransformerBackbone(TransformerConfiguration(inputSize: 3, context: 0), generator: &g)) { error in
            XCTAssertTrue("\(error)".contains("context"), "\(error)")
        }
    }

    func testKeyValueCacheStepsMatchParallelForward() throws {
        for encoding in [PositionalEncoding.learned, .sinusoidal] {
            let model = try makeBackbone(encoding)
            let (b, t) = (3, 8)
            let x = randomInput([b, t, 3], seed: 1)
            let parallel = model(x, resetMask: nil)
            let tape = Tape()
            assertClose(model(tape.constant(x), resetMask: nil).value, parallel, relativeTolerance: 1e-6, absoluteTolerance: 1e-6)
            var state = model.initialState(batch: b)
            for s in 0..<t {
                let feature = model.step(x.slice(axis: 1, s..<(s + 1)).reshaped([b, 3]), state: &state)
                assertClose(feature, parallel.slice(axis: 1, s..<(s + 1)).reshaped([b, 8]), relativeTolerance: 1e-4, absoluteTolerance: 1e-4,
                            "\(encoding) step \(s)")
            }
            XCTAssertEqual(state.cachedSteps, t)
        }
    }

    func testGatherRowsCopiesCaches() throws {
        let model = try makeBackbone()
        let x = randomInput([2, 5, 3], seed: 2)
        var state = model.initialState(batch: 2)
        for s in 0..<3 { _ = model.step(x.slice(axis: 1, s..<(s + 1)).reshaped([2, 3]), state: &state) }
        var gathered = model.gatherRows(state, rows: [1, 0, 1])
        model.threads = 2  // the gathered rows' cache attention split over two workers
        XCTAssertEqual(gathered.rows, 3)
        let next = x.slice(axis: 1, 3..<4).reshaped([2, 3])
        let expected = model.step(next, state: &state)
        let got = model.step(next.gatherRows([1, 0, 1]), state: &gathered)
        assertClose(got, expected.gatherRows([1, 0, 1]), relativeTolerance: 1e-6, absoluteTolerance: 1e-6)
    }

    /// Past the window every feature is still a parallel forward's: over the steps from the
    /// state's window start (re-anchored, positions from 0) to the current one.
    func testStepsPastTheWindowMatchTheParallelForwardOverTheReanchoredWindow() throws {
        for encoding in [PositionalEncoding.learned, .sinusoidal] {
            let model = try makeBackbone(encoding, context: 4)
            let (b, t) = (2, 13)
            let x = randomInput([b, t, 3], seed: 3)
            var state = model.initialState(batch: b)
            var starts: [Int] = []
            for s in 0..<t {
                let feature = model.step(x.slice(axis: 1, s..<(s + 1)).reshaped([b, 3]), state: &state)
                let start = state.windowStart
                let parallel = model(x.slice(axis: 1, start..<(s + 1)), resetMask: nil)
                assertClose(feature, parallel.slice(axis: 1, (s - start)..<(s + 1 - start)).reshaped([b, 8]),
                            relativeTolerance: 1e-4, absoluteTolerance: 1e-4, "\(encoding) step \(s)")
                starts.append(start)
            }
            XCTAssertEqual(state.stepCount, t)
            XCTAssertEqual(state.cachedSteps, 3)
            // full windows of 4 keep their latest 2
            XCTAssertEqual(starts, [0, 0, 0, 0, 2, 2, 4, 4, 6, 6, 8, 8, 10])
        }
    }

    /// Imagination from a filtered state (`observe`) continues its window: replicated rows keep the
    /// real history until the window is full, then re-anchor.
    func testImaginationContinuesTheObservedWindow() throws {
        let model = try makeBackbone(context: 8)
        let x = randomInput([1, 14, 3], seed: 8)
        var state = model.initialState(batch: 1)
        for s in 0..<10 { _ = model.observe(x.slice(axis: 1, s..<(s + 1)).reshaped([1, 3]), state: &state) }
        XCTAssertEqual(state.windowStart, 4)  // the window of steps 0..<8 re-anchored to 4..<8 at step 8
        var imagined = model.gatherRows(state, rows: [0, 0])
        for s in 10..<14 {
            let feature = model.step(x.slice(axis: 1, s..<(s + 1)).reshaped([1, 3]).gatherRows([0, 0]), state: &imagined)
            let start = imagined.windowStart
            XCTAssertEqual(start, s < 12 ? 4 : 8, "step \(s)")
            let parallel = model(x.slice(axis: 1, start..<(s + 1)), resetMask: nil)
            let last = parallel.slice(axis: 1, (s - start)..<(s + 1 - start)).reshaped([1, 8])
            assertClose(feature, last.gatherRows([0, 0]), relativeTolerance: 1e-4, absoluteTolerance: 1e-4, "step \(s)")
        }
    }

    func testCausality() throws {
        let model = try makeBackbone()
        let x = randomInput([2, 6, 3], seed: 4)
        let base = model(x, resetMask: nil)
        var later = x
        for s in 4..<6 { for c in 0..<3 { later[0, s, c] += 3; later[1, s, c] -= 2 } }
        let out = model(later, resetMask: nil)
        for b in 0..<2 { for s in 0..<4 { for c in 0..<8 { XCTAssertEqual(out[b, s, c], base[b, s, c]) } } }
        XCTAssertNotEqual(out[0, 4, 0], base[0, 4, 0])
    }

    func testResetMaskStartsAFreshEpisode() throws {
        let model = try makeBackbone()
        let x = randomInput([2, 7, 3], seed: 5)
        let mask = Tensor(shape: [2, 7], scalars: [0, 0, 0, 1, 0, 0, 0,  1, 0, 0, 0, 0, 0, 1])
        let out = model(x, resetMask: mask)
        // window 0: steps 0..<3 and 3..<7 are separate episodes; window 1: 0..<6 and 6..<7
        for (b, segments) in [(0, [0..<3, 3..<7]), (1, [0..<6, 6..<7])] {
            for seg in segments {
                let alone = model(x.slice(axis: 0, b..<(b + 1)).slice(axis: 1, seg), resetMask: nil)
                assertClose(out.slice(axis: 0, b..<(b + 1)).slice(axis: 1, seg), alone, relativeTolerance: 1e-5, absoluteTolerance: 1e-5,
                            "window \(b) segment \(seg)")
            }
        }
        // a tape forward agrees with the inference one
        let tape = Tape()
        assertClose(model(tape.constant(x), resetMask: mask).value, out, relativeTolerance: 1e-6, absoluteTolerance: 1e-6)
    }

    func testBackboneGradients() throws {
        var g = SeededGenerator(seed: 6)
        let config = TransformerConfiguration(inputSize: 2, modelSize: 4, headCount: 2, layerCount: 1, feedForwardSize: 4, context: 4)
        let model = try TransformerBackbone(config, generator: &g)
        let x = Tensor(shape: [2, 3, 2], normalMean: 0, std: 1, generator: &g)
        let mask = Tensor(shape: [2, 3], scalars: [0, 0, 1, 0, 0, 0])
        checkGradients(inputs: [x], parameters: model.parameters) { _, v in model(v[0], resetMask: mask) }
    }

    /// No backward closure may hold a Variable (and so its tape): the tape and every activation
    /// must be freed when the caller drops it (a cycle here leaked ~40 MB per training step).
    func testTapeIsReleasedAfterUse() throws {
        let model = try makeBackbone()
        let x = randomInput([2, 5, 3], seed: 7)
        weak var weakTape: Tape?
        do {
            let tape = Tape()
            weakTape = tape
            let y = model(tape.variable(x), resetMask: Tensor(shape: [2, 5], scalars: [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]))
            _ = tape.gradients(of: y, withRespectTo: [tape.variable(model.parameters[0])])
        }
        XCTAssertNil(weakTape, "the tape outlived its last use: a backward closure captured a Variable")
    }
}
