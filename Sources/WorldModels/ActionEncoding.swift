import Environments
import SeededRandom

/// How the planners' continuous action vectors map onto an environment's
/// action space. A `Box` is used as is (clipped to its bounds); a
/// `Discrete(n)` is relaxed to the interval `[start, start + n)` and an action
/// `a` is executed as `floor(a)` (clamped), so CEM and MPPI can plan over
/// discrete actions too.
public struct ActionEncoding: Sendable, Equatable {
    public let space: Space

    public init(space: Space) { self.space = space }

    /// Floats in a planner action.
    public var size: Int { space.flatSize }

    /// Lower and upper bounds of the planner's continuous actions.
    public var bounds: (lower: [Float], upper: [Float]) {
        switch space {
        case .box(let box):
            return (box.low, box.high)
        case .discrete(let d):
            return ([Float(d.start)], [Float(d.start + d.n) - 1e-3])
        }
    }

    /// A planner action drawn uniformly within `bounds` (random exploration).
    public func randomVector(using generator: inout SeededGenerator) -> [Float] {
        let (lower, upper) = bounds
        return lower.indices.map { generator.uniform(lower[$0], upper[$0]) }
    }

    /// The environment action for the planner action `vector` (`size` floats).
    public func action(_ vector: UnsafeBufferPointer<Float>) -> Action {
        switch space {
        case .box(let box):
            return .continuous((0..<box.size).map { min(max(vector[$0], box.low[$0]), box.high[$0]) })
        case .discrete(let d):
            let i = Int(vector[0].rounded(.down))
            return .discrete(min(max(i, d.start), d.start + d.n - 1))
        }
    }

    /// The environment action for the planner action `vector`.
    public func action(_ vector: [Float]) -> Action {
        vector.withUnsafeBufferPointer { action($0) }
    }
}
