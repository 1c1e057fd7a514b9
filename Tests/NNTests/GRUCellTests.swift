import NN
import SeededRandom
import TensorCore
import TestSupport
import XCTest

final class GRUCellTests: XCTestCase {
    func testParameterCountAndNames() {
        var g = SeededGenerator(seed: 1)
        let cell = GRUCell(inputSize: 3, hiddenSize: 4, generator: &g)
        XCTAssertEqual(cell.parameterCount, 3 * 4 * (3 + 4) + 2 * 3 * 4)
        XCTAssertEqual(cell.namedParameters().map(\.0), ["weight_ih", "weight_hh", "bias_ih", "bias_hh"])
    }

    func testGradientsOfStepAndUnroll() {
        var g = SeededGenerator(seed: 2)
        let cell = GRUCell(inputSize: 3, hiddenSize: 4, generator: &g)
        let x = Tensor(shape: [2, 3], normalMean: 0, std: 1, generator: &g)
        let h = Tensor(shape: [2, 4], normalMean: 0, std: 0.5, generator: &g)
        checkGradients(inputs: [x, h], parameters: cell.parameters) { _, v in cell(v[0], state: v[1]) }
        let seq = Tensor(shape: [2, 3, 3], normalMean: 0, std: 1, generator: &g)
        checkGradients(inputs: [seq, h], parameters: cell.parameters) { _, v in cell.sequence(v[0], initialState: v[1]) }
        let tape = Tape()
        assertClose(cell(x, state: h), cell(tape.constant(x), state: tape.constant(h)).value)
    }

    /// torch.nn.GRU(3, 4, batch_first=True) fixture unrolled with the cell: all states, final state,
    /// and the gradients of Σ states·R₀ + Σ final·R₁ (rtol 1e-5, atol 1e-5).
    func testMatchesPyTorchFixture() throws {
        let c = try TorchCase.load("gru")
        var g = SeededGenerator(seed: 0)
        let cell = GRUCell(inputSize: 3, hiddenSize: 4, generator: &g)
        cell.weightIH.value = c.parameter("weight_ih_l0")
        cell.weightHH.value = c.parameter("weight_hh_l0")
        cell.biasIH.value = c.parameter("bias_ih_l0")
        cell.biasHH.value = c.parameter("bias_hh_l0")
        let x = c.inputs[0]
        let (b, t) = (x.shape[0], x.shape[1])
        let tape = Tape()
        let xv = tape.variable(x)
        let states = cell.sequence(xv, initialState: tape.constant(cell.zeroState(batchSize: b)))
        let final = states.slice(axis: 1, (t - 1)..<t).reshaped([1, b, 4])
        var errors: [Float] = []
        errors.append(assertClose(states.value, c.outputs[0], relativeTolerance: 1e-5, absoluteTolerance: 1e-6))
        errors.append(assertClose(final.value, c.outputs[1], relativeTolerance: 1e-5, absoluteTolerance: 1e-6))
        let loss = (states * c.lossWeights[0]).sum() + (final * c.lossWeights[1]).sum()
        assertClose(loss.value.scalar, c.loss, relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
        let leaves = [xv] + cell.parameters.map { tape.variable($0) }
        let grads = tape.gradients(of: loss, withRespectTo: leaves)
        errors.append(assertClose(grads[0].scalars, c.inputGradients[0], relativeTolerance: 1e-5, absoluteTolerance: 1e-5))
        for (k, name) in ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"].enumerated() {
            errors.append(assertClose(grads[k + 1].scalars, c.parameterGradient(name), relativeTolerance: 1e-5, absoluteTolerance: 1e-5, name))
        }
        print("fixture gru max |error|: \(errors.max()!)")
    }
}
