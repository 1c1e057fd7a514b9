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
/// | `mopo` | MOPO (Yu et al. 2020): SAC on real + uncertainty-penalised model rollouts, from a dataset | `offline`, `model`, `sac`; Box actions |
/// | `morel` | MOReL (Kidambi et al. 2020): rollouts halted with −κ in unknown states | `offline`, `model`, `sac` |
/// | `ravl` | RAVL (Sims et al. 2024): no dynamics penalty, an EDAC critic ensemble (`sac.num_critics`, `sac.eta`) | `offline`, `model`, `sac` |
/// | `offline_mbpo` | model-based training on the dataset with no penalty (the baseline MOPO improves on) | `offline`, `model`, `sac` |
/// | `bc` | behaviour cloning of the dataset's actions | `offline`, `bc` |
/// | `td3_bc` | TD3+BC (Fujimoto & Gu 2021) | `offline`, `td3_bc` |
public enum Algorithm: String, ConfigChoice {
    case pets
    case dynaQ = "dyna_q"
    case dqn
    case sac
    case mbpo
    case mopo
    case morel
    case ravl
    case offlineMBPO = "offline_mbpo"
    case bc
    case td3BC = "td3_bc"

    /// Whether the loop learns from a dataset only (`offline:`), never stepping the environment but to evaluate.
    public var isOffline: Bool { isOfflineModelBased || self == .bc || self == .td3BC }
    /// The offline loops that train a world model and SAC on its rollouts.
    public var isOfflineModelBased: Bool { [.mopo, .morel, .ravl, .offlineMBPO].contains(self) }
    /// Whether the loop trains a world model from `model:`.
    public var usesWorldModel: Bool { self == .pets || self == .mbpo || isOfflineModelBased }
    /// Whether the loop runs for `total_steps` environment steps (the others count trials, episodes or gradient steps).
    public var usesTotalSteps: Bool { self == .dqn || self == .sac || self == .mbpo }
    /// Whether the loop trains the SAC learner of `sac:`.
    public var usesSAC: Bool { self == .sac || self == .mbpo || isOfflineModelBased }
}
