/// `mbpo:` (with `algorithm: mbpo`): Model-Based Policy Optimization (Janner
/// et al. 2019) with the loop, defaults and key names of mbrl-lib 0.2's
/// `mbpo.py` and its `mbpo_cartpole` overrides, over any world-model backbone
/// (`model.backbone`).
///
/// First `initial_exploration_steps` real steps (uniformly random actions with
/// `random_initial_explore`, else the untrained SAC policy, sampled). Then,
/// per real step: every `freq_train_model` steps the model is retrained on all
/// real data and `effective_model_rollouts_per_step × freq_train_model`
/// rollouts branch from real states drawn uniformly from the replay buffer
/// (a sequence model first observes the `history_length` real steps that led
/// to each start state), each `rollout_length` steps long under the current
/// policy, into the model buffer (its capacity holds
/// `num_epochs_to_retain_sac_buffer` epochs of rollouts); a row stops at its
/// first predicted termination. Every `sac_updates_every_steps` steps,
/// `num_sac_updates_per_step` SAC updates (of `sac:`) draw each batch from
/// the real buffer with probability `real_data_ratio`, else from the model
/// buffer. Every `epoch_length` steps an epoch ends (the real episode restarts,
/// as mbrl-lib). The rollout length follows `rollout_schedule` = [min_epoch,
/// max_epoch, min_length, max_length]: `min_length` up to epoch `min_epoch`,
/// rising linearly to `max_length` at `max_epoch` (mbrl-lib's
/// `truncated_linear`, epochs counted from 1).
///
/// Rewards come from the model (`model.learned_reward: true`) or the
/// environment's known reward function; terminations from `termination`.
public struct MBPOConfig: ConfigSection {
    /// Real steps collected before the loop (counted in total_steps).
    public var initialExplorationSteps = 5000
    /// Explore with uniformly random actions (else the untrained policy, sampled).
    public var randomInitialExplore = false
    /// Real steps per epoch (each epoch starts a new episode and advances the rollout schedule).
    public var epochLength = 200
    /// Real steps between model retrains (each followed by a batch of rollouts).
    public var freqTrainModel = 200
    /// Model rollouts started per real step (all of a retrain's rollouts are run at once).
    public var effectiveModelRolloutsPerStep = 400
    /// [min_epoch, max_epoch, min_length, max_length] of the rollout length.
    public var rolloutSchedule = [1, 15, 1, 1]
    /// SAC updates per update step.
    public var numSACUpdatesPerStep = 20
    /// Real steps between SAC update steps.
    public var sacUpdatesEverySteps = 1
    /// Epochs of rollouts the model buffer keeps.
    public var numEpochsToRetainSACBuffer = 1
    /// Probability that a SAC batch comes from the real buffer instead of the model buffer, in [0, 1].
    public var realDataRatio = 0.0
    /// Rollouts sample the policy (else its deterministic action).
    public var sacSamplesAction = true
    /// Real steps after the exploration sample the policy (mbrl-lib takes its deterministic action).
    public var envSamplesAction = false
    /// Where imagined terminations come from: known (the environment's known function) | learned (the model's termination head; sequence backbones) | none (never).
    public var termination: TerminationSource = .known
    /// Real steps a sequence model observes before each rollout start (sequence backbones only).
    public var historyLength = 16

    public init() {}

    enum CodingKeys: String, CodingKey {
        case initialExplorationSteps = "initial_exploration_steps"
        case randomInitialExplore = "random_initial_explore"
        case epochLength = "epoch_length"
        case freqTrainModel = "freq_train_model"
        case effectiveModelRolloutsPerStep = "effective_model_rollouts_per_step"
        case rolloutSchedule = "rollout_schedule"
        case numSACUpdatesPerStep = "num_sac_updates_per_step"
        case sacUpdatesEverySteps = "sac_updates_every_steps"
        case numEpochsToRetainSACBuffer = "num_epochs_to_retain_sac_buffer"
        case realDataRatio = "real_data_ratio"
        case sacSamplesAction = "sac_samples_action"
        case envSamplesAction = "env_samples_action"
        case termination
        case historyLength = "history_length"
    }

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.update(&initialExplorationSteps, .initialExplorationSteps)
        try c.update(&randomInitialExplore, .randomInitialExplore)
        try c.update(&epochLength, .epochLength)
        try c.update(&freqTrainModel, .freqTrainModel)
        try c.update(&effectiveModelRolloutsPerStep, .effectiveModelRolloutsPerStep)
        try c.update(&rolloutSchedule, .rolloutSchedule)
        try c.update(&numSACUpdatesPerStep, .numSACUpdatesPerStep)
        try c.update(&sacUpdatesEverySteps, .sacUpdatesEverySteps)
        try c.update(&numEpochsToRetainSACBuffer, .numEpochsToRetainSACBuffer)
        try c.update(&realDataRatio, .realDataRatio)
        try c.update(&sacSamplesAction, .sacSamplesAction)
        try c.update(&envSamplesAction, .envSamplesAction)
        try c.update(&termination, .termination)
        try c.update(&historyLength, .historyLength)
    }

    public func validate() throws {
        try requireAtLeast(initialExplorationSteps, 0, "initial_exploration_steps")
        try requireAtLeast(epochLength, 1, "epoch_length")
        try requireAtLeast(freqTrainModel, 1, "freq_train_model")
        try requireAtLeast(effectiveModelRolloutsPerStep, 1, "effective_model_rollouts_per_step")
        let schedule = "[\(rolloutSchedule.map(String.init).joined(separator: ", "))]"
        try require(rolloutSchedule.count == 4, "rollout_schedule",
                    expected: "[min_epoch, max_epoch, min_length, max_length], four integers", found: schedule)
        try require(rolloutSchedule[2] >= 1 && rolloutSchedule[3] >= 1, "rollout_schedule",
                    expected: "rollout lengths (the last two entries) of at least 1", found: schedule)
        try require(rolloutSchedule[0] >= 0 && rolloutSchedule[0] <= rolloutSchedule[1], "rollout_schedule",
                    expected: "0 <= min_epoch <= max_epoch (the first two entries)", found: schedule)
        try requireAtLeast(numSACUpdatesPerStep, 0, "num_sac_updates_per_step")
        try requireAtLeast(sacUpdatesEverySteps, 1, "sac_updates_every_steps")
        try requireAtLeast(numEpochsToRetainSACBuffer, 1, "num_epochs_to_retain_sac_buffer")
        try requireInterval(realDataRatio, "real_data_ratio", 0, 1)
        try requireAtLeast(historyLength, 0, "history_length")
    }

    /// The rollout length in epoch `epoch` (counted from 1), mbrl-lib's `truncated_linear`.
    public func rolloutLength(epoch: Int) -> Int {
        let (minEpoch, maxEpoch) = (Double(rolloutSchedule[0]), Double(rolloutSchedule[1]))
        let (minLength, maxLength) = (Double(rolloutSchedule[2]), Double(rolloutSchedule[3]))
        let x = Double(epoch)
        if x <= minEpoch || maxEpoch <= minEpoch { return Int(x <= minEpoch ? minLength : maxLength) }
        let fraction = min((x - minEpoch) / (maxEpoch - minEpoch), 1)
        return Int(minLength + fraction * (maxLength - minLength))
    }
}

/// Where imagined terminations come from in model rollouts.
public enum TerminationSource: String, ConfigChoice {
    /// The environment's known termination function (mbrl-lib's `termination_fns`).
    case known
    /// The world model's learned termination head (sequence backbones).
    case learned
    /// Never terminate (tasks without terminal states, e.g. Pendulum).
    case none
}
