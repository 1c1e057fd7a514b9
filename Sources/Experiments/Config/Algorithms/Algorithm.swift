/// The training loop a config runs (`algorithm:`), each in its own file under
/// `Sources/Experiments/Run/Loops/` and sharing setup, run directory, logging,
/// evaluation, checkpoints and resume (`RunSession`).
///
/// | algorithm | loop | needs |
/// |---|---|---|
/// | `pets` | PETS (Chua et al. 2018): random steps, then trials of MPC on a retrained model | `model`, `planner`, `trials` |
/// | `dyna_q` | tabular Q-learning / Dyna-Q / Dyna-Q+ (Sutton & Barto §8.2–8.3) | `dyna_q`; Discrete observations and actions |
/// | `dqn` | DQN (Mnih et al. 2015), CleanRL's `dqn.py` loop | `dqn`, `total_steps`; Discrete actions |
/// | `sac` | SAC (Haarnoja et al. 2018), CleanRL's `sac_continuous_action.py` loop | `sac`, `total_steps`; Box actions |
/// | `mbpo` | MBPO (Janner et al. 2019), mbrl-lib's `mbpo.py` loop: SAC on model rollouts | `model`, `sac`, `mbpo`, `total_steps`; Box actions |
public enum Algorithm: String, ConfigChoice {
    case pets
    case dynaQ = "dyna_q"
    case dqn
    case sac
    case mbpo

    /// Whether the loop trains a world model from `model:`.
    public var usesWorldModel: Bool { self == .pets || self == .mbpo }
    /// Whether the loop runs for `total_steps` environment steps (the others count trials or episodes).
    public var usesTotalSteps: Bool { self == .dqn || self == .sac || self == .mbpo }
    /// Whether the loop trains the SAC learner of `sac:`.
    public var usesSAC: Bool { self == .sac || self == .mbpo }
}
