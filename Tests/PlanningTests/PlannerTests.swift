import XCTest
import SeededRandom
@testable import Planning

/// A separable quadratic objective with a known optimum inside the bounds:
/// value = -Σ_t Σ_d (a[t,d] - target[t,d])².
struct QuadraticObjective: TrajectoryObjective {
    let actionSize: Int
    let target: [Float]
    var evaluations = 0

    mutating func evaluate(actions: UnsafeBufferPointer<Float>, horizon: Int, values: UnsafeMutableBufferPointer<Float>) {
        let n = horizon * actionSize
        for p in 0..<values.count {
            var s: Float = 0
            for i in 0..<n { let d = actions[p * n + i] - target[i]; s += d * d }
            values[p] = -s
        }
        evaluations += 1
    }
}

final class PlannerTests: XCTestCase {
    let bounds = ActionBounds(lower: [-1, -2], upper: [1, 2])
    let horizon = 5

    func target() -> [Float] {
        var values: [Float] = []
        for t in 0..<horizon {
            let sign: Float = t % 2 == 0 ? 1 : -1
            values.append(0.6 * sign)
            values.append(1.5 - 0.5 * Float(t))
        }
        return values
    }

    func testCEMFindsTheOptimumOfAQuadratic() {
        var objective = QuadraticObjective(actionSize: 2, target: target())
        var planner = CEMPlanner(horizon: horizon, bounds: bounds, population: 400, elites: 40, iterations: 10, alpha: 0.1)
        var generator = SeededGenerator(seed: 0)
        let solution = planner.plan(&objective, using: &generator)
        XCTAssertEqual(objective.evaluations, 10)
        for (x, y) in zip(solution, target()) { XCTAssertEqual(x, y, accuracy: 0.05) }
    }

    func testCEMRespectsBoundsWhenTheOptimumIsOutside() {
        var objective = QuadraticObjective(actionSize: 2, target: Array(repeating: 5, count: 2 * horizon))
        var planner = CEMPlanner(horizon: horizon, bounds: bounds, population: 200, elites: 20, iterations: 12)
        var generator = SeededGenerator(seed: 1)
        let solution = planner.plan(&objective, using: &generator)
        for t in 0..<horizon {
            XCTAssertLessThanOrEqual(solution[2 * t], 1); XCTAssertGreaterThan(solution[2 * t], 0.5)
            XCTAssertLessThanOrEqual(solution[2 * t + 1], 2); XCTAssertGreaterThan(solution[2 * t + 1], 1.2)
        }
    }

    func testWarmStartShiftsThePreviousSolution() {
        var warm = WarmStart(horizon: 3, bounds: ActionBounds(lower: [-1], upper: [3]))
        XCTAssertEqual(warm.initialMean(), [1, 1, 1])
        warm.remember([0.1, 0.2, 0.3])
        XCTAssertEqual(warm.initialMean(), [0.2, 0.3, 1])
        warm.reset()
        XCTAssertEqual(warm.initialMean(), [1, 1, 1])
    }

    func testMPPIApproachesTheOptimum() {
        var objective = QuadraticObjective(actionSize: 2, target: target())
        var planner = MPPIPlanner(horizon: horizon, bounds: bounds, population: 500, iterations: 20,
                                  temperature: 0.02, noiseStd: 0.2, smoothing: 1)
        var generator = SeededGenerator(seed: 2)
        let solution = planner.plan(&objective, using: &generator)
        // total squared error; the bounds' center scores 5.55
        let error = zip(solution, target()).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
        XCTAssertLessThan(error, 0.15)
    }

    func testRandomShootingBeatsTheCenter() {
        var objective = QuadraticObjective(actionSize: 2, target: target())
        var planner = RandomShootingPlanner(horizon: horizon, bounds: bounds, population: 2000)
        var generator = SeededGenerator(seed: 3)
        let solution = planner.plan(&objective, using: &generator)
        let value = zip(solution, target()).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
        let center = Array((0..<horizon).map { _ in bounds.center }.joined())
        let centerValue = zip(center, target()).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
        XCTAssertLessThan(value, 0.5 * centerValue)
    }

    func testSamePlanForTheSameSeed() {
        func run() -> [Float] {
            var objective = QuadraticObjective(actionSize: 2, target: target())
            var planner = CEMPlanner(horizon: horizon, bounds: bounds, population: 50, elites: 5, iterations: 3)
            var generator = SeededGenerator(seed: 9)
            return planner.plan(&objective, using: &generator)
        }
        XCTAssertEqual(run(), run())
    }
}
