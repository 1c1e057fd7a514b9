import Foundation
import SeededRandom
import WorldModels
import XCTest

/// The T-maze memory test for the causal transformer backbone: attention over
/// the whole 20-step episode must find the cue shown at step 0 and predict the
/// cue-dependent final reward (≥ 95 % sign accuracy on 100 held-out episodes;
/// the memoryless MLP gets ≈ 50 %, see `TMazeMemoryProbeTests`).
final class TransformerMemoryTests: XCTestCase {
    func testTransformerRemembersTheCue() throws {
        let start = Date()
        let (result, report) = try TMazeMemoryProbe(corridorLength: 16).trainAndMeasure(trainSteps: 200, seed: 7) {
            try TransformerBackbone(TransformerConfiguration(inputSize: $0, modelSize: 32, headCount: 2, layerCount: 1,
                                                             feedForwardSize: 64, context: 32), generator: &$1)
        }
        print("T-maze memory probe: transformer \(result.correct)/\(result.episodes) (loss \(report.trainLoss), \(Date().timeIntervalSince(start)) s)")
        XCTAssertGreaterThanOrEqual(result.accuracy, 0.95, "the transformer world model should remember the cue")
    }
}
