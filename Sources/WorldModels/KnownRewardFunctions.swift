import Environments

/// Known reward and termination functions by environment id, for planning
/// with a model that does not learn the reward (mbrl-lib's `reward_fns` /
/// `termination_fns`, chosen per environment in its configs).
public enum KnownRewardFunctions {
    /// Environment ids with a known reward function.
    public static let environmentIDs = ["ContinuousCartPole-v0", "Pendulum-v1", "PointMaze-v0"]

    /// The reward function of `environmentID` made with `settings` (the
    /// environment's keyword settings, e.g. PointMaze's `reward`), or nil if
    /// none is known or the settings name a reward it does not know.
    public static func forEnvironment(_ environmentID: String,
                                      settings: [String: SettingValue] = [:]) -> (any RewardFunction)? {
        switch environmentID {
        case "ContinuousCartPole-v0": return CartPoleRewardFunction()
        case "Pendulum-v1": return PendulumRewardFunction()
        case "PointMaze-v0":
            var kind = PointMaze.RewardKind.dense
            if let value = settings["reward"] {
                guard case .string(let name) = value, let named = PointMaze.RewardKind(rawValue: name) else { return nil }
                kind = named
            }
            return PointMazeRewardFunction(rewardKind: kind)
        default: return nil
        }
    }
}
