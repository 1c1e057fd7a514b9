import Foundation
import NN
import SeededRandom
import TestSupport
import XCTest

/// The double-backward of ``DenseNetwork/accumulateInputGradientParameterGradients(direction:rows:workspace:scratch:into:)``:
/// the input gradient matches a Double backward pass, and the parameter gradients of
/// F = Σ_r ⟨v_r, ∇_x y_r⟩ match central differences of F computed in Double.
final class DenseNetworkInputGradientLossTests: XCTestCase {
    func testParameterGradientsOfAnInputGradientLossMatchFiniteDifferences() {
        var g = SeededGenerator(seed: 11)
        let net = DenseNetwork(inputSize: 4, hiddenSizes: [7, 5], outputSize: 1, generator: &g)
        let rows = 6
        let x = (0..<(rows * 4)).map { _ in g.normal(mean: 0, std: 1) }
        let v = (0..<(rows * 4)).map { _ in g.normal(mean: 0, std: 1) }
        let workspace = net.makeWorkspace(rows: rows), scratch = net.makeWorkspace(rows: rows)
        var inputGradient = [Float](repeating: 0, count: rows * 4)
        var gradients = [Float](repeating: 0.5, count: net.parameterCount)
        x.withUnsafeBufferPointer { x in
            net.forward(x.baseAddress!, rows: rows, workspace: workspace)
            workspace.outputGradient.update(repeating: 1, count: rows)
            inputGradient.withUnsafeMutableBufferPointer {
                net.backpropagate(rows: 0..<rows, workspace: workspace, inputGradient: $0.baseAddress!)
            }
            v.withUnsafeBufferPointer { v in
                gradients.withUnsafeMutableBufferPointer {
                    net.accumulateInputGradientParameterGradients(direction: v.baseAddress!, rows: rows, workspace: workspace,
                                                                  scratch: scratch, into: $0.baseAddress!)
                }
            }
        }
        let reference = ReferenceDenseNetwork(net)
        var kink = Double.infinity
        let xd = x.map(Double.init), vd = v.map(Double.init)
        assertClose(inputGradient, reference.inputGradient(xd, rows: rows, kink: &kink).map { Float($0) },
                    relativeTolerance: 1e-5, absoluteTolerance: 1e-6, "∇_x y")
        func objective(_ p: [Double]) -> Double {
            let gradient = ReferenceDenseNetwork(parameters: p, layerSizes: net.layerSizes).inputGradient(xd, rows: rows, kink: &kink)
            var total = 0.0
            for i in gradient.indices { total += vd[i] * gradient[i] }
            return total
        }
        var numeric = [Float](repeating: 0, count: net.parameterCount)
        var p = reference.parameters
        for i in p.indices {
            let saved = p[i]
            p[i] = saved + 1e-6
            let plus = objective(p)
            p[i] = saved - 1e-6
            let minus = objective(p)
            p[i] = saved
            numeric[i] = Float((plus - minus) / 2e-6) + 0.5   // accumulated onto 0.5
        }
        assertClose(gradients, numeric, relativeTolerance: 1e-4, absoluteTolerance: 1e-5, "∂F/∂θ (+ the 0.5 already there)")
        XCTAssertGreaterThan(kink, 1e-4, "pick another seed: a pre-activation sits on a ReLU kink")
    }
}
