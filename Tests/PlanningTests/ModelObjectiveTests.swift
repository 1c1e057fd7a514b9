import XCTest
import Environments
import SeededRandom
import WorldModels
@testable import Planning

/// A 1-D point on a line: x' = x + a, reward -(x' - 3)², terminated past x = 10.
struct LinePoint: Environment {
    var x: Float = 0
    var observationSpace: Space { .box(Box(low: -100, high: 100, shape: [1])) }
    var actionSpace: Space { .box(Box(low: -1, high: 1, shape: [1])) }

    mutating func reset(seed: UInt64?) throws -> ResetResult { x = 0; return ResetResult(observation: [x]) }

    mutating func step(_ action: Action) throws -> StepResult {
        guard case .continuous(let a) = action, actionSpace.contains(action) else {
            throw EnvironmentError.actionOutOfSpace(environment: "LinePoint", action: "\(action)", space: "\(actionSpace)")
        }
        x += a[0]
        return StepResult(observation: [x], reward: Double(-(x - 3) * (x - 3)), terminated: x > 10, truncated: false)
    }

    func snapshot() -> EnvironmentSnapshot? { EnvironmentSnapshot(x) }
    mutating func restore(_ snapshot: EnvironmentSnapshot) throws { x = try snapshot.value(as: Float.self, environment: "LinePoint") }
}

final class ModelObjectiveTests: XCTestCase {
    func testOracleObjectiveSumsTrueRewards() throws {
        var env = LinePoint()
        _ = try env.reset(seed: 0)
        let model = try OracleModel(environment: env)
        var objective = ModelObjective(model: model, start: model.state(from: env.snapshot()!), observation: [0],
                                       particles: 2, rewardFunction: nil, generator: SeededGenerator(seed: 0))
        // two candidates of horizon 3: always +1 (x = 1, 2, 3), always -1 (x = -1, -2, -3)
        let actions: [Float] = [1, 1, 1, -1, -1, -1]
        var values = [Float](repeating: 0, count: 2)
        actions.withUnsafeBufferPointer { a in values.withUnsafeMutableBufferPointer { objective.evaluate(actions: a, horizon: 3, values: $0) } }
        XCTAssertEqual(values[0], -(4 + 1 + 0))
        XCTAssertEqual(values[1], -(16 + 25 + 36))
    }

    func testCEMOnTheOracleWalksToTheTarget() throws {
        var env = LinePoint()
        var observation = try env.reset(seed: 0).observation
        let model = try OracleModel(environment: env)
        var planner = CEMPlanner(horizon: 5, bounds: ActionBounds(lower: [-1], upper: [1]), population: 100, elites: 10, iterations: 5)
        var generator = SeededGenerator(seed: 0)
        var total = 0.0
        for _ in 0..<6 {
            var objective = ModelObjective(model: model, start: model.state(from: env.snapshot()!), observation: observation,
                                           particles: 1, rewardFunction: nil, generator: generator.split())
            let action = planner.firstAction(&objective, using: &generator)
            let step = try env.step(.continuous(action))
            observation = step.observation
            total += step.reward
        }
        XCTAssertEqual(env.x, 3, accuracy: 0.3)
        XCTAssertGreaterThan(total, -7)   // the best possible is -(4 + 1 + 0 + 0 + 0 + 0) = -5
    }
}
