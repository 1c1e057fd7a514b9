import Foundation
import NN
import SeededRandom
import TensorCore
import TestSupport
import WorldModels
import XCTest

/// ``S4DLayer`` (`.real`) against the `s4d_real` fixture, torch_bench.S4DReal(H 3, N 4)
/// on [2, 6, 3]: output and gradients of Σ output ⊙ R (see ``MambaBlockFixtureTests``),
/// and its recurrent steps against the fixture's output.
final class S4WMFixtureTests: XCTestCase {
    func testS4DRealLayerMatchesTorch() throws {
        let c = try MambaBlockFixtureTests.loadCase("s4d_real")
        var g = SeededGenerator(seed: 0)
        let layer = S4DLayer(channels: 3, stateSize: 4, mode: .real, generator: &g)
        try MambaBlockFixtureTests.load(c, into: layer)
        MambaBlockFixtureTests.check(c, module: layer) { layer($0, resetMask: nil) }
        let (b, t, h) = (2, 6, 3)
        var state = Tensor(zeros: [b] + layer.stateShape)
        for s in 0..<t {
            let y = layer.step(c.input.slice(axis: 1, s..<(s + 1)).reshaped([b, h]), state: &state)
            assertClose(y, c.output.slice(axis: 1, s..<(s + 1)).reshaped([b, h]), relativeTolerance: 1e-4, absoluteTolerance: 1e-4)
        }
    }
}
