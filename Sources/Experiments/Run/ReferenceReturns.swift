import Environments

/// The returns that anchor D4RL's normalised score,
///
///     score = 100 · (R − R_random) / (R_expert − R_random),
///
/// per environment id and settings, measured by this framework (not copied
/// from D4RL, whose environments differ), with how each was measured.
public struct ReferenceReturns: Sendable, Equatable {
    /// The environment id.
    public var environmentID: String
    /// The settings they were measured with, those that differ from the environment's defaults
    /// (`[:]`: the defaults); a run matches only with exactly these.
    public var settings: [String: SettingValue] = [:]
    /// Mean return of the uniformly random policy.
    public var random: Double
    /// Mean return of the expert policy.
    public var expert: Double
    /// How both were measured (policy, episodes, seeds, command).
    public var measurement: String

    /// The normalised score of a return `value`.
    public func normalizedScore(_ value: Double) -> Double { 100 * (value - random) / (expert - random) }

    /// The references of `environmentID` with `settings` (those that differ from its defaults),
    /// nil where none were measured.
    public static func forEnvironment(_ environmentID: String, settings: [String: SettingValue] = [:]) -> ReferenceReturns? {
        table.first { $0.environmentID == environmentID && $0.settings == settings }
    }

    /// Every measured environment and setting.
    public static let table: [ReferenceReturns] = [
        ReferenceReturns(
            environmentID: "Pendulum-v1", random: -1273.24, expert: -126.11,
            measurement: "measured 2026-12-07 (release build, Linux x86-64): "
                + "random -1273.24 (std 290.68, 100 episodes): "
                + "`mbrl dataset collect --env Pendulum-v1 --policy random --steps 20000 --seed 0`; "
                + "expert -126.11 (std 75.53, 100 episodes): the deterministic policy of "
                + "`mbrl run Configs/sac-pendulum.yaml seed=0 output.checkpoint_every=200` (20k steps; its checkpoint is "
                + "the policy at step 19800, the last episode end before the final step; evaluation at 20k: -165.6 over 10 episodes), "
                + "`mbrl dataset collect --policy RUN_DIR --steps 20000 --seed 1`"),
        ReferenceReturns(
            environmentID: "PointMaze-v0", settings: ["reward": .string("sparse")], random: 0.478, expert: 1.0,
            measurement: "umaze (the default layout), sparse reward: an episode's return is 1 if it reaches the goal within "
                + "300 steps, else 0; measured 2026-12-08 (release build, Linux x86-64): random 0.478 (199 of 416 complete "
                + "episodes reach the goal, std 0.50): `mbrl dataset collect --env PointMaze-v0 --settings reward=sparse "
                + "--policy random --steps 100000 --seed 0`; expert 1.0 (all 3360 complete episodes, mean length 29.8): "
                + "the scripted waypoint controller (PointMazeWaypointController, D4RL maze2d's data source), "
                + "`mbrl dataset collect --env PointMaze-v0 --settings reward=sparse --policy waypoint --level expert "
                + "--steps 100000 --seed 1`"),
    ]
}
