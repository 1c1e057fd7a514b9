import SeededRandom
import TensorCore
import TestSupport
import XCTest

/// Binary element-wise ops with broadcasting; gradient checks use step 1e-2, rtol 1e-2, atol 1e-3.
final class ArithmeticTests: XCTestCase {
    let a = Tensor(rows: [[1, 2, 3], [4, 5, 6]])

    func testBroadcastingPatterns() {
        XCTAssertEqual((a + Tensor([10, 20, 30])).scalars, [11, 22, 33, 14, 25, 36])            // row
        XCTAssertEqual((a * Tensor(shape: [2, 1], scalars: [2, 3])).scalars, [2, 4, 6, 12, 15, 18]) // column
        XCTAssertEqual((a - 1).scalars, [0, 1, 2, 3, 4, 5])                                      // scalar
        XCTAssertEqual((1 - a).scalars, [0, -1, -2, -3, -4, -5])
        XCTAssertEqual((a / Tensor([1, 2, 4])).scalars, [1, 1, 0.75, 4, 2.5, 1.5])
        // [2,1,3] + [4,1] -> [2,4,3] (general pattern); numpy: (np.arange(6).reshape(2,1,3) + np.arange(4).reshape(4,1)*10).ravel()
        let b = Tensor(shape: [2, 1, 3], scalars: [0, 1, 2, 3, 4, 5])
        let c = Tensor(shape: [4, 1], scalars: [0, 10, 20, 30])
        XCTAssertEqual((b + c).shape, [2, 4, 3])
        XCTAssertEqual((b + c).scalars, [0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32, 3, 4, 5, 13, 14, 15, 23, 24, 25, 33, 34, 35])
        XCTAssertEqual(Tensor.maximum(a, Tensor(3.5)).scalars, [3.5, 3.5, 3.5, 4, 5, 6])
        XCTAssertEqual(Tensor.minimum(a, Tensor([2, 2, 2])).scalars, [1, 2, 2, 2, 2, 2])
    }

    func testIntoVariantReusesBuffer() {
        var out = Tensor(zeros: [3, 2])
        Tensor.add(a, a, into: &out)
        XCTAssertEqual(out.shape, [2, 3])
        XCTAssertEqual(out.scalars, [2, 4, 6, 8, 10, 12])
    }

    func testSummedToShapeUndoesBroadcast() {
        let g = Tensor(shape: [2, 4, 3], repeating: 1)
        XCTAssertEqual(g.summed(toShape: [4, 1]).scalars, [6, 6, 6, 6])
        XCTAssertEqual(g.summed(toShape: [2, 1, 3]).scalars, [4, 4, 4, 4, 4, 4])
        XCTAssertEqual(g.summed(toShape: [3]).scalars, [8, 8, 8])
        XCTAssertEqual(g.summed(toShape: []).scalars, [24])
    }

    func testGradientsWithBroadcasting() {
        var gen = SeededGenerator(seed: 1)
        let x = Tensor(shape: [3, 4], uniformLow: -2, high: 2, generator: &gen)
        let row = Tensor(shape: [4], uniformLow: 0.5, high: 2, generator: &gen)
        let col = Tensor(shape: [3, 1], uniformLow: 0.5, high: 2, generator: &gen)
        let s = Tensor(shape: [], scalars: [1.7])
        let ops: [(String, (Variable, Variable) -> Variable)] = [("+", (+)), ("-", (-)), ("*", (*)), ("/", (/))]
        for (name, op) in ops {
            for other in [x * 0.5 + 3, row, col, s] {
                checkGradients(inputs: [x, other]) { _, v in op(v[0], v[1]) }
                checkGradients(inputs: [other, x + 5]) { _, v in op(v[0], v[1]) }
                _ = name
            }
        }
        checkGradients(inputs: [x]) { _, v in 2 / (v[0] * v[0] + 1) - 3 * v[0] + 1 }
        checkGradients(inputs: [x]) { _, v in (v[0] - 0.5) / 4 + (1.5 - v[0]) * v[0] }
        checkGradients(inputs: [x]) { _, v in (v[0] + row) * col - v[0] / (row + 1) - x }   // Variable ⊕ constant Tensor
        // min / max: the other operand is offset so no pair is within the FD step of a tie
        let y = x + Tensor(shape: [3, 4], scalars: (0..<12).map { $0 % 2 == 0 ? 0.5 : -0.5 })
        checkGradients(inputs: [x, y]) { _, v in Variable.maximum(v[0], v[1]) }
        checkGradients(inputs: [x, y]) { _, v in Variable.minimum(v[0], v[1]) }
        checkGradients(inputs: [x, Tensor(0.13)]) { _, v in Variable.maximum(v[0], v[1]) }
    }

    func testMismatchedShapesAreRejectedByBroadcastRules() {
        // [2,3] with [2] cannot broadcast: the precondition names both shapes (not run: it traps).
        XCTAssertEqual(a.shape, [2, 3])
    }
}
