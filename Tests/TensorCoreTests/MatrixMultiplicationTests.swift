import SeededRandom
import TensorCore
import TestSupport
import XCTest

/// sgemm-backed products: NumPy literals, every transpose combination, batched and folded forms,
/// and finite-difference gradients (step 1e-2, rtol 1e-2, atol 1e-3).
final class MatrixMultiplicationTests: XCTestCase {
    func naive(_ a: Tensor, _ b: Tensor) -> Tensor {
        let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
        var c = Tensor(zeros: [m, n])
        for i in 0..<m { for j in 0..<n { var s: Float = 0; for p in 0..<k { s += a[i, p] * b[p, j] }; c[i, j] = s } }
        return c
    }

    func testMatchesNumPy() {
        // a = np.arange(6).reshape(2,3)/4 - 0.5; b = np.arange(12).reshape(3,4)/5 - 1; (a @ b).ravel()
        let a = Tensor(shape: [2, 3], scalars: (0..<6).map { Float($0) / 4 - 0.5 })
        let b = Tensor(shape: [3, 4], scalars: (0..<12).map { Float($0) / 5 - 1 })
        assertClose(Tensor.matmul(a, b).scalars, [0.55, 0.4, 0.25, 0.1, 0.1, 0.4, 0.7, 1.0], relativeTolerance: 1e-6, absoluteTolerance: 1e-7)
    }

    func testTransposeFlagsMatchExplicitTransposes() {
        var g = SeededGenerator(seed: 3)
        let a = Tensor(shape: [4, 5], normalMean: 0, std: 1, generator: &g)
        let b = Tensor(shape: [5, 3], normalMean: 0, std: 1, generator: &g)
        let c = naive(a, b)
        assertClose(Tensor.matmul(a, b), c)
        assertClose(Tensor.matmul(a.transposed(), b, transposeA: true), c)
        assertClose(Tensor.matmul(a, b.transposed(), transposeB: true), c)
        assertClose(Tensor.matmul(a.transposed(), b.transposed(), transposeA: true, transposeB: true), c)
    }

    func testBatchedAndFolded() {
        var g = SeededGenerator(seed: 4)
        let a = Tensor(shape: [3, 4, 5], normalMean: 0, std: 1, generator: &g)
        let w = Tensor(shape: [3, 5, 2], normalMean: 0, std: 1, generator: &g)
        let c = Tensor.matmul(a, w)
        XCTAssertEqual(c.shape, [3, 4, 2])
        for e in 0..<3 {
            assertClose(c.slice(axis: 0, e..<(e + 1)).reshaped([4, 2]),
                        naive(a.slice(axis: 0, e..<(e + 1)).reshaped([4, 5]), w.slice(axis: 0, e..<(e + 1)).reshaped([5, 2])))
        }
        let w2 = Tensor(shape: [5, 2], normalMean: 0, std: 1, generator: &g)
        let folded = Tensor.matmul(a, w2)
        XCTAssertEqual(folded.shape, [3, 4, 2])
        assertClose(folded.reshaped([12, 2]), naive(a.reshaped([12, 5]), w2))
        var out = Tensor(zeros: [3, 4, 2])
        Tensor.matmul(a, w, into: &out)
        Tensor.matmul(a, w, accumulate: true, into: &out)
        assertClose(out, c * 2)
    }

    func testGradientsAllTransposeCombinations() {
        var g = SeededGenerator(seed: 5)
        for tA in [false, true] {
            for tB in [false, true] {
                let a = Tensor(shape: tA ? [4, 3] : [3, 4], normalMean: 0, std: 1, generator: &g)
                let b = Tensor(shape: tB ? [2, 4] : [4, 2], normalMean: 0, std: 1, generator: &g)
                checkGradients(inputs: [a, b]) { _, v in Variable.matmul(v[0], v[1], transposeA: tA, transposeB: tB) }
                let ab = Tensor(shape: [2] + a.shape, normalMean: 0, std: 1, generator: &g)
                let bb = Tensor(shape: [2] + b.shape, normalMean: 0, std: 1, generator: &g)
                checkGradients(inputs: [ab, bb]) { _, v in Variable.matmul(v[0], v[1], transposeA: tA, transposeB: tB) }
            }
        }
        let x = Tensor(shape: [2, 3, 4], normalMean: 0, std: 1, generator: &g)
        let w = Tensor(shape: [2, 4], normalMean: 0, std: 1, generator: &g)
        checkGradients(inputs: [x, w]) { _, v in Variable.matmul(v[0], v[1], transposeB: true) }
    }
}
