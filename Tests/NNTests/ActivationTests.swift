import NN
import TensorCore
import TestSupport
import XCTest

final class ActivationTests: XCTestCase {
    /// The `activations` fixture on linspace(−6, 6, 13): silu, gelu (erf), gelu (tanh), softplus,
    /// sigmoid, tanh, leaky_relu(0.01), log_softmax; forward within rtol 1e-5 / atol 1e-6, and the
    /// input gradient of Σ_k Σ out_k·R_k within rtol 1e-5 / atol 1e-5.
    func testMatchesPyTorchFixture() throws {
        let c = try TorchCase.load("activations")
        let x = c.inputs[0]
        let tape = Tape()
        let xv = tape.variable(x)
        let outs: [Variable] = [Activation.silu(xv), Activation.gelu(xv), Activation.geluTanh(xv), Activation.softplus(xv),
                                Activation.sigmoid(xv), Activation.tanh(xv), Activation.leakyRelu(xv), xv.logSoftmax()]
        var errors: [Float] = []
        var loss = (outs[0] * c.lossWeights[0]).sum()
        for k in 0..<outs.count {
            errors.append(assertClose(outs[k].value, c.outputs[k], relativeTolerance: 1e-5, absoluteTolerance: 1e-6, "output \(k)"))
            if k > 0 { loss = loss + (outs[k] * c.lossWeights[k]).sum() }
        }
        assertClose(loss.value.scalar, c.loss, relativeTolerance: 1e-5)
        let grad = tape.gradients(of: loss, withRespectTo: [xv])[0]
        errors.append(assertClose(grad.scalars, c.inputGradients[0], relativeTolerance: 1e-5, absoluteTolerance: 1e-5))
        print("fixture activations max |error|: \(errors.max()!)")
    }

    func testIdentityAndCodable() throws {
        let x = Tensor([1, -2])
        XCTAssertEqual(Activation.identity(x), x)
        let decoded = try JSONDecoder().decode([Activation].self, from: Data(#"["silu","geluTanh"]"#.utf8))
        XCTAssertEqual(decoded, [.silu, .geluTanh])
    }
}
