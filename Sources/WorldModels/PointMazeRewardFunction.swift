import Environments

/// PointMaze-v0's reward and termination (``PointMaze``), read from the next
/// observation `[x, y, vx, vy, goal_x, goal_y]` (the goal is part of it, so
/// one function serves every layout): terminated when the ball is within
/// `goalRadius` (`PointMaze.goalRadius`, 0.45) of the goal, ‖p′ − g‖ ≤ 0.45; the reward is `1` on that
/// step and `0` otherwise for `sparse`, and −‖p′ − g‖ every step for `dense`
/// — the environment's own rules, after its move.
///
/// Offline model-based loops take the termination from here, so a learned
/// model's rollouts end at the goal as real episodes do instead of earning
/// the goal's reward past it.
public struct PointMazeRewardFunction: RewardFunction {
    public var rewardKind: PointMaze.RewardKind
    public var goalRadius = Float(PointMaze.goalRadius)

    public init(rewardKind: PointMaze.RewardKind) { self.rewardKind = rewardKind }

    public func evaluate(observations: UnsafeBufferPointer<Float>, actions: UnsafeBufferPointer<Float>,
                         nextObservations: UnsafeBufferPointer<Float>, rows: Int,
                         rewards: UnsafeMutableBufferPointer<Float>, terminated: UnsafeMutableBufferPointer<Bool>) {
        for r in 0..<rows {
            let o = 6 * r
            let dx = nextObservations[o] - nextObservations[o + 4], dy = nextObservations[o + 1] - nextObservations[o + 5]
            let distance = (dx * dx + dy * dy).squareRoot()
            let done = distance <= goalRadius
            terminated[r] = done
            switch rewardKind {
            case .sparse: rewards[r] = done ? 1 : 0
            case .dense: rewards[r] = -distance
            }
        }
    }
}
