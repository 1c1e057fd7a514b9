import NN
import SeededRandom
import TensorCore
import TestSupport
import XCTest

final class EnsembleLinearTests: XCTestCase {
    func testParameterCount() {
        var g = SeededGenerator(seed: 1)
        let layer = EnsembleLinear(members: 5, inputSize: 6, outputSize: 4, generator: &g)
        XCTAssertEqual(layer.parameterCount, 5 * (6 * 4 + 4))
        XCTAssertEqual(layer.weight.shape, [5, 6, 4])
        XCTAssertEqual(layer.bias.shape, [5, 1, 4])
    }

    func testEachMemberIsAnIndependentAffineMap() {
        var g = SeededGenerator(seed: 2)
        let layer = EnsembleLinear(members: 3, inputSize: 4, outputSize: 2, generator: &g)
        layer.bias.value = Tensor(shape: [3, 1, 2], normalMean: 0, std: 1, generator: &g)
        let x = Tensor(shape: [3, 5, 4], normalMean: 0, std: 1, generator: &g)
        let y = layer(x)
        for e in 0..<3 {
            let xe = x.slice(axis: 0, e..<(e + 1)).reshaped([5, 4])
            let we = layer.weight.value.slice(axis: 0, e..<(e + 1)).reshaped([4, 2])
            let be = layer.bias.value.slice(axis: 0, e..<(e + 1)).reshaped([2])
            assertClose(y.slice(axis: 0, e..<(e + 1)).reshaped([5, 2]), Tensor.matmul(xe, we) + be)
        }
        assertClose(layer(Tape().constant(x)).value, y)
    }

    func testGradients() {
        var g = SeededGenerator(seed: 3)
        let layer = EnsembleLinear(members: 2, inputSize: 3, outputSize: 2, generator: &g)
        layer.bias.value = Tensor(shape: [2, 1, 2], normalMean: 0, std: 1, generator: &g)
        let x = Tensor(shape: [2, 4, 3], normalMean: 0, std: 1, generator: &g)
        checkGradients(inputs: [x], parameters: layer.parameters) { _, v in layer(v[0]) }
    }
}
