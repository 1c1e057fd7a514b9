import Foundation
import Replay
import SeededRandom
import TestSupport
import WorldModels
import XCTest

/// The memory test of the sequence world-model core: on the T-maze with a
/// 16-cell corridor the GRU, S4WM, transformer and Mamba models must predict
/// the cue-dependent final reward (≥ 95 % sign accuracy on 100 held-out
/// episodes) while the memoryless MLP backbone cannot (≈ 50 %: the reward is
/// independent of everything it sees). The Mamba test needs 5000 steps and runs
/// in release builds only (skipped in debug). Recipes: `TMazeMemoryProbe`.
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
            GRUBackbone(inputSize: $0, hiddenSize: 24, updateGateBias: 6, generator: &$1)
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

    /// S4WM (Deng et al. 2023): d_model 32, one block, complex S4D-Lin layer (A_re = −½ for every
    /// state, so all N states decay slowly; S4D-Real's A_n = −(n+1) leaves one or two) with
    /// N 32 and Δ ~ logU(0.01, 0.1), heads 32, Adam 2e-3, 600 steps of 32 windows.
    /// Debug build ≈ 28–30 s (release ≈ 2 s). Release sweep of this recipe: seeds 1, 2, 3, 4,
    /// 6, 7, 8 reach 100/100, seed 5 stays at 51/100. At the probe's default Adam 1e-2 it stays
    /// at chance even after 2000 steps; S4D-Real (Δ 1e-3…1e-1 or 0.01…0.1) stays at chance
    /// (seeds 1, 7); the complex layer with the default Δ range 1e-3…1e-1 reaches 100/100 on
    /// 5 of seeds 1–7 (4 and 5 at chance).
    func testS4WMRemembersTheCue() throws {
        let start = Date()
        let (result, report) = try Self.probe.trainAndMeasure(trainSteps: 600, seed: 7, learningRate: 2e-3) {
            S4WMBackbone(inputSize: $0, modelSize: 32, layers: 1, stateSize: 32, mode: .complex, dtMin: 0.01, dtMax: 0.1,
                         generator: &$1)
        }
        print("T-maze memory probe: S4WM \(result.correct)/\(result.episodes) (loss \(report.trainLoss), "
              + "\(Date().timeIntervalSince(start)) s)")
        XCTAssertGreaterThanOrEqual(result.accuracy, 0.95, "the S4WM world model should remember the cue")
    }

    /// Causal transformer: d_model 32, 4 heads, feed-forward 64, one layer, learned positions,
    /// context 32, heads 32, Adam 1e-3, 700 steps of 32 windows.
    /// Debug build ≈ 24–26 s (release ≈ 3 s). Release sweep of this recipe: seeds 1, 2, 3, 4,
    /// 6, 7, 8 reach 100/100, seed 5 stays at 51/100. With 2 heads only seeds 2, 3, 4, 7 did
    /// (1: 84, 8: 72, 5 and 6 at chance; 5 and 6 still at 1100 steps). At Adam 1e-2 and 3e-3 seed 7
    /// stays at chance after 1000 steps; d 16 is cheaper but seed 7 stays at chance with it.
    func testTransformerRemembersTheCue() throws {
        let start = Date()
        let (result, report) = try Self.probe.trainAndMeasure(trainSteps: 700, seed: 7, learningRate: 1e-3) {
            try TransformerBackbone(TransformerConfiguration(inputSize: $0, modelSize: 32, headCount: 4, layerCount: 1,
                                                             feedForwardSize: 64, context: 32), generator: &$1)
        }
        print("T-maze memory probe: transformer \(result.correct)/\(result.episodes) (loss \(report.trainLoss), "
              + "\(Date().timeIntervalSince(start)) s)")
        XCTAssertGreaterThanOrEqual(result.accuracy, 0.95, "the transformer world model should remember the cue")
    }

    /// Mamba: d_model 32, one block, N 16, expand 2, `stateDecayInit` 0.02 (every A = −0.02
    /// instead of −(n+1)) with `dtInitRange` 0.5…2, so every state keeps ≈ e^{−0.02Δ} per step
    /// and admits the input with gain ≈ Δ; heads 32, Adam 1e-3, 5000 steps of 32 windows.
    /// With the default or the reference Δ init (1e-3…1e-1) and A_n = −(n+1), seed 7 stays at
    /// chance after 4000 steps; this recipe at Adam 2e-3 stays at chance after 3000. Release
    /// sweep: 5000 steps, seeds 1, 2, 3, 7 reach 100/100 (≈ 20–28 s each); 4000 steps, seeds
    /// 1, 3, 7 reach 100/100 and seed 2 49/100. Too slow for the default debug run (≈ 70 s per
    /// 300 steps there), so it runs only in release builds: `swift test -c release -Xswiftc
    /// -enable-testing --filter TMazeMemoryProbeTests/testMambaRemembersTheCue`.
    func testMambaRemembersTheCue() throws {
        #if DEBUG
        throw XCTSkip("5000 Mamba steps take minutes in a debug build; run in release (≈ 20–25 s)")
        #else
        let start = Date()
        let (result, report) = try Self.probe.trainAndMeasure(trainSteps: 5000, seed: 7, learningRate: 1e-3) {
            MambaBackbone(inputSize: $0, modelSize: 32, layers: 1, stateSize: 16, expand: 2, dtInitRange: 0.5...2,
                          stateDecayInit: 0.02, generator: &$1)
        }
        print("T-maze memory probe: Mamba \(result.correct)/\(result.episodes) (loss \(report.trainLoss), "
              + "\(Date().timeIntervalSince(start)) s)")
        XCTAssertGreaterThanOrEqual(result.accuracy, 0.95, "the Mamba world model should remember the cue")
        #endif
    }
}
