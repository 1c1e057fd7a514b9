import XCTest
import Environments
import SeededRandom
import WorldModels
@testable import Planning

/// MPC on the true dynamics (the oracle model) is the reference a learned model
/// is measured against: it must balance CartPole-v1 for the full 500 steps.
final class OracleMPCTests: XCTestCase {
    func testOracleCEMBalancesCartPoleFor500Steps() throws {
        let registry = EnvironmentRegistry.builtin
        var env = try registry.make("CartPole-v1")
        let model = try OracleModel(environment: try registry.make("CartPole-v1"))
        let bounds = model.encoding.bounds
        var planner = CEMPlanner(horizon: 30, bounds: ActionBounds(lower: bounds.lower, upper: bounds.upper),
                                 population: 40, elites: 6, iterations: 3)
        var generator = SeededGenerator(seed: 0)
        var observation = try env.reset(seed: 0).observation
        var objective = ModelObjective(model: model, start: model.state(from: env.snapshot()!), observation: observation,
                                       particles: 1, rewardFunction: nil, generator: generator.split())
        var total = 0.0, steps = 0, truncated = false
        while steps < 600 {
            objective.start = model.state(from: env.snapshot()!)
            objective.currentObservation = observation
            let action = model.encoding.action(planner.firstAction(&objective, using: &generator))
            let step = try env.step(action)
            total += step.reward
            steps += 1
            observation = step.observation
            if step.done { truncated = step.truncated; break }
        }
        XCTAssertEqual(steps, 500, "the pole fell after \(steps) steps")
        XCTAssertTrue(truncated, "the episode should end by the time limit, not by failure")
        XCTAssertEqual(total, 500)
    }

    func testARandomPolicyFallsEarly() throws {
        // The same episode with random actions ends long before 500 steps: the test above can fail.
        var env = try EnvironmentRegistry.builtin.make("CartPole-v1")
        _ = try env.reset(seed: 0)
        var generator = SeededGenerator(seed: 0)
        var steps = 0
        while steps < 500 {
            steps += 1
            if try env.step(env.actionSpace.sample(using: &generator)).done { break }
        }
        XCTAssertLessThan(steps, 100)
    }
}
