import Foundation

/// `offline:` (with `algorithm: mopo | morel | ravl | offline_mbpo | bc | td3_bc`):
/// learning from a fixed dataset (D4RL's `.npz` layout, `mbrl dataset
/// collect`), with no environment steps but the evaluation episodes.
///
/// The model-based methods follow OfflineRL-Kit's MOPO loop and defaults:
/// the world model (`model:`) is fitted to the dataset once; then every
/// `rollout_freq` gradient steps, `rollout_batch_size` rollouts of
/// `rollout_length` steps start from dataset states under the current SAC
/// policy into a model buffer holding `model_retain_epochs` such batches; each
/// SAC batch (`sac.batch_size`) takes a `real_ratio` share from the dataset
/// and the rest from the model buffer. The rollout reward is
///
///     mopo:          r − λ·u,  u = `penalty` (mopo: max_i ‖σ_i‖₂; ensemble_disagreement; max_pairwise_distance)
///     morel:         −κ and the rollout ends where max_{i<j} ‖μ_i − μ_j‖ > c · (its largest value on the dataset)
///     ravl, offline_mbpo: r (no dynamics penalty; RAVL's pessimism is its critic ensemble)
///
/// `bc` and `td3_bc` train on the dataset alone. With `trajectory_weighting:
/// return`, every loop draws dataset transitions return-weighted by trajectory
/// (`TrajectoryWeights`, temperature `weighting_temperature`). Runs last `gradient_steps`
/// updates; `eval.every` counts gradient steps, and each evaluation also logs
/// `eval/normalized_score` = 100·(R − R_random)/(R_expert − R_random) with the
/// environment's reference returns (`ReferenceReturns`).
public struct OfflineConfig: ConfigSection {
    /// The dataset file (`.npz`, D4RL keys), relative to the working directory.
    public var dataset = ""
    /// Gradient steps of the policy learner.
    public var gradientSteps = 100_000
    /// Share of each SAC batch drawn from the dataset (the rest from model rollouts), in [0, 1].
    public var realRatio = 0.05
    /// Steps of each model rollout.
    public var rolloutLength = 5
    /// Rollouts started from dataset states every `rollout_freq` gradient steps.
    public var rolloutBatchSize = 50_000
    /// Gradient steps between rollout batches.
    public var rolloutFreq = 1000
    /// Rollout batches the model buffer keeps.
    public var modelRetainEpochs = 5
    /// mopo's uncertainty `u`: mopo | ensemble_disagreement | max_pairwise_distance.
    public var penalty = OfflinePenalty.mopo
    /// λ of `r − λ·u` (mopo).
    public var penaltyCoefficient = 1.0
    /// morel: the unknown-state threshold as a multiple of the largest discrepancy on the dataset (> 0).
    public var morelThresholdCoefficient = 1.0
    /// morel: κ, the halting reward is −κ (≥ 0).
    public var morelHaltPenalty = 100.0
    /// Dataset steps a sequence model observes before each rollout start (sequence backbones only).
    public var historyLength = 16
    /// How dataset transitions are drawn: none (uniform) | return (return-weighted trajectories, Hong et al. 2023).
    public var trajectoryWeighting = TrajectoryWeighting.none
    /// α of the return weighting `exp(Ĝ / α)` over returns normalised to [0, 1] (> 0; small: only the best trajectories).
    public var weightingTemperature = 0.1

    public init() {}

    enum CodingKeys: String, CodingKey {
        case dataset
        case gradientSteps = "gradient_steps"
        case realRatio = "real_ratio"
        case rolloutLength = "rollout_length"
        case rolloutBatchSize = "rollout_batch_size"
        case rolloutFreq = "rollout_freq"
        case modelRetainEpochs = "model_retain_epochs"
        case penalty
        case penaltyCoefficient = "penalty_coefficient"
        case morelThresholdCoefficient = "morel_threshold_coefficient"
        case morelHaltPenalty = "morel_halt_penalty"
        case historyLength = "history_length"
        case trajectoryWeighting = "trajectory_weighting"
        case weightingTemperature = "weighting_temperature"
    }

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.update(&dataset, .dataset)
        try c.update(&gradientSteps, .gradientSteps)
        try c.update(&realRatio, .realRatio)
        try c.update(&rolloutLength, .rolloutLength)
        try c.update(&rolloutBatchSize, .rolloutBatchSize)
        try c.update(&rolloutFreq, .rolloutFreq)
        try c.update(&modelRetainEpochs, .modelRetainEpochs)
        try c.update(&penalty, .penalty)
        try c.update(&penaltyCoefficient, .penaltyCoefficient)
        try c.update(&morelThresholdCoefficient, .morelThresholdCoefficient)
        try c.update(&morelHaltPenalty, .morelHaltPenalty)
        try c.update(&historyLength, .historyLength)
        try c.update(&trajectoryWeighting, .trajectoryWeighting)
        try c.update(&weightingTemperature, .weightingTemperature)
    }

    public func validate() throws {
        try require(!dataset.isEmpty, "dataset", expected: "the path of a .npz dataset (mbrl dataset collect writes one)",
                    found: "an empty string")
        try requireAtLeast(gradientSteps, 1, "gradient_steps")
        try requireInterval(realRatio, "real_ratio", 0, 1)
        try requireAtLeast(rolloutLength, 1, "rollout_length")
        try requireAtLeast(rolloutBatchSize, 1, "rollout_batch_size")
        try requireAtLeast(rolloutFreq, 1, "rollout_freq")
        try requireAtLeast(modelRetainEpochs, 1, "model_retain_epochs")
        try require(penaltyCoefficient.isFinite && penaltyCoefficient >= 0, "penalty_coefficient",
                    expected: "a finite number ≥ 0", found: ConfigScalar.render(penaltyCoefficient))
        try requirePositive(morelThresholdCoefficient, "morel_threshold_coefficient")
        try require(morelHaltPenalty.isFinite && morelHaltPenalty >= 0, "morel_halt_penalty",
                    expected: "a finite number ≥ 0", found: ConfigScalar.render(morelHaltPenalty))
        try requirePositive(weightingTemperature, "weighting_temperature")
        try requireAtLeast(historyLength, 0, "history_length")
    }
}

/// How an offline loop draws the dataset's transitions.
public enum TrajectoryWeighting: String, ConfigChoice {
    /// Uniformly.
    case none
    /// Return-weighted trajectories (`TrajectoryWeights`; Hong et al. 2023, for mixed-quality data).
    case `return`
}

/// The uncertainty `u` of MOPO's penalised reward `r − λ·u` (Lu et al. 2022 compare them).
public enum OfflinePenalty: String, ConfigChoice {
    /// MOPO's max over members of the aleatoric std's norm (needs a probabilistic model).
    case mopo
    /// The std of the members' means (mean over dimensions, as OfflineRL-Kit).
    case ensembleDisagreement = "ensemble_disagreement"
    /// The largest distance between two members' means.
    case maxPairwiseDistance = "max_pairwise_distance"
}
