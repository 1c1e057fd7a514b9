import Replay
import SeededRandom
import XCTest

/// Return-weighted trajectory sampling: probabilities in closed form, and draws that follow them.
final class TrajectoryWeightsTests: XCTestCase {
    /// Three trajectories: returns 0 (2 steps), 10 (4 steps, timed out) and 5 (2 steps, unfinished).
    func dataset() -> OfflineDataset {
        let rewards: [Float] = [0, 0, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5]
        return OfflineDataset(observationSize: 1, actionSize: 1, observations: (0..<8).map(Float.init), actions: Array(repeating: 0, count: 8),
                              rewards: rewards, nextObservations: (1...8).map(Float.init),
                              terminals: [false, true, false, false, false, false, false, false],
                              timeouts: [false, false, false, false, false, true, false, false])
    }

    func testProbabilitiesFollowTheNormalisedReturns() {
        let weights = TrajectoryWeights(dataset: dataset(), temperature: 0.5)
        XCTAssertEqual(weights.trajectories.map(\.length), [2, 4, 2])
        XCTAssertEqual(weights.trajectories.map(\.return), [0, 10, 5])
        // Ĝ = 0, 1, 0.5 → w ∝ e⁰, e², e¹; per transition w / L.
        let w = [exp(0.0), exp(2.0), exp(1.0)], sum = w.reduce(0, +)
        let expected = [w[0] / sum / 2, w[0] / sum / 2] + Array(repeating: w[1] / sum / 4, count: 4) + [w[2] / sum / 2, w[2] / sum / 2]
        for row in 0..<8 { XCTAssertEqual(weights.probability(of: row), expected[row], accuracy: 1e-12, "row \(row)") }
        XCTAssertEqual(weights.cumulative.last, 1)
    }

    func testDrawsMatchTheProbabilitiesAndABufferSamplesWithThem() throws {
        let data = dataset()
        let weights = TrajectoryWeights(dataset: data, temperature: 0.2)
        var generator = SeededGenerator(seed: 4)
        var counts = [Int](repeating: 0, count: 8)
        let draws = 200_000
        for _ in 0..<draws { counts[weights.sample(using: &generator)] += 1 }
        for row in 0..<8 {
            XCTAssertEqual(Double(counts[row]) / Double(draws), weights.probability(of: row), accuracy: 0.005, "row \(row)")
        }
        // Through the replay buffer: the rows of the best trajectory (observations 2...5) dominate.
        let buffer = ReplayBuffer(dataset: data)
        var batch = TransitionBatch(observationSize: 1, actionSize: 1)
        try buffer.sampleTransitions(batchSize: 4000, weights: weights, into: &batch, using: &generator)
        let best = batch.observations.filter { (2...5).contains($0) }.count
        XCTAssertEqual(Double(best) / 4000, (2...5).map { weights.probability(of: $0) }.reduce(0, +), accuracy: 0.03)
        XCTAssertGreaterThan(Double(best) / 4000, 0.9)
    }
}
