import Foundation
import Replay
import SeededRandom
import TestSupport
import WorldModels
import XCTest

/// The memory test of the sequence world-model core: on the T-maze with a
/// 16-cell corridor the GRU, RSSM, S4WM, transformer and Mamba models must
/// predict the cue-dependent final reward (≥ 95 % sign accuracy on 100
/// held-out episodes) while the memoryless MLP backbone cannot (≈ 50 %: the
/// reward is independent of everything it sees). The recipes are those of
/// `Configs/compare-backbones-memory.yaml` (why each needs what: `TMazeMemoryProbe`);
/// all but the GRU/MLP test run in release builds only (skipped in debug:
/// minutes there): `swift test -c release -Xswiftc -enable-testing --filter TMazeMemoryProbeTests`.
///
/// GRU: 24 units, heads 32, update-gate bias 6 (z ≈ 0.998 at init, so the cue
/// survives the 19 steps), Adam 1e-2, 600 steps of 32 whole-episode windows;
/// the MLP gets 60 steps (more cannot help it). At 300 steps one of seeds 0–3
/// of the config stayed at chance on an AVX-512 machine; with bias 4, seed 2
/// of this test needed 450.
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
        let (gru, gruReport) = try probe.trainAndMeasure(trainSteps: 600, seed: 7) {
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

    /// RSSM-lite (DreamerV3's RSSM, Gaussian latent): 24 units, z of 8, update-gate bias 6, the
    /// observation also fed to the GRU (`observationToDeterministic`; without it the probe stayed at
    /// chance, see `RSSMBackbone`), free nats 1, KL balance 0.5/0.1, Adam 1e-2, 600 steps.
    func testRSSMRemembersTheCue() throws {
        #if DEBUG
        throw XCTSkip("a learning test with release-sized budgets; run in release")
        #else
        let start = Date()
        let probe = Self.probe
        var scratch = SeededGenerator(seed: 0)
        let observationSize = try probe.collect(episodes: 1, using: &scratch).observationSize
        let (result, report) = try probe.trainAndMeasure(trainSteps: 600, seed: 7) {
            RSSMBackbone(inputSize: $0, observationSize: observationSize, hiddenSize: 24, stochasticSize: 8, headHiddenSize: 24,
                         updateGateBias: 6, observationToDeterministic: true, generator: &$1)
        }
        print("T-maze memory probe: RSSM \(result.correct)/\(result.episodes) (loss \(report.trainLoss), "
              + "\(Date().timeIntervalSince(start)) s)")
        XCTAssertGreaterThanOrEqual(result.accuracy, 0.95, "the RSSM world model should remember the cue")
        #endif
    }

    /// S4WM (Deng et al. 2023): d_model 32, one block, complex S4D-Lin layer (A_re = −½ for every
    /// state, so all N states decay slowly; S4D-Real's A_n = −(n+1) leaves one or two) with
    /// N 64 and Δ ~ logU(0.01, 0.1), heads 32, Adam 2e-3 warmed up over 100 steps and decayed
    /// (cosine) to 2e-4, 3000 steps of 32 windows (1500 left seeds 4 and 6 of the config at chance). With a constant 2e-3 for 600 steps seeds 0–3 of
    /// the config gave 100, 41, 56 and 100 on an AVX-512 machine. At the probe's default Adam 1e-2
    /// it stays at chance even after 2000 steps; S4D-Real (Δ 1e-3…1e-1 or 0.01…0.1) stays at chance
    /// (seeds 1, 7).
    func testS4WMRemembersTheCue() throws {
        #if DEBUG
        throw XCTSkip("a learning test with release-sized budgets; run in release")
        #else
        let start = Date()
        let (result, report) = try Self.probe.trainAndMeasure(trainSteps: 3000, seed: 7, learningRate: 2e-3, warmupSteps: 100,
                                                               finalLearningRateScale: 0.1) {
            S4WMBackbone(inputSize: $0, modelSize: 32, layers: 1, stateSize: 64, mode: .complex, dtMin: 0.01, dtMax: 0.1,
                         generator: &$1)
        }
        print("T-maze memory probe: S4WM \(result.correct)/\(result.episodes) (loss \(report.trainLoss), "
              + "\(Date().timeIntervalSince(start)) s)")
        XCTAssertGreaterThanOrEqual(result.accuracy, 0.95, "the S4WM world model should remember the cue")
        #endif
    }

    /// Causal transformer: d_model 32, 4 heads, feed-forward 64, one layer, learned positions,
    /// context 32, heads 32, Adam 1e-3 warmed up over 100 steps and decayed (cosine) to 1e-4,
    /// 1500 steps of 32 windows. At a constant 1e-3, 700 steps left seeds of the config at chance
    /// or 79/100 and 1500 steps seed 1 at 41/100. With 2 heads fewer seeds learn; at Adam 1e-2 and
    /// 3e-3 it stays at chance; d 16 is cheaper but seed 7 of this test stays at chance with it.
    func testTransformerRemembersTheCue() throws {
        #if DEBUG
        throw XCTSkip("a learning test with release-sized budgets; run in release")
        #else
        let start = Date()
        let (result, report) = try Self.probe.trainAndMeasure(trainSteps: 1500, seed: 7, learningRate: 1e-3, warmupSteps: 100,
                                                               finalLearningRateScale: 0.1) {
            try TransformerBackbone(TransformerConfiguration(inputSize: $0, modelSize: 32, headCount: 4, layerCount: 1,
                                                             feedForwardSize: 64, context: 32), generator: &$1)
        }
        print("T-maze memory probe: transformer \(result.correct)/\(result.episodes) (loss \(report.trainLoss), "
              + "\(Date().timeIntervalSince(start)) s)")
        XCTAssertGreaterThanOrEqual(result.accuracy, 0.95, "the transformer world model should remember the cue")
        #endif
    }

    /// Mamba: d_model 32, one block, N 16, expand 2, `stateDecayInit` 0.02 (every A = −0.02
    /// instead of −(n+1)) with `dtInitRange` 0.5…2, so every state keeps ≈ e^{−0.02Δ} per step
    /// and admits the input with gain ≈ Δ; heads 32, Adam 1e-3, 5000 steps of 32 windows.
    /// With the default or the reference Δ init (1e-3…1e-1) and A_n = −(n+1), seed 7 stays at
    /// chance after 4000 steps; this recipe at Adam 2e-3 stays at chance after 3000. Release
    /// sweep (AVX2): 5000 steps, seeds 1, 2, 3, 7 reach 100/100 (≈ 20–28 s each); 4000 steps, seeds
    /// 1, 3, 7 reach 100/100 and seed 2 49/100. Like every test here it trains without weight decay;
    /// the config's default 5e-5 erased Mamba's memory (A drifted from −0.02 to −0.57) and left its
    /// seeds 0–3 at chance until its mamba variant set `weight_decay: 0`. Too slow for the default debug run (≈ 70 s per
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
