/// The returns that anchor D4RL's normalised score,
///
///     score = 100 · (R − R_random) / (R_expert − R_random),
///
/// per environment id, measured by this framework (not copied from D4RL,
/// whose environments differ), with how each was measured.
public struct ReferenceReturns: Sendable, Equatable {
    /// Mean return of the uniformly random policy.
    public var random: Double
    /// Mean return of the expert policy.
    public var expert: Double
    /// How both were measured (policy, episodes, seeds, command).
    public var measurement: String

    /// The normalised score of a return `value`.
    public func normalizedScore(_ value: Double) -> Double { 100 * (value - random) / (expert - random) }

    /// The references of `environmentID` (with its default settings), nil where none were measured.
    public static func forEnvironment(_ environmentID: String) -> ReferenceReturns? { table[environmentID] }

    /// Environment id → references.
    public static let table: [String: ReferenceReturns] = [
        "Pendulum-v1": ReferenceReturns(
            random: -1273.24, expert: -126.11,
            measurement: "measured 2026-12-07 (release build, Linux x86-64): "
                + "random -1273.24 (std 290.68, 100 episodes): "
                + "`mbrl dataset collect --env Pendulum-v1 --policy random --steps 20000 --seed 0`; "
                + "expert -126.11 (std 75.53, 100 episodes): the deterministic policy of "
                + "`mbrl run Configs/sac-pendulum.yaml seed=0 output.checkpoint_every=200` (20k steps; its checkpoint is "
                + "the policy at step 19800, the last episode end before the final step; evaluation at 20k: -165.6 over 10 episodes), "
                + "`mbrl dataset collect --policy RUN_DIR --steps 20000 --seed 1`"),
    ]
}
