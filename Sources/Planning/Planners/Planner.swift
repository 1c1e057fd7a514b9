import SeededRandom

/// A model-predictive-control trajectory optimiser: given an objective over
/// action sequences, returns the best sequence found (`[horizon, actionSize]`,
/// row-major); the caller executes its first action and replans (receding
/// horizon). Planners keep their last solution and, on the next call, start
/// from it shifted by one step ("warm start"); `reset()` forgets it (call it at
/// the start of an episode).
public protocol Planner {
    /// Steps planned ahead.
    var horizon: Int { get }

    /// Optimises `objective` and returns the best action sequence, `[horizon, actionSize]`.
    mutating func plan<Objective: TrajectoryObjective>(_ objective: inout Objective, using generator: inout SeededGenerator) -> [Float]

    /// Forgets the previous solution.
    mutating func reset()
}

extension Planner {
    /// Optimises `objective` and returns only the first action (`[actionSize]`).
    public mutating func firstAction<Objective: TrajectoryObjective>(_ objective: inout Objective, using generator: inout SeededGenerator) -> [Float] {
        Array(plan(&objective, using: &generator).prefix(objective.actionSize))
    }
}

/// A planner's memory of its last solution, shifted by one step for the next
/// call (mbrl-lib's `keep_last_solution`): `[a1, ..., a(H-1), center]`.
struct WarmStart {
    let horizon: Int
    let bounds: ActionBounds
    private(set) var previous: [Float]?

    init(horizon: Int, bounds: ActionBounds) {
        self.horizon = horizon
        self.bounds = bounds
    }

    /// The initial mean for this call: the shifted previous solution, or the center of the bounds.
    func initialMean() -> [Float] {
        let a = bounds.size
        let center = bounds.center
        guard let previous else {
            return (0..<horizon).flatMap { _ in center }
        }
        return Array(previous[a...]) + center
    }

    mutating func remember(_ solution: [Float]) { previous = solution }
    mutating func reset() { previous = nil }
}
