import Environments
import SeededRandom
import XCTest
@testable import WorldModels

/// The known reward functions that PETS plans with, against the
/// environments' own `step` rewards on recorded random transitions.
final class KnownRewardFunctionsTests: XCTestCase {
    /// Random-action transitions of `id`: (observation, action, next observation, reward, terminated).
    func record(_ id: String, settings: [String: SettingValue] = [:], steps: Int,
                seed: UInt64) throws -> [([Float], [Float], [Float], Double, Bool)] {
        var env = try EnvironmentRegistry.builtin.make(id, settings: settings)
        var generator = SeededGenerator(seed: seed)
        var observation = try env.reset(seed: seed).observation
        var transitions: [([Float], [Float], [Float], Double, Bool)] = []
        while transitions.count < steps {
            let action = env.actionSpace.sample(using: &generator)
            let step = try env.step(action)
            transitions.append((observation, action.vector, step.observation, step.reward, step.terminated))
            observation = step.done ? try env.reset().observation : step.observation
        }
        return transitions
    }

    func evaluate(_ id: String, settings: [String: SettingValue] = [:],
                  _ transitions: [([Float], [Float], [Float], Double, Bool)]) throws -> ([Float], [Bool]) {
        let function = try XCTUnwrap(KnownRewardFunctions.forEnvironment(id, settings: settings))
        let rows = transitions.count
        let observations = transitions.flatMap(\.0), actions = transitions.flatMap(\.1), next = transitions.flatMap(\.2)
        var rewards = [Float](repeating: .nan, count: rows), terminated = [Bool](repeating: false, count: rows)
        observations.withUnsafeBufferPointer { o in actions.withUnsafeBufferPointer { a in next.withUnsafeBufferPointer { n in
            rewards.withUnsafeMutableBufferPointer { r in terminated.withUnsafeMutableBufferPointer { t in
                function.evaluate(observations: o, actions: a, nextObservations: n, rows: rows, rewards: r, terminated: t)
            } }
        } } }
        return (rewards, terminated)
    }

    func testPendulumRewardEqualsTheEnvironments() throws {
        let transitions = try record("Pendulum-v1", steps: 1000, seed: 3)
        let (rewards, _) = try evaluate("Pendulum-v1", transitions)
        for (i, transition) in transitions.enumerated() {
            // The environment computes in Double from its state; the function from the Float observation (cos, sin, θ̇).
            XCTAssertEqual(Double(rewards[i]), transition.3, accuracy: 2e-4 * max(1, abs(transition.3)), "row \(i)")
        }
    }

    func testContinuousCartPoleTerminationAndRewardFollowTheEnvironment() throws {
        let transitions = try record("ContinuousCartPole-v0", steps: 2000, seed: 5)
        let (rewards, terminated) = try evaluate("ContinuousCartPole-v0", transitions)
        XCTAssertGreaterThan(transitions.filter(\.4).count, 20, "the random policy ends episodes")
        for (i, transition) in transitions.enumerated() {
            XCTAssertEqual(terminated[i], transition.4, "row \(i): termination")
            // Alive steps pay the environment's 1; the terminating step pays 0 (mbrl-lib's reward_fns.cartpole,
            // which PETS plans with), where the environment still pays 1.
            XCTAssertEqual(Double(rewards[i]), transition.4 ? 0 : transition.3, "row \(i): reward")
        }
    }

    /// Sparse and dense, from the next observation (which carries the goal): the
    /// environment's reward and its termination at the goal, on random-action
    /// episodes of umaze that reach it.
    func testPointMazeTerminationAndRewardFollowTheEnvironment() throws {
        for kind in ["sparse", "dense"] {
            let settings: [String: SettingValue] = ["reward": .string(kind)]
            let transitions = try record("PointMaze-v0", settings: settings, steps: 6000, seed: 7)
            let (rewards, terminated) = try evaluate("PointMaze-v0", settings: settings, transitions)
            XCTAssertGreaterThan(transitions.filter(\.4).count, 3, "random episodes reach the goal")
            for (i, transition) in transitions.enumerated() {
                XCTAssertEqual(terminated[i], transition.4, "\(kind) row \(i): termination")
                XCTAssertEqual(Double(rewards[i]), transition.3, accuracy: 1e-5, "\(kind) row \(i): reward")
            }
        }
        XCTAssertNil(KnownRewardFunctions.forEnvironment("PointMaze-v0", settings: ["reward": .string("shaped")]))
    }
}
