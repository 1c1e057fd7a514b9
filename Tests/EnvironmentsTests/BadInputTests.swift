import XCTest
@testable import Environments

/// User mistakes are errors with messages naming what was wrong and what was expected.
final class BadInputTests: XCTestCase {
    func message(_ body: () throws -> Void) -> String {
        do { try body() } catch { return "\(error)" }
        XCTFail("expected an error")
        return ""
    }

    func testActionOutsideSpace() throws {
        var cart = try EnvironmentRegistry.builtin.make("CartPole-v1")
        _ = try cart.reset(seed: 0)
        XCTAssertEqual(message { _ = try cart.step(.discrete(2)) },
                       "CartPole-v1: action discrete(2) is outside the action space Discrete(2)")
        XCTAssertTrue(message { _ = try cart.step(.continuous([1])) }.contains("outside the action space Discrete(2)"))
        var pendulum = try EnvironmentRegistry.builtin.make("Pendulum-v1")
        _ = try pendulum.reset(seed: 0)
        XCTAssertEqual(message { _ = try pendulum.step(.continuous([2.5])) },
                       "Pendulum-v1: action continuous([2.5]) is outside the action space Box(-2.0, 2.0, [1])")
        XCTAssertTrue(message { _ = try pendulum.step(.continuous([.nan])) }.contains("outside the action space"))
    }

    func testWrongActionLength() throws {
        var reacher = try EnvironmentRegistry.builtin.make("Reacher2D-v0")
        _ = try reacher.reset(seed: 0)
        XCTAssertEqual(message { _ = try reacher.step(.continuous([0.1])) },
                       "Reacher2D-v0: action continuous([0.1]) is outside the action space Box(-1.0, 1.0, [2])")
        var maze = try EnvironmentRegistry.builtin.make("PointMaze-v0")
        _ = try maze.reset(seed: 0)
        XCTAssertTrue(message { _ = try maze.step(.continuous([0, 0, 0])) }.contains("Box(-1.0, 1.0, [2])"))
    }

    func testStepBeforeResetAndAfterTerminated() throws {
        var cart = CartPole()
        XCTAssertEqual(message { _ = try cart.step(.discrete(0)) },
                       "CartPole-v1: step() called before reset() or after the episode ended; call reset() first")
        _ = try cart.reset(seed: 0)
        var r: StepResult
        repeat { r = try cart.step(.discrete(1)) } while !r.terminated
        XCTAssertTrue(message { _ = try cart.step(.discrete(1)) }.contains("call reset() first"))
        XCTAssertNoThrow(try cart.reset())
        for id in ["MountainCarContinuous-v0", "Acrobot-v1", "ContinuousCartPole-v0"] {
            var env = try EnvironmentRegistry.builtin.make(id)
            XCTAssertTrue(message { _ = try env.step(env.actionSpace.sample(using: &cart.generator)) }.contains("call reset() first"), id)
        }
    }

    func testUnknownIDSuggestsClosest() {
        XCTAssertTrue(message { _ = try EnvironmentRegistry.builtin.make("CartPole-v0") }
            .hasPrefix("unknown environment id 'CartPole-v0'; did you mean 'CartPole-v1', "))
        XCTAssertTrue(message { _ = try EnvironmentRegistry.builtin.make("pendulum") }.contains("'Pendulum-v1'"))
        XCTAssertTrue(message { _ = try EnvironmentRegistry.builtin.make("Reacher") }.contains("'Reacher2D-v0'"))
    }

    func testUnknownAndInvalidSettings() {
        XCTAssertEqual(message { _ = try EnvironmentRegistry.builtin.make("Pendulum-v1", settings: ["gravity": .double(9.8)]) },
                       "Pendulum-v1: unknown setting 'gravity'; valid settings: g, max_episode_steps")
        XCTAssertEqual(message { _ = try EnvironmentRegistry.builtin.make("CartPole-v1", settings: ["max_episode_steps": .int(0)]) },
                       "CartPole-v1: setting 'max_episode_steps' expected a positive integer, got 0")
        XCTAssertTrue(message { _ = try EnvironmentRegistry.builtin.make("Pendulum-v1", settings: ["g": .string("ten")]) }
            .contains("setting 'g' expected a number"))
        XCTAssertTrue(message { _ = try EnvironmentRegistry.builtin.make("PointMaze-v0", settings: ["reward": .string("shaped")]) }
            .contains("expected 'dense' or 'sparse'"))
    }

    func testSettingsTakeEffect() throws {
        var env = try EnvironmentRegistry.builtin.make("Pendulum-v1", settings: ["g": .double(0), "max_episode_steps": .int(2)])
        _ = try env.reset(seed: 0)
        try env.setSimulatorStateIfSupported([1.0, 0.0])
        // Without gravity and torque the pendulum stays where it is.
        let r = try env.step(.continuous([0]))
        XCTAssertEqual(r.observation[2], 0)
        XCTAssertTrue(try env.step(.continuous([0])).truncated)
    }

    func testSetStateErrors() throws {
        var maze = try PointMaze()
        XCTAssertTrue(message { try maze.setSimulatorState([0.5, 0.5, 0, 0]) }.contains("overlaps a wall"))
        var cart = CartPole()
        XCTAssertTrue(message { try cart.setSimulatorState([0, .nan, 0, 0]) }.contains("must be finite"))
        var env = AnyEnvironment(BadInputTests.NoState())
        XCTAssertTrue(message { try env.setSimulatorState([1]) }.contains("does not expose a settable simulator state"))
    }

    struct NoState: Environment {
        var observationSpace: Space { .discrete(Discrete(1)) }
        var actionSpace: Space { .discrete(Discrete(1)) }
        mutating func reset(seed: UInt64?) throws -> ResetResult { ResetResult(observation: [0]) }
        mutating func step(_ action: Action) throws -> StepResult { StepResult(observation: [0], reward: 0, terminated: true, truncated: false) }
        func snapshot() -> EnvironmentSnapshot? { nil }
        mutating func restore(_ snapshot: EnvironmentSnapshot) throws {}
    }
}
