import NN
import SeededRandom
import TensorCore
import TestSupport
import XCTest

/// The `gaussian_ensemble` fixture (torch_bench.GaussianEnsemble E=2, in 3, out 2, hidden 4 × 2, SiLU)
/// expressed with the generic layers: EnsembleLinear → silu → EnsembleLinear → silu → head,
/// split into mean and raw log-variance, soft bounds, Gaussian NLL + 0.01·(Σmax − Σmin).
final class GaussianEnsembleFixtureTests: XCTestCase {
    func testMatchesPyTorchFixture() throws {
        let c = try TorchCase.load("gaussian_ensemble")
        var g = SeededGenerator(seed: 0)
        let hidden = [EnsembleLinear(members: 2, inputSize: 3, outputSize: 4, generator: &g),
                      EnsembleLinear(members: 2, inputSize: 4, outputSize: 4, generator: &g)]
        let head = EnsembleLinear(members: 2, inputSize: 4, outputSize: 4, generator: &g)
        let bounds = SoftLogVarianceBounds(size: 2)
        for (k, layer) in hidden.enumerated() {
            layer.weight.value = c.parameter("hidden.\(k).weight")
            layer.bias.value = c.parameter("hidden.\(k).bias")
        }
        head.weight.value = c.parameter("head.weight")
        head.bias.value = c.parameter("head.bias")
        bounds.minLogVariance.value = c.parameter("min_logvar")
        bounds.maxLogVariance.value = c.parameter("max_logvar")

        let tape = Tape()
        let x = tape.variable(c.inputs[0]), y = tape.variable(c.inputs[1])
        var h = x
        for layer in hidden { h = layer(h).silu() }
        let parts = head(h).split(sizes: [2, 2], axis: -1)
        let mean = parts[0], logVariance = bounds(parts[1])
        let nll = gaussianNLLLoss(mean: mean, logVariance: logVariance, target: y) + bounds.penalty(tape: tape)

        var errors: [Float] = []
        errors.append(assertClose(mean.value, c.outputs[0], relativeTolerance: 1e-5, absoluteTolerance: 1e-6))
        errors.append(assertClose(logVariance.value, c.outputs[1], relativeTolerance: 1e-5, absoluteTolerance: 1e-6))
        errors.append(assertClose(nll.value.scalars, c.outputs[2].scalars, relativeTolerance: 1e-5, absoluteTolerance: 1e-6))

        let loss = (mean * c.lossWeights[0]).sum() + (logVariance * c.lossWeights[1]).sum() + nll * c.lossWeights[2].scalar
        assertClose(loss.value.scalar, c.loss, relativeTolerance: 1e-5)
        let names = ["hidden.0.weight", "hidden.0.bias", "hidden.1.weight", "hidden.1.bias", "head.weight", "head.bias", "min_logvar", "max_logvar"]
        let params = [hidden[0].weight, hidden[0].bias, hidden[1].weight, hidden[1].bias, head.weight, head.bias,
                      bounds.minLogVariance, bounds.maxLogVariance]
        let grads = tape.gradients(of: loss, withRespectTo: [x, y] + params.map { tape.variable($0) })
        errors.append(assertClose(grads[0].scalars, c.inputGradients[0], relativeTolerance: 1e-5, absoluteTolerance: 1e-5, "input x"))
        errors.append(assertClose(grads[1].scalars, c.inputGradients[1], relativeTolerance: 1e-5, absoluteTolerance: 1e-5, "input y"))
        for (k, name) in names.enumerated() {
            errors.append(assertClose(grads[k + 2].scalars, c.parameterGradient(name), relativeTolerance: 1e-5, absoluteTolerance: 1e-5, name))
        }
        print("fixture gaussian_ensemble max |error|: \(errors.max()!)")
    }
}
