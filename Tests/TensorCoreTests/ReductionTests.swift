import SeededRandom
import TensorCore
import TestSupport
import XCTest

/// Reductions, softmax and layer statistics: NumPy literals and finite-difference
/// gradients (step 1e-2, rtol 1e-2, atol 1e-3).
final class ReductionTests: XCTestCase {
    let x = Tensor(rows: [[1, 2, 3], [-1, 0.5, 4]])

    func testForwardMatchesNumPy() {
        XCTAssertEqual(x.sum(axis: 0).scalars, [0, 2.5, 7])
        XCTAssertEqual(x.sum(axis: 1, keepingAxis: true).shape, [2, 1])
        assertClose(x.mean(axis: -1).scalars, [2, 1.1666666269302368])
        XCTAssertEqual(x.max(axis: 0).scalars, [1, 2, 4])
        XCTAssertEqual(x.sum().scalar, 9.5)
        // np.log(np.exp(x).sum(1))
        assertClose(x.logSumExp(axis: 1).scalars, [3.4076058864593506, 4.036269664764404])
        // e = np.exp(x - x.max(1, keepdims=True)); (e / e.sum(1, keepdims=True)).ravel()
        assertClose(x.softmax().scalars, [0.09003057330846786, 0.2447284609079361, 0.6652409434318542,
                                          0.006497942842543125, 0.02912176214158535, 0.9643803238868713])
        assertClose(x.logSoftmax().exp(), x.softmax())
        // x.mean(1), x.var(1)
        let (m, v) = x.moments()
        assertClose(m.scalars, [2.0, 1.1666666269302368])
        assertClose(v.scalars, [0.6666666865348816, 4.388888835906982])
        XCTAssertEqual(Tensor(rows: [[-.infinity, 0]]).logSumExp(axis: 1).scalar, 0)
    }

    func testMiddleAxisReduction() {
        let t = Tensor(shape: [2, 3, 2], scalars: (0..<12).map(Float.init))
        // np.arange(12).reshape(2,3,2).sum(1)
        XCTAssertEqual(t.sum(axis: 1).scalars, [6, 9, 24, 27])
        XCTAssertEqual(t.max(axis: 1).scalars, [4, 5, 10, 11])
    }

    func testGradients() {
        var g = SeededGenerator(seed: 9)
        let t = Tensor(shape: [2, 3, 4], uniformLow: -2, high: 2, generator: &g)
        for axis in [0, 1, 2, -1] {
            checkGradients(inputs: [t]) { _, v in v[0].sum(axis: axis) }
            checkGradients(inputs: [t]) { _, v in v[0].mean(axis: axis, keepingAxis: true) }
            checkGradients(inputs: [t]) { _, v in v[0].max(axis: axis) }
            checkGradients(inputs: [t]) { _, v in v[0].logSumExp(axis: axis) }
        }
        checkGradients(inputs: [t]) { _, v in v[0].sum() }
        checkGradients(inputs: [t]) { _, v in v[0].mean() }
        checkGradients(inputs: [t]) { _, v in v[0].softmax() }
        checkGradients(inputs: [t]) { _, v in v[0].logSoftmax() }
        checkGradients(inputs: [t]) { _, v in let (m, s) = v[0].moments(); return m + s * 2 }
    }
}
