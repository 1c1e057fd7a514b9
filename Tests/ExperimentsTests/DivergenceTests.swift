import Environments
import Experiments
import Foundation
import XCTest

/// A 1-D environment that returns a NaN observation (or reward) at one step of its life: the injected divergence.
struct PoisonedLine: SnapshotByValue {
    static let id = "PoisonedLine-v0"
    /// The step (counted over every episode) whose observation, or reward, is NaN.
    var poisonAt: Int
    var poisonReward = false
    var x: Float = 0, steps = 0, t = 0

    var observationSpace: Space { .box(Box(low: [-.infinity], high: [.infinity], shape: [1])) }
    var actionSpace: Space { .box(Box(low: [-1], high: [1], shape: [1])) }

    mutating func reset(seed: UInt64?) throws -> ResetResult { (x, t) = (0, 0); return ResetResult(observation: [x]) }

    mutating func step(_ action: Action) throws -> StepResult {
        x += action.vector[0] * 0.1
        steps += 1
        t += 1
        let poisoned = steps == poisonAt
        return StepResult(observation: [poisoned && !poisonReward ? .nan : x], reward: poisoned && poisonReward ? .infinity : Double(-x * x),
                          terminated: false, truncated: t >= 20)
    }
}

/// A NaN or infinity in what a run trains on stops it at once with a message
/// naming the step, the quantity and the last finite value; the last good
/// checkpoint is kept (resume still accepts it), no summary is written, and
/// `mbrl run` exits non-zero.
final class DivergenceTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mbrl-divergence-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func sacConfig(env: String, totalSteps: Int = 120, learningStarts: Int = 20, extra: String = "") throws -> ExperimentConfig {
        let yaml = """
        name: divergence
        algorithm: sac
        seed: 0
        total_steps: \(totalSteps)
        env: {id: \(env)}
        sac: {hidden_sizes: [8], batch_size: 8, learning_starts: \(learningStarts)\(extra)}
        eval: {every: 0}
        output: {dir: \(directory.path), checkpoint_every: 20}
        """
        return try XCTUnwrap(ExperimentSweep.decode(yaml: yaml).runs.first).config
    }

    func registry(poisonAt: Int, reward: Bool = false) -> EnvironmentRegistry {
        var registry = EnvironmentRegistry.builtin
        registry.register(EnvironmentSpec(id: PoisonedLine.id, summary: "NaN at one step (test)") { _ in
            PoisonedLine(poisonAt: poisonAt, poisonReward: reward)
        })
        return registry
    }

    func runDirectory() throws -> URL {
        let runs = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        XCTAssertEqual(runs.count, 1)
        return runs[0]
    }

    func testANaNObservationStopsTheRunAndKeepsTheLastCheckpoint() throws {
        let config = try sacConfig(env: PoisonedLine.id)
        XCTAssertThrowsError(try ExperimentRunner(config: config, registry: registry(poisonAt: 57)).run(options: RunOptions(quiet: true))) { error in
            let diverged = error as? RunDiverged
            XCTAssertEqual(diverged?.quantity, "observation[0]", "\(error)")
            XCTAssertEqual(diverged?.step, 56, "the 57th step is step 56 counted from 0")
            XCTAssertEqual(diverged?.checkpointSteps, 40, "episodes of 20 steps, a checkpoint every 20: the last before step 56")
            XCTAssertTrue("\(error)".contains("run diverged at step 56: observation[0] is nan (returned by the environment)"), "\(error)")
            XCTAssertTrue("\(error)".contains("the last good checkpoint (step 40) is kept: mbrl run --resume "), "\(error)")
        }
        let run = try runDirectory()
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.appendingPathComponent("summary.json").path), "no summary of a diverged run")
        // The checkpoint is whole: resuming accepts every file's checksum and replays up to the same NaN.
        XCTAssertThrowsError(try ExperimentRunner(config: config, registry: registry(poisonAt: 17))
            .run(options: RunOptions(resumeDirectory: run.path, quiet: true))) { error in
            XCTAssertEqual((error as? RunDiverged)?.quantity, "observation[0]", "\(error)")
        }
    }

    func testAnInfiniteRewardStopsTheRun() throws {
        let config = try sacConfig(env: PoisonedLine.id)
        XCTAssertThrowsError(try ExperimentRunner(config: config, registry: registry(poisonAt: 5, reward: true)).run(options: RunOptions(quiet: true))) { error in
            XCTAssertTrue("\(error)".contains("run diverged at step 4: reward is inf"), "\(error)")
            XCTAssertTrue("\(error)".contains("no checkpoint was written before the divergence"), "\(error)")
        }
    }

    func testADivergedLossStopsTheRunNamingItAndItsLastFiniteValue() throws {
        // Adam steps of 1e30 send the critics to infinity within the first updates.
        // Pendulum's episodes are 200 steps: a checkpoint at 200, updates (and their metrics) from 200 on.
        let config = try sacConfig(env: "Pendulum-v1", totalSteps: 500, learningStarts: 200, extra: ", q_lr: 1.0e+30, policy_lr: 1.0e+30")
        XCTAssertThrowsError(try ExperimentRunner(config: config).run(options: RunOptions(quiet: true))) { error in
            guard let diverged = error as? RunDiverged else { return XCTFail("\(error)") }
            XCTAssertTrue(diverged.quantity.hasPrefix("train/"), "\(error)")
            XCTAssertTrue(!diverged.value.isFinite)
            XCTAssertEqual(diverged.checkpointSteps, 200, "\(error)")
            XCTAssertGreaterThan(diverged.step, 200, "\(error)")
        }
        let run = try runDirectory()
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.appendingPathComponent("summary.json").path))
        let state = try String(contentsOf: run.appendingPathComponent("checkpoints/state.json"), encoding: .utf8)
        XCTAssertFalse(state.contains("nan") || state.contains("inf"), "the kept checkpoint holds no diverged value")
    }

    func testSteadyRunsAreUntouched() throws {
        // The same loop without the poison finishes and writes its summary.
        let config = try sacConfig(env: PoisonedLine.id)
        _ = try ExperimentRunner(config: config, registry: registry(poisonAt: -1)).run(options: RunOptions(quiet: true))
        XCTAssertTrue(FileManager.default.fileExists(atPath: try runDirectory().appendingPathComponent("summary.json").path))
    }
}
