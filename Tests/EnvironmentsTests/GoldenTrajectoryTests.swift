import Foundation
import XCTest
@testable import Environments

/// Replays Gymnasium 1.4's golden trajectories (Fixtures/*.json, from
/// shared/golden) from `initial_state` through the registered environments:
/// every observation, state and reward within 1e-5 scaled error, every flag exact,
/// spaces and `max_episode_steps` equal to the recorded ones.
final class GoldenTrajectoryTests: XCTestCase {
    static let ids = ["CartPole-v1", "Pendulum-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Acrobot-v1"]

    static func golden(_ id: String) throws -> GoldenTrajectories {
        let url = try XCTUnwrap(Bundle.module.url(forResource: id, withExtension: "json", subdirectory: "Fixtures"),
                                "missing fixture \(id).json")
        return try GoldenTrajectories.load(contentsOf: url)
    }

    func replay(_ id: String) throws {
        let golden = try Self.golden(id)
        XCTAssertEqual(golden.envID, id)
        XCTAssertEqual(golden.episodes.count, 2, "both reset seeds")
        let report = try TrajectoryReplay.replay(golden)
        print(report)
        XCTAssertEqual(report.specMismatches, [], id)
        XCTAssertEqual(report.flagMismatches, 0, "\(id): \(report.firstProblem ?? "")")
        for (field, deviation) in report.maxDeviation {
            XCTAssertLessThanOrEqual(deviation, TrajectoryReplay.defaultTolerance, "\(id) \(field)")
        }
        XCTAssertEqual(report.steps, golden.episodes.map(\.actions.count).reduce(0, +), "\(id): every recorded step replayed")
        XCTAssertTrue(report.passed())
    }

    func testCartPole() throws { try replay("CartPole-v1") }
    func testPendulum() throws { try replay("Pendulum-v1") }
    func testMountainCar() throws { try replay("MountainCar-v0") }
    func testMountainCarContinuous() throws { try replay("MountainCarContinuous-v0") }
    func testAcrobot() throws { try replay("Acrobot-v1") }

    /// The recorded spaces, checked field by field against ours.
    func testSpacesMatchRecorded() throws {
        for id in Self.ids {
            let golden = try Self.golden(id)
            let env = try EnvironmentRegistry.builtin.make(id)
            XCTAssertEqual(env.observationSpace, try golden.observationSpace.space(), id)
            XCTAssertEqual(env.actionSpace, try golden.actionSpace.space(), id)
            XCTAssertEqual(golden.observationSpace.type, "Box", id)
            XCTAssertNotNil(env as? any SimulatorStateSettable, "\(id) exposes its simulator state through TimeLimit")
            XCTAssertEqual(try EnvironmentRegistry.builtin.spec(id).settings.first { $0.key == "max_episode_steps" }?.defaultValue,
                           .int(try XCTUnwrap(golden.maxEpisodeSteps)), id)
        }
    }

    /// A perturbed trajectory must fail the replay (the test can fail).
    func testReplayDetectsDeviation() throws {
        var golden = try Self.golden("Pendulum-v1")
        golden.episodes[0].rewards[5] *= 1.001
        golden.episodes[1].terminated[3] = true
        let report = try TrajectoryReplay.replay(golden)
        XCTAssertGreaterThan(report.maxDeviation["reward"]!, 1e-4)
        XCTAssertEqual(report.flagMismatches, 1)
        XCTAssertFalse(report.passed())
    }
}
