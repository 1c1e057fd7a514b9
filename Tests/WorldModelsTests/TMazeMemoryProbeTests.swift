import Foundation
import Replay
import SeededRandom
import TestSupport
import WorldModels
import XCTest

/// The memory test of the sequence world-model core: on the T-maze with a
/// 16-cell corridor the GRU model must predict the cue-dependent final reward
/// (≥ 95 % sign accuracy on 100 held-out episodes) while the memoryless MLP
/// backbone cannot (≈ 50 %: the reward is independent of everything it sees).
///
/// Budget (debug build, 2 cores, ≈ 15–20 s for the GRU): GRU 24 units, heads
/// 32, update-gate bias 6 (z ≈ 0.998 at init, so the cue survives the 19
/// steps), Adam 1e-2, 300 steps of 32 whole-episode windows; the MLP gets 60
/// steps (more cannot help it). With this recipe the GRU reached 100/100 for
/// seeds 1, 2, 3, 4 and 7; with bias 4 instead, seed 2 stayed at chance after
/// 300 steps (it needed 450).
final class TMazeMemoryProbeTests: XCTestCase {
    static let probe = TMazeMemoryProbe(corridorLength: 16)

    func testCollectedEpisodesFollowTheScript() throws {
        var generator = SeededGenerator(seed: 1)
        let buffer = try Self.probe.collect(episodes: 40, using: &generator)
        let episodes = Array(buffer.episodes)
        XCTAssertEqual(episodes.count, 40)
        var positive = 0
        for episode in episodes {
            XCTAssertEqual(episode.length, 20)
            XCTAssertEqual(episode.terminated.last, true)
            XCTAssertEqual(abs(episode.rewards[19]), 1)
            XCTAssertEqual(episode.rewards.prefix(19).reduce(0, +), 0)
            if episode.rewards[19] > 0 { positive += 1 }
        }
        XCTAssert((10...30).contains(positive), "rewards should be ±1 about equally often, got \(positive)/40 positive")
    }

    func testGRURemembersTheCueAndMemorylessMLPDoesNot() throws {
        let start = Date()
        let probe = Self.probe
        let (gru, gruReport) = try probe.trainAndMeasure(trainSteps: 300, seed: 7) {
            UnrolledGRUBackbone(inputSize: $0, hiddenSize: 24, updateGateBias: 6, generator: &$1)
        }
        let gruSeconds = Date().timeIntervalSince(start)
        let (mlp, mlpReport) = try probe.trainAndMeasure(trainSteps: 60, seed: 7) {
            MLPSequenceBackbone(inputSize: $0, hiddenSize: 24, generator: &$1)
        }
        let total = Date().timeIntervalSince(start)
        print("T-maze memory probe: GRU \(gru.correct)/\(gru.episodes) (loss \(gruReport.trainLoss), \(gruSeconds) s), "
              + "MLP \(mlp.correct)/\(mlp.episodes) (loss \(mlpReport.trainLoss)), total \(total) s")
        XCTAssertGreaterThanOrEqual(gru.accuracy, 0.95, "the GRU world model should remember the cue")
        XCTAssert((0.35...0.65).contains(mlp.accuracy), "a memoryless model cannot know the cue: \(mlp.accuracy)")
    }
}
