import SeededRandom

/// Random shooting (Nagabandi et al. 2018): sample `population` action
/// sequences uniformly within the bounds, evaluate them once, return the best.
/// No warm start (each call is independent). Cost: one objective evaluation.
public struct RandomShootingPlanner: Planner {
    public let horizon: Int
    public var population: Int
    public let bounds: ActionBounds

    public init(horizon: Int, bounds: ActionBounds, population: Int = 1000) {
        precondition(horizon > 0 && population > 0, "RandomShootingPlanner: horizon and population must be positive")
        self.horizon = horizon
        self.bounds = bounds
        self.population = population
    }

    public mutating func reset() {}

    public mutating func plan<Objective: TrajectoryObjective>(_ objective: inout Objective, using generator: inout SeededGenerator) -> [Float] {
        let a = bounds.size
        precondition(objective.actionSize == a, "RandomShootingPlanner: objective action size \(objective.actionSize) != bounds size \(a)")
        let n = horizon * a
        var samples = [Float](repeating: 0, count: population * n)
        for i in 0..<samples.count {
            let d = i % a
            samples[i] = generator.uniform(bounds.lower[d], bounds.upper[d])
        }
        var values = [Float](repeating: 0, count: population)
        samples.withUnsafeBufferPointer { s in
            values.withUnsafeMutableBufferPointer { v in objective.evaluate(actions: s, horizon: horizon, values: v) }
        }
        var bestIndex = 0
        for p in 1..<population where values[p] > values[bestIndex] || values[bestIndex].isNaN { bestIndex = p }
        return Array(samples[(bestIndex * n)..<(bestIndex * n + n)])
    }
}
