import Environments
import SeededRandom

/// A corridor of `length` cells: action 1 steps right, 0 steps left (walls
/// stop you); reaching the last cell pays 1 and ends the episode. Each step
/// slips (moves the other way) with probability 0.1. Observation:
/// `Discrete(length)`, the cell — so tabular Dyna-Q and DQN both apply.
public struct Corridor: SnapshotByValue {
    public static let id = "Corridor-v0"
    public let length: Int
    var cell = 0, steps = 0
    var running = false
    var generator = SeededGenerator(seed: 0)

    public init(length: Int = 8) { self.length = length }

    public var observationSpace: Space { .discrete(Discrete(length)) }
    public var actionSpace: Space { .discrete(Discrete(2)) }

    public mutating func reset(seed: UInt64?) throws -> ResetResult {
        if let seed { generator = SeededGenerator(seed: seed) }
        (cell, steps, running) = (0, 0, true)
        return ResetResult(observation: [0])
    }

    public mutating func step(_ action: Action) throws -> StepResult {
        guard case .discrete(let move) = action, actionSpace.contains(action) else {
            throw EnvironmentError.actionOutOfSpace(environment: Self.id, action: action.description, space: actionSpace.description)
        }
        guard running else { throw EnvironmentError.needsReset(environment: Self.id) }
        let slip = generator.uniformDouble() < 0.1
        let right = (move == 1) != slip
        cell = min(max(cell + (right ? 1 : -1), 0), length - 1)
        steps += 1
        let terminated = cell == length - 1
        let truncated = !terminated && steps >= 20 * length
        running = !(terminated || truncated)
        return StepResult(observation: [Float(cell)], reward: terminated ? 1 : 0, terminated: terminated, truncated: truncated)
    }
}
