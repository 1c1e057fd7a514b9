import NN
import TensorCore
import TestSupport
import XCTest

final class AdamTests: XCTestCase {
    /// torch.optim.Adam(lr=1e-2) and AdamW(lr=1e-2, weight_decay=1e-2): three steps from p0 with
    /// fixed gradients, every step within rtol 1e-6 / atol 1e-7.
    func testMatchesPyTorchFixture() throws {
        let c = try TorchCase.load("optimizers")
        let p0 = TorchCase.flatten(c.raw["p0"]!)
        let gradients = c.list("gradients")
        var errors: [Float] = []
        for (key, make) in [("adam_lr1e-2_betas0.9_0.999", { (p: Parameter) in Adam(parameters: [p], learningRate: 1e-2) }),
                            ("adamw_lr1e-2_wd1e-2", { (p: Parameter) in Adam.adamW(parameters: [p], learningRate: 1e-2, weightDecay: 1e-2) })] {
            let p = Parameter(Tensor(p0))
            let opt = make(p)
            let expected = c.list(key)
            for step in 0..<3 {
                let (_, grads) = valueWithGradient(of: [p]) { tape in (tape.variable(p) * Tensor(gradients[step])).sum() }
                opt.update(grads)
                errors.append(assertClose(p.value.scalars, expected[step], relativeTolerance: 1e-6, absoluteTolerance: 1e-7, "\(key) step \(step + 1)"))
            }
        }
        print("fixture optimizers max |error|: \(errors.max()!)")
    }

    func testAdamL2WeightDecayAddsToGradient() {
        // with zero gradient, Adam's L2 form still moves the parameter toward 0 by lr on the first step
        let p = Parameter(Tensor([2, -3]))
        let opt = Adam(parameters: [p], learningRate: 0.1, weightDecay: 0.5)
        let (_, grads) = valueWithGradient(of: [p]) { tape in tape.variable(p).sum() * 0 }
        opt.update(grads)
        assertClose(p.value.scalars, [1.9, -2.9])
    }

    func testExemptParametersGetNoWeightDecay() {
        // the same zero-gradient step: the exempt parameter (a Mamba A_log, say) stays, the other decays
        for decoupled in [false, true] {
            let decayed = Parameter(Tensor([2, -3])), exempt = Parameter(Tensor([2, -3]), exemptFromWeightDecay: true)
            let opt = Adam(parameters: [decayed, exempt], learningRate: 0.1, weightDecay: 0.5, decoupledWeightDecay: decoupled)
            let (_, grads) = valueWithGradient(of: [decayed, exempt]) { tape in
                (tape.variable(decayed).sum() + tape.variable(exempt).sum()) * 0
            }
            opt.update(grads)
            XCTAssertEqual(exempt.value.scalars, [2, -3], "decoupled \(decoupled)")
            XCTAssertLessThan(abs(decayed.value.scalars[0]), 2, "decoupled \(decoupled)")
        }
    }

    func testGradientClipping() {
        let a = Parameter(Tensor([3, 0])), b = Parameter(Tensor([4]))
        var (_, grads) = valueWithGradient(of: [a, b]) { tape in (tape.variable(a) * tape.variable(a)).sum() * 0.5 + tape.variable(b).squared().sum() * 0.5 }
        XCTAssertEqual(clipGradientNorm(&grads, maxNorm: 10), 5)     // unchanged below the limit
        XCTAssertEqual(grads[a].scalars, [3, 0])
        XCTAssertEqual(clipGradientNorm(&grads, maxNorm: 1), 5)
        assertClose(grads.globalNorm, 1, relativeTolerance: 1e-5)
        assertClose(grads[b].scalars, [0.8], relativeTolerance: 1e-5)
    }
}
