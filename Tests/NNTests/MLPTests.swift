import Foundation
import NN
import SeededRandom
import TensorCore
import TestSupport
import XCTest

final class MLPTests: XCTestCase {
    func testParameterCountAndNames() {
        var g = SeededGenerator(seed: 1)
        let mlp = MLP(inputSize: 5, hiddenSizes: [8, 7], outputSize: 2, activation: .silu, generator: &g)
        XCTAssertEqual(mlp.parameterCount, (5 * 8 + 8) + (8 * 7 + 7) + (7 * 2 + 2))
        XCTAssertEqual(mlp.namedParameters().map(\.0),
                       ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.2.weight", "layers.2.bias"])
    }

    func testGradientsForEachActivation() {
        var g = SeededGenerator(seed: 2)
        for activation in Activation.allCases where activation != .relu && activation != .leakyRelu {
            let mlp = MLP(inputSize: 3, hiddenSizes: [4], outputSize: 2, activation: activation, outputActivation: .tanh, generator: &g)
            let x = Tensor(shape: [3, 3], normalMean: 0, std: 1, generator: &g)
            checkGradients(inputs: [x], parameters: mlp.parameters) { _, v in mlp(v[0]) }
        }
        // ReLU: fixed inputs with hidden pre-activations checked to be away from the kink
        let mlp = MLP(inputSize: 2, hiddenSizes: [3], outputSize: 1, activation: .relu, generator: &g)
        let x = Tensor(rows: [[0.5, -1], [1, 2]])
        let pre = mlp.layers[0](x)
        XCTAssertTrue(pre.scalars.allSatisfy { abs($0) > 0.05 }, "pick another seed: pre-activation near the kink")
        checkGradients(inputs: [x], parameters: mlp.parameters, step: 1e-3) { _, v in mlp(v[0]) }
    }

    func testWorkspaceInferenceMatchesTapeForward() {
        var g = SeededGenerator(seed: 3)
        let mlp = MLP(inputSize: 4, hiddenSizes: [16, 16, 16], outputSize: 3, activation: .gelu, generator: &g)
        let x = Tensor(shape: [10, 4], normalMean: 0, std: 1, generator: &g)
        let expected = mlp(Tape().constant(x)).value
        var ws = MLP.Workspace()
        var out = Tensor(zeros: [0])
        for _ in 0..<3 { mlp.forward(x, workspace: &ws, into: &out) }
        assertClose(out, expected)
        assertClose(mlp(x), expected)
    }

    /// A 1-32-32-1 tanh MLP fits sin on [−π, π] to MSE < 1e-3 with full-batch Adam (lr 1e-2,
    /// 600 steps, then 200 at lr 2e-3; 64 points, seed 42) — about 3 s in a debug build.
    func testFitsSine() {
        var g = SeededGenerator(seed: 42)
        let mlp = MLP(inputSize: 1, hiddenSizes: [32, 32], outputSize: 1, activation: .tanh, generator: &g)
        let n = 64
        let xs = (0..<n).map { -Float.pi + 2 * Float.pi * Float($0) / Float(n - 1) }
        let x = Tensor(shape: [n, 1], scalars: xs)
        let y = Tensor(shape: [n, 1], scalars: xs.map { Foundation.sin($0) })
        let adam = Adam(parameters: mlp.parameters, learningRate: 1e-2)
        var loss: Float = .infinity
        for step in 0..<800 {
            if step == 600 { adam.learningRate = 2e-3 }
            let (value, grads) = valueWithGradient(of: mlp.parameters) { tape in
                mseLoss(mlp(tape.constant(x)), tape.constant(y))
            }
            loss = value
            adam.update(grads)
        }
        let final = (mlp(x) - y).squared().mean().scalar
        XCTAssertLessThan(final, 1e-3, "MSE after training \(final) (last step loss \(loss))")
    }
}

/// The inference path reuses its buffers: after the first call, outputs and workspace keep their storage.
final class InferenceBufferTests: XCTestCase {
    func address(_ t: Tensor) -> UnsafePointer<Float>? { t.withUnsafeBufferPointer { $0.baseAddress } }

    func testRepeatedForwardKeepsStorage() {
        var g = SeededGenerator(seed: 5)
        let mlp = MLP(inputSize: 6, hiddenSizes: [32, 32, 32], outputSize: 4, activation: .silu, generator: &g)
        let x = Tensor(shape: [100, 6], normalMean: 0, std: 1, generator: &g)
        var ws = MLP.Workspace()
        var out = Tensor(zeros: [0])
        mlp.forward(x, workspace: &ws, into: &out)
        let first = out
        let outAddress = address(out), pingAddress = address(ws.ping), pongAddress = address(ws.pong)
        _ = first  // `first` shares storage with `out`, so the next call must copy: drop it first
        var fresh = Tensor(zeros: [0])
        mlp.forward(x, workspace: &ws, into: &fresh)
        let freshAddress = address(fresh)
        mlp.forward(x, workspace: &ws, into: &fresh)
        XCTAssertEqual(address(fresh), freshAddress)
        XCTAssertEqual(Set([address(ws.ping), address(ws.pong)]), Set([pingAddress, pongAddress]))
        XCTAssertNotNil(outAddress)
        let layer = EnsembleLinear(members: 2, inputSize: 6, outputSize: 3, generator: &g)
        var eout = Tensor(zeros: [2, 50, 3])
        let before = address(eout)
        layer.forward(x.reshaped([2, 50, 6]), into: &eout)
        XCTAssertEqual(address(eout), before)
    }
}
