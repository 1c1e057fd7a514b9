import NN
import SeededRandom
import TensorCore
import TestSupport
import XCTest

final class EmbeddingTests: XCTestCase {
    func testParameterCountAndLookup() {
        var g = SeededGenerator(seed: 1)
        let e = Embedding(count: 6, dimension: 3, generator: &g)
        XCTAssertEqual(e.parameterCount, 18)
        XCTAssertEqual(e([4, 0]).scalars, Array(e.weight.value.scalars[12..<15]) + Array(e.weight.value.scalars[0..<3]))
    }

    func testGradientsAccumulateOverRepeatedIndices() {
        var g = SeededGenerator(seed: 2)
        let e = Embedding(count: 4, dimension: 3, generator: &g)
        checkGradients(inputs: [], parameters: e.parameters) { tape, _ in e([1, 3, 1], tape: tape).tanh() }
        let (_, grads) = valueWithGradient(of: e.parameters) { tape in e([2, 2], tape: tape).sum() }
        XCTAssertEqual(grads[e.weight].scalars, [0, 0, 0, 0, 0, 0, 2, 2, 2, 0, 0, 0])
    }
}
