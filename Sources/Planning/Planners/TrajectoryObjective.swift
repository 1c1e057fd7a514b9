/// What a planner optimises: the value of whole action sequences.
///
/// A planner proposes a population of `P` action sequences of `horizon` steps
/// (`actions` is row-major `[P, horizon, actionSize]`) and the objective writes
/// one value per sequence into `values` (`[P]`, larger is better) — typically
/// the sum of predicted rewards over the horizon, averaged over particles.
/// Planners see nothing else (mbrl-lib's `TrajectoryOptimizer` contract), so the
/// same planner runs on a learned model, an ensemble with particles, or the
/// true environment through snapshot/restore.
///
/// Implementations evaluate all `P` sequences in batched calls (one model call
/// per step for the whole population and its particles).
public protocol TrajectoryObjective {
    /// Number of floats in one action.
    var actionSize: Int { get }

    /// Writes the value of each of the `values.count` sequences in `actions`.
    mutating func evaluate(actions: UnsafeBufferPointer<Float>, horizon: Int, values: UnsafeMutableBufferPointer<Float>)
}

/// Per-dimension action bounds (a `Box` action space), used to clip and to set
/// the planners' initial spread.
public struct ActionBounds: Sendable, Equatable {
    public var lower: [Float]
    public var upper: [Float]

    public init(lower: [Float], upper: [Float]) {
        precondition(lower.count == upper.count && zip(lower, upper).allSatisfy { $0 <= $1 },
                     "ActionBounds: lower \(lower) and upper \(upper) must have equal length and lower <= upper")
        self.lower = lower
        self.upper = upper
    }

    public var size: Int { lower.count }

    /// The midpoint of the bounds, the planners' initial mean.
    public var center: [Float] { zip(lower, upper).map { ($0 + $1) / 2 } }

    @inline(__always) func clip(_ x: Float, dimension d: Int) -> Float {
        min(max(x, lower[d]), upper[d])
    }
}
