import Experiments
import Foundation
import XCTest

/// Short seeded versions of the learning results (the full runs are the
/// configs in `Configs/`, reported in the README): each test runs a config as
/// `mbrl run` would, with a smaller budget, and asserts a threshold that a
/// working learner reaches on every seed tried here and a broken one (no
/// update, a sign error, bootstrapping through terminations) stays far from.
/// They take a minute or two in a release build, so they skip in debug
/// builds; CI runs them with `swift test -c release --filter LearningTests`.
final class LearningTests: XCTestCase {
    var temporary: URL!

    override func setUpWithError() throws {
        #if DEBUG
        throw XCTSkip("learning runs take minutes in a debug build; run in release: swift test -c release -Xswiftc -enable-testing --filter LearningTests")
        #else
        temporary = FileManager.default.temporaryDirectory.appendingPathComponent("mbrl-learning-\(UUID().uuidString)")
        #endif
    }

    override func tearDownWithError() throws {
        if let temporary { try? FileManager.default.removeItem(at: temporary) }
    }

    /// Runs `config` with `overrides` and returns its summary.
    func run(_ config: String, _ overrides: [String]) throws -> RunSummary {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Configs/\(config)").path
        let sweep = try ExperimentSweep.load(file: file, overrides: overrides)
        XCTAssertEqual(sweep.runs.count, 1)
        return try ExperimentRunner(config: sweep.runs[0].config, configFile: file, overrides: overrides)
            .run(options: RunOptions(outputRoot: temporary.path, quiet: true))
    }

    /// The best evaluation return of a run.
    func best(_ summary: RunSummary) -> Double { summary.evaluations.map(\.meanReturn).max() ?? -.infinity }

    func testPETSQuickstartBalancesCartPoleWithinFourTrials() throws {
        // The README's main job, end to end (model, CEM, known reward): seed 0 returns 84, 174, 200, 200 here
        // (AVX-512); a broken model, planner or reward path keeps a random-like 10-40. The bound leaves room
        // for another CPU's rounding.
        let summary = try run("quickstart.yaml", ["seed=0", "trials=4", "output.checkpoint=false"])
        XCTAssertGreaterThanOrEqual(summary.trialReturns.max() ?? 0, 150, "\(summary.trialReturns)")
    }

    func testSACSwingsThePendulumUp() throws {
        // Full runs reach -200 at 4000-6000 steps (seeds 0-2); random and broken policies score about -1200 to -1600.
        let summary = try run("sac-pendulum.yaml", ["seed=1", "total_steps=5000", "eval.every=1000", "eval.episodes=5"])
        XCTAssertGreaterThan(best(summary), -500, "\(summary.evaluations)")
    }

    func testDQNBalancesCartPole() throws {
        // Full runs reach 475-500 between 32k and 40k steps; random play scores about 20.
        let summary = try run("dqn-cartpole.yaml", ["seed=2", "total_steps=35000", "eval.every=2500", "eval.episodes=5"])
        XCTAssertGreaterThan(best(summary), 250, "\(summary.evaluations)")
    }

    func testMBPOBalancesCartPoleInAFewHundredSteps() throws {
        // Full runs reach 200 at 600-900 real steps (seeds 0-2); the untrained policy scores about 10-60.
        let summary = try run("mbpo-cartpole-fast.yaml", ["seed=0", "total_steps=1000", "eval.every=100", "eval.episodes=3"])
        XCTAssertGreaterThanOrEqual(best(summary), 190, "\(summary.evaluations)")
    }
}
