import SeededRandom
import TensorCore
import TestSupport
import XCTest

/// Reshape, transpose, concat/split/slice, gather, causal mask; gradients by finite differences
/// (step 1e-2, rtol 1e-2, atol 1e-3).
final class ShapeOperationTests: XCTestCase {
    let t = Tensor(shape: [2, 3, 2], scalars: (0..<12).map(Float.init))

    func testForward() {
        // np.arange(12).reshape(2,3,2).transpose(0,2,1).ravel()
        XCTAssertEqual(t.transposed().scalars, [0, 2, 4, 1, 3, 5, 6, 8, 10, 7, 9, 11])
        XCTAssertEqual(t.reshaped([-1, 4]).shape, [3, 4])
        // np.arange(12).reshape(2,3,2)[:, 1:3].ravel()
        XCTAssertEqual(t.slice(axis: 1, 1..<3).scalars, [2, 3, 4, 5, 8, 9, 10, 11])
        let parts = t.split(sizes: [1, 2], axis: 1)
        XCTAssertEqual(Tensor.concatenate(parts, axis: 1), t)
        XCTAssertEqual(Tensor.concatenate([t, t], axis: -1).shape, [2, 3, 4])
        XCTAssertEqual(t.gatherRows([1, 1, 0]).shape, [3, 3, 2])
        XCTAssertEqual(t.gatherRows([1, 0]).scalars, Array(t.scalars[6...]) + Array(t.scalars[..<6]))
        let mask = Tensor.causalMask(size: 3)
        XCTAssertEqual(mask.scalars, [0, -.infinity, -.infinity, 0, 0, -.infinity, 0, 0, 0])
        XCTAssertEqual((Tensor(rows: [[1, 2, 3], [1, 2, 3], [1, 2, 3]]) + mask).softmax()[0, 0], 1)
    }

    func testPermuted() {
        let x = Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Float.init))
        // np.arange(24).reshape(2,3,4).transpose(1,2,0).ravel()
        XCTAssertEqual(x.permuted([1, 2, 0]).scalars.map(Int.init),
                       [0, 12, 1, 13, 2, 14, 3, 15, 4, 16, 5, 17, 6, 18, 7, 19, 8, 20, 9, 21, 10, 22, 11, 23])
        // np.arange(24).reshape(2,3,4).transpose(2,0,1).ravel()
        XCTAssertEqual(x.permuted([2, 0, 1]).scalars.map(Int.init),
                       [0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21, 2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23])
        XCTAssertEqual(x.permuted([0, 2, 1]), x.transposed())
        XCTAssertEqual(x.permuted([2, 0, 1]).permuted([1, 2, 0]), x)
    }

    func testGradients() {
        var g = SeededGenerator(seed: 11)
        let x = Tensor(shape: [2, 3, 4], uniformLow: -1, high: 1, generator: &g)
        let y = Tensor(shape: [2, 2, 4], uniformLow: -1, high: 1, generator: &g)
        checkGradients(inputs: [x]) { _, v in v[0].reshaped([6, 4]).transposed() }
        checkGradients(inputs: [x, y]) { _, v in Variable.concatenate([v[0], v[1]], axis: 1) }
        checkGradients(inputs: [x]) { _, v in v[0].slice(axis: 2, 1..<3) }
        checkGradients(inputs: [x]) { _, v in let p = v[0].split(sizes: [1, 2], axis: 1); return p[1] * p[1] + p[0].sum() }
        checkGradients(inputs: [x]) { _, v in v[0].gatherRows([1, 0, 1]) }
        checkGradients(inputs: [x]) { _, v in v[0].permuted([1, 2, 0]) }
    }
}
