import SeededRandom
import TensorCore
import TestSupport
import XCTest

/// The tape's bookkeeping: accumulation over reuse, constants, parameter sets.
final class TapeTests: XCTestCase {
    func testReusedVariableAccumulatesGradient() {
        let tape = Tape()
        let x = tape.variable(Tensor([3]))
        let y = x * x + x                       // dy/dx = 2x + 1 = 7
        XCTAssertEqual(tape.gradients(of: y, withRespectTo: [x])[0].scalars, [7])
    }

    func testConstantsRecordNoBackward() {
        let tape = Tape()
        let c = tape.constant(Tensor([1, 2]))
        let y = (c * 3).exp()
        let x = tape.variable(Tensor([1, 1]))
        XCTAssertEqual(tape.gradients(of: (y * x).sum(), withRespectTo: [x, c])[1].scalars, [0, 0])
        XCTAssertEqual(tape.nodeCount, 6)
    }

    func testValueWithGradientOfParameters() {
        let w = Parameter(Tensor([2, -1]))
        let frozen = Parameter(Tensor([5, 5]))
        let unused = Parameter(Tensor(shape: [3], repeating: 1))
        let (value, grads) = valueWithGradient(of: [w, unused]) { tape in
            (tape.variable(w) * tape.variable(frozen)).sum()       // 5*2 + 5*(-1) = 5
        }
        XCTAssertEqual(value, 5)
        XCTAssertEqual(grads[w].scalars, [5, 5])
        XCTAssertEqual(grads[unused].scalars, [0, 0, 0])
        XCTAssertEqual(grads[frozen].scalars, [0, 0])   // not requested
        XCTAssertEqual(grads.globalNorm, Float(50).squareRoot(), accuracy: 1e-6)
    }
}

/// The gradient checker itself must catch a wrong backward rule.
final class GradientCheckTests: XCTestCase {
    func testDetectsWrongBackwardRule() {
        let x = Tensor([0.3, -0.7, 1.1])
        let wrong = gradientCheckReport(inputs: [x]) { tape, v in
            tape.record(v[0].value.exp(), inputs: [v[0]]) { g, _ in [g] }   // should be g * exp(x)
        }
        XCTAssertEqual(wrong.checked, 3)
        XCTAssertEqual(wrong.failures.count, 3)
        let right = gradientCheckReport(inputs: [x]) { _, v in v[0].exp() }
        XCTAssertTrue(right.failures.isEmpty)
        XCTAssertLessThan(right.maxError, 1e-3)
    }

    /// Gradients smaller than the absolute tolerance (an SSM's A_log and dt_proj gradients are ~1e-3):
    /// a backward rule that drops them must still fail. A plain absolute floor of 1e-3 passes it.
    func testDetectsAZeroedSmallGradient() {
        var g = SeededGenerator(seed: 3)
        let x = Tensor(shape: [12], normalMean: 0, std: 1, generator: &g)
        let small: (Tape, [Variable]) -> Variable = { tape, v in
            // y = 1e-4·x², gradients 2e-4·x·R (under 1e-3), with a backward that drops them all.
            tape.record((v[0].value * v[0].value) * 1e-4, inputs: [v[0]]) { g, _ in [g * 0] }
        }
        XCTAssertGreaterThan(gradientCheckReport(inputs: [x], small).failures.count, 6)
        XCTAssertEqual(gradientCheckReport(inputs: [x], arrayScaleCap: .infinity, small).failures.count, 0,
                       "without the per-array cap the zeroed small gradients pass (the gap this closes)")
        // Right rules of the same sizes pass.
        XCTAssertTrue(gradientCheckReport(inputs: [x]) { _, v in v[0] * v[0] * 1e-4 }.failures.isEmpty)
        XCTAssertTrue(gradientCheckReport(inputs: [x]) { _, v in v[0] + v[0] * v[0] * 1e-3 }.failures.isEmpty)
    }
}
