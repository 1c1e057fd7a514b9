/// Known reward and termination functions by environment id, for planning
/// with a model that does not learn the reward (mbrl-lib's `reward_fns` /
/// `termination_fns`, chosen per environment in its configs).
public enum KnownRewardFunctions {
    /// Environment ids with a known reward function.
    public static let environmentIDs = ["ContinuousCartPole-v0", "Pendulum-v1"]

    /// The reward function of `environmentID`, or nil if none is known.
    public static func forEnvironment(_ environmentID: String) -> (any RewardFunction)? {
        switch environmentID {
        case "ContinuousCartPole-v0": return CartPoleRewardFunction()
        case "Pendulum-v1": return PendulumRewardFunction()
        default: return nil
        }
    }
}
