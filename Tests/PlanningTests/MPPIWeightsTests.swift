import SeededRandom
import XCTest
@testable import Planning

/// Records what it was asked and answers with arbitrary values (one of them
/// not finite), so the planner's refit can be recomputed independently.
struct RecordingObjective: TrajectoryObjective {
    let actionSize: Int
    var samples: [Float] = []
    var values: [Float] = []

    mutating func evaluate(actions: UnsafeBufferPointer<Float>, horizon: Int, values out: UnsafeMutableBufferPointer<Float>) {
        samples = Array(actions)
        let n = horizon * actionSize
        for p in 0..<out.count {
            // A bumpy function of the sequence; every 7th candidate diverged.
            let sum = (0..<n).reduce(Float(0)) { $0 + actions[p * n + $1] * Float($1 + 1) }
            out[p] = p % 7 == 3 ? .nan : 3 * sin(sum) - 0.1 * sum * sum
        }
        values = Array(out)
    }
}

final class MPPIWeightsTests: XCTestCase {
    /// One iteration's new mean is Σ_p softmax(R / λ)_p · u_p over the finite
    /// values, computed here in Double from the recorded samples and values.
    func testTheRefitIsTheSoftmaxWeightedMeanOfTheSamples() {
        for temperature: Float in [0.05, 1, 20] {
            let bounds = ActionBounds(lower: [-1, -2], upper: [1, 2])
            var planner = MPPIPlanner(horizon: 3, bounds: bounds, population: 64, iterations: 1,
                                      temperature: temperature, noiseStd: 0.5, smoothing: 0.7)
            var objective = RecordingObjective(actionSize: 2)
            var generator = SeededGenerator(seed: 11)
            let mean = planner.plan(&objective, using: &generator)

            let finite = objective.values.enumerated().filter { $0.element.isFinite }
            XCTAssertEqual(finite.count, 64 - 9, "the NaN candidates are left out")
            let best = Double(finite.map(\.element).max()!)
            let logits = finite.map { (Double($0.element) - best) / Double(temperature) }
            let total = logits.map { exp($0) }.reduce(0, +)
            let weights = logits.map { exp($0) / total }
            let n = 6
            for i in 0..<n {
                let expected = zip(finite, weights).reduce(0.0) { $0 + $1.1 * Double(objective.samples[$1.0.offset * n + i]) }
                XCTAssertEqual(Double(mean[i]), expected, accuracy: 1e-5, "temperature \(temperature), entry \(i)")
            }
        }
    }
}
