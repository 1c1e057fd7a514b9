import NN
import SeededRandom
import TensorCore
import TestSupport
import XCTest

final class LossTests: XCTestCase {
    func testForwardValues() {
        let tape = Tape()
        let p = tape.constant(Tensor(rows: [[1, 2], [3, 4]]))
        let t = tape.constant(Tensor(rows: [[1, 0], [5, 4]]))
        XCTAssertEqual(mseLoss(p, t).value.scalar, 2)          // (0 + 4 + 4 + 0) / 4
        // x = [[1,2,3],[1,-1,0.5]]; ls = x - log(exp(x).sum(1, keepdims=True)); -mean(ls[0,2], ls[1,0])
        let logits = tape.constant(Tensor(rows: [[1, 2, 3], [1, -1, 0.5]]))
        assertClose(crossEntropyLoss(logits: logits, labels: [2, 0]).value.scalar, 0.48128144204318535)
        // Gaussian NLL with logvar 0 is the squared error; ensemble form sums member means
        let zeros = tape.constant(Tensor(zeros: [2, 2]))
        XCTAssertEqual(gaussianNLLLoss(mean: p, logVariance: zeros, target: t).value.scalar, 2)
        let p3 = p.reshaped([2, 1, 2]), t3 = t.reshaped([2, 1, 2])
        XCTAssertEqual(gaussianNLLLoss(mean: p3, logVariance: zeros.reshaped([2, 1, 2]), target: t3).value.scalar, 4)
    }

    func testGradients() {
        var g = SeededGenerator(seed: 1)
        let a = Tensor(shape: [3, 4], normalMean: 0, std: 1, generator: &g)
        let b = Tensor(shape: [3, 4], normalMean: 0, std: 1, generator: &g)
        let lv = Tensor(shape: [3, 4], normalMean: 0, std: 0.5, generator: &g)
        checkGradients(inputs: [a, b]) { _, v in mseLoss(v[0], v[1]) }
        checkGradients(inputs: [a, lv, b]) { _, v in gaussianNLLLoss(mean: v[0], logVariance: v[1], target: v[2]) }
        checkGradients(inputs: [a.reshaped([3, 2, 2]), lv.reshaped([3, 2, 2]), b.reshaped([3, 2, 2])]) { _, v in
            gaussianNLLLoss(mean: v[0], logVariance: v[1], target: v[2])
        }
        checkGradients(inputs: [a]) { _, v in crossEntropyLoss(logits: v[0], labels: [3, 0, 2]) }
    }

    func testSoftLogVarianceBounds() {
        let bounds = SoftLogVarianceBounds(size: 3)
        XCTAssertEqual(bounds.parameterCount, 6)
        XCTAssertEqual(bounds.namedParameters().map(\.0), ["min_logvar", "max_logvar"])
        let raw = Tensor(rows: [[-30, 0, 30], [-5, 0.4, 2]])
        let bounded = bounds(raw)
        // soft bounds: the lower softplus can lift a value a hair above max (0.5 + log1p(e^-10.5) ≈ 0.50003)
        XCTAssertTrue(bounded.scalars.allSatisfy { $0 >= -10 && $0 <= 0.5001 }, "\(bounded)")
        // lo + softplus(hi - softplus(hi - 0.4) - lo) with hi 0.5, lo -10 (Python math, float64)
        assertClose(bounded[1, 1], -0.24433869282134602, relativeTolerance: 1e-5)
        var g = SeededGenerator(seed: 2)
        bounds.minLogVariance.value = Tensor(shape: [1, 3], normalMean: -3, std: 0.5, generator: &g)
        bounds.maxLogVariance.value = Tensor(shape: [1, 3], normalMean: 1, std: 0.5, generator: &g)
        let x = Tensor(shape: [2, 3], normalMean: 0, std: 2, generator: &g)
        checkGradients(inputs: [x], parameters: bounds.parameters) { tape, v in bounds(v[0]) + bounds.penalty(tape: tape) }
    }
}
