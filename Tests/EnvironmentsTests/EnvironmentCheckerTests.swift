import XCTest
@testable import Environments

/// The checker passes every registered environment (classic, continuous, and the
/// gridworlds once merged), wrapped ones too, and catches broken environments.
final class EnvironmentCheckerTests: XCTestCase {
    func testEveryBuiltinEnvironmentPasses() {
        let registry = EnvironmentRegistry.builtin
        XCTAssertGreaterThanOrEqual(registry.ids.count, 9)
        // External-v0 needs a command: check it serving the dependency-free test child.
        let fakeEnvironment = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/fake_env.py").path
        for id in registry.ids {
            for seed: UInt64 in [0, 7] {
                let checker = EnvironmentChecker(seed: seed, steps: 250)
                let report = id == "External-v0"
                    ? checker.check(name: id) { try registry.make(id, settings: ["command": .string("python3 '\(fakeEnvironment)' normal")]) }
                    : checker.check(id: id)
                XCTAssertTrue(report.passed, report.description)
                XCTAssertGreaterThanOrEqual(report.checks.count, 9, id)
            }
        }
    }

    func testWrappedEnvironmentsPass() throws {
        let checker = EnvironmentChecker(seed: 3, steps: 200)
        let cases: [(String, () throws -> any Environment)] = [
            ("RescaleAction", { try RescaleAction(TimeLimit(Pendulum(), maxEpisodeSteps: 50), minAction: 0, maxAction: 1) }),
            ("ClipAction", { try ClipAction(TimeLimit(Reacher2D(), maxEpisodeSteps: 30)) }),
            ("ActionRepeat", { ActionRepeat(TimeLimit(CartPole(), maxEpisodeSteps: 100), repeats: 3) }),
            ("RecordEpisodeStatistics", { RecordEpisodeStatistics(TimeLimit(MountainCar(), maxEpisodeSteps: 40)) }),
            ("AnyEnvironment", { TimeLimit(AnyEnvironment(try EnvironmentRegistry.builtin.make("PointMaze-v0")), maxEpisodeSteps: 25) }),
        ]
        for (name, make) in cases {
            let report = checker.check(name: name, make: make)
            XCTAssertTrue(report.passed, report.description)
        }
    }

    /// NormalizeObservation learns from every observation, so resetting the same copy
    /// with the same seed gives a differently normalized observation: the checker
    /// must notice exactly that, and pass everything else.
    func testNormalizeObservationOnlyFailsSameCopyResetDeterminism() {
        let make: () throws -> any Environment = { try NormalizeObservation(TimeLimit(Pendulum(), maxEpisodeSteps: 50)) }
        let report = EnvironmentChecker(seed: 3, steps: 200).check(name: "NormalizeObservation", make: make)
        XCTAssertEqual(report.failures.map(\.name), ["reset determinism"], report.description)
        XCTAssertTrue(report.failures[0].message.contains("same copy"), report.description)
    }

    /// An environment that breaks the contract in several ways.
    struct Broken: Environment {
        var t = 0
        var observationSpace: Space { .box(Box(low: -1, high: 1, shape: [2])) }
        var actionSpace: Space { .discrete(Discrete(2)) }
        mutating func reset(seed: UInt64?) throws -> ResetResult {
            t = 0
            return ResetResult(observation: [0, Float(seed ?? 0) * 0])
        }
        mutating func step(_ action: Action) throws -> StepResult {
            t += 1  // accepts anything, never refuses a step, leaves the space
            return StepResult(observation: [Float(t), 0], reward: t == 3 ? .nan : 0, terminated: t % 4 == 0, truncated: false)
        }
        func snapshot() -> EnvironmentSnapshot? { nil }
        mutating func restore(_ snapshot: EnvironmentSnapshot) throws {
            throw EnvironmentError.snapshotUnsupported(environment: "Broken")
        }
    }

    func testCatchesBrokenEnvironment() {
        let report = EnvironmentChecker(seed: 0, steps: 20).check(name: "Broken") { Broken() }
        XCTAssertFalse(report.passed)
        let failed = Set(report.failures.map(\.name))
        XCTAssertEqual(failed, ["step before reset", "rollout", "step determinism", "step after episode end", "invalid actions"],
                       report.description)
        XCTAssertTrue(report.checks.contains { $0.name == "snapshot/restore" && $0.passed && $0.message.hasPrefix("skipped") })
        XCTAssertTrue(report.description.contains("outside"), report.description)
    }
}
