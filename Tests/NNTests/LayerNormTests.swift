import NN
import SeededRandom
import TensorCore
import TestSupport
import XCTest

final class LayerNormTests: XCTestCase {
    func testParameterCount() {
        XCTAssertEqual(LayerNorm(size: 7).parameterCount, 14)
        XCTAssertEqual(LayerNorm(size: 7).namedParameters().map(\.0), ["weight", "bias"])
    }

    func testGradients() {
        var g = SeededGenerator(seed: 1)
        let ln = LayerNorm(size: 5)
        ln.weight.value = Tensor(shape: [5], normalMean: 1, std: 0.5, generator: &g)
        ln.bias.value = Tensor(shape: [5], normalMean: 0, std: 0.5, generator: &g)
        let x = Tensor(shape: [2, 3, 5], normalMean: 0, std: 1, generator: &g)
        checkGradients(inputs: [x], parameters: ln.parameters) { _, v in ln(v[0]) }
        assertClose(ln(x), ln(Tape().constant(x)).value, relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
    }

    /// torch.nn.LayerNorm(5) fixture: outputs, parameter and input gradients within rtol 1e-5 / atol 1e-5.
    func testMatchesPyTorchFixture() throws {
        let c = try TorchCase.load("layer_norm")
        let ln = LayerNorm(size: 5)
        ln.weight.value = c.parameter("weight")
        ln.bias.value = c.parameter("bias")
        let x = c.inputs[0]
        let tape = Tape()
        let xv = tape.variable(x)
        let y = ln(xv)
        var errors: [Float] = []
        errors.append(assertClose(y.value, c.outputs[0], relativeTolerance: 1e-5, absoluteTolerance: 1e-5))
        errors.append(assertClose(ln(x), c.outputs[0], relativeTolerance: 1e-5, absoluteTolerance: 1e-5))
        let grads = tape.gradients(of: y, withRespectTo: [xv, tape.variable(ln.weight), tape.variable(ln.bias)], seed: c.lossWeights[0])
        errors.append(assertClose(grads[0].scalars, c.inputGradients[0], relativeTolerance: 1e-5, absoluteTolerance: 1e-5))
        errors.append(assertClose(grads[1].scalars, c.parameterGradient("weight"), relativeTolerance: 1e-5, absoluteTolerance: 1e-5))
        errors.append(assertClose(grads[2].scalars, c.parameterGradient("bias"), relativeTolerance: 1e-5, absoluteTolerance: 1e-5))
        print("fixture layer_norm max |error|: \(errors.max()!)")
    }
}
