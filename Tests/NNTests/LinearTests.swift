import NN
import SeededRandom
import TensorCore
import TestSupport
import XCTest

/// Gradient checks in NNTests use TestSupport's defaults (step 1e-2, rtol 1e-2, atol 1e-3) unless noted.
final class LinearTests: XCTestCase {
    func testParameterCountAndNames() {
        var g = SeededGenerator(seed: 1)
        let layer = Linear(inputSize: 5, outputSize: 3, generator: &g)
        XCTAssertEqual(layer.parameterCount, 5 * 3 + 3)
        XCTAssertEqual(layer.namedParameters().map(\.0), ["weight", "bias"])
        XCTAssertEqual(layer.weight.shape, [3, 5])
        XCTAssertEqual(Linear(inputSize: 5, outputSize: 3, bias: false, generator: &g).parameterCount, 15)
    }

    func testPyTorchDefaultInitBounds() {
        var g = SeededGenerator(seed: 2)
        let layer = Linear(inputSize: 16, outputSize: 64, generator: &g)
        let bound: Float = 0.25   // 1/sqrt(16)
        XCTAssertTrue(layer.weight.value.scalars.allSatisfy { abs($0) <= bound })
        XCTAssertTrue(layer.bias!.value.scalars.allSatisfy { abs($0) <= bound })
        // a uniform on ±0.25 has |x| mean 0.125; 1024 draws put the sample mean well within 0.11…0.14
        let meanAbs = layer.weight.value.scalars.map(abs).reduce(0, +) / 1024
        XCTAssertEqual(meanAbs, 0.125, accuracy: 0.015)
    }

    func testForwardMatchesDefinitionAndInferencePath() {
        var g = SeededGenerator(seed: 3)
        let layer = Linear(inputSize: 3, outputSize: 2, generator: &g)
        let x = Tensor(shape: [4, 3], normalMean: 0, std: 1, generator: &g)
        let expected = Tensor.matmul(x, layer.weight.value.transposed()) + layer.bias!.value
        assertClose(layer(x), expected)
        let tape = Tape()
        assertClose(layer(tape.constant(x)).value, expected)
        var out = Tensor(zeros: [8])
        layer.forward(x, into: &out)
        assertClose(out, expected)
        // leading axes are folded: [2, 2, 3] -> [2, 2, 2]
        XCTAssertEqual(layer(x.reshaped([2, 2, 3])).shape, [2, 2, 2])
    }

    func testGradients() {
        var g = SeededGenerator(seed: 4)
        let layer = Linear(inputSize: 3, outputSize: 4, generator: &g)
        let x = Tensor(shape: [5, 3], normalMean: 0, std: 1, generator: &g)
        checkGradients(inputs: [x], parameters: layer.parameters) { _, v in layer(v[0]) }
        checkGradients(inputs: [x.reshaped([5, 1, 3])], parameters: layer.parameters) { _, v in layer(v[0]) }
    }
}
