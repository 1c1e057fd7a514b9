import Replay

/// Settings of `SequenceWorldModelTrainer`. Defaults are small and
/// DreamerV3-like in spirit (windows of 32 steps, Adam 1e-3, clip at 100).
public struct SequenceTrainingConfiguration: Sendable, Equatable {
    /// Steps per training window L.
    public var sequenceLength = 32
    /// Leading steps of each window that only warm up the backbone state and are excluded from the loss (< L).
    public var burnIn = 0
    /// Windows per batch (per member).
    public var batchSize = 16
    /// How windows are drawn from the replay buffer (across episode boundaries, marked by `resetMask`, by default).
    public var sampling: SequenceSampling = .acrossEpisodes
    public var learningRate: Float = 1e-3
    /// Linear learning-rate warm-up steps (`LearningRateSchedule`; 0: none).
    public var warmupSteps = 0
    /// Cosine decay of the learning rate to this fraction of `learningRate` at the last step (1: constant).
    public var finalLearningRateScale: Float = 1
    /// L2 weight decay inside Adam (0: none).
    public var weightDecay: Float = 0
    /// Global gradient-norm clip per member (nil: no clipping).
    public var gradientClip: Float? = 100
    /// Gradient steps per member; nil: derived from `epochs`.
    public var trainSteps: Int? = nil
    /// Used when `trainSteps` is nil: steps = ⌈epochs · training transitions / (batchSize · (L − burnIn))⌉.
    public var epochs: Double = 1
    /// Fraction of the episodes held out for validation (at least one episode when > 0 and there are ≥ 2 episodes).
    public var validationRatio: Double = 0.1
    /// Validation windows evaluated per check (fixed for the whole run).
    public var validationWindows = 32
    /// Validate every this many steps (and after the last step); 0: only after the last step.
    public var validationInterval = 0
    /// Restore each member's parameters with the lowest validation loss at the end.
    public var keepBestWeights = false
    public var lossWeights = SequenceLossWeights()

    public init() {}

    /// `learningRate` with the warm-up and decay.
    public var schedule: LearningRateSchedule {
        LearningRateSchedule(base: learningRate, warmupSteps: warmupSteps, finalScale: finalLearningRateScale)
    }

    /// The number of gradient steps for `transitions` training transitions.
    public func steps(forTransitions transitions: Int) -> Int {
        if let trainSteps { return trainSteps }
        let perStep = Double(batchSize * max(sequenceLength - burnIn, 1))
        return max(1, Int((epochs * Double(transitions) / perStep).rounded(.up)))
    }
}

/// What one `SequenceWorldModelTrainer.train` call did.
public struct SequenceTrainingReport: Sendable, Equatable, Codable {
    /// Gradient steps per member.
    public var steps: Int
    /// Mean training loss (weighted total) over the last 10% of steps, averaged over members.
    public var trainLoss: Float
    /// Each member's last validation loss (weighted total; nil without validation data).
    public var validationLoss: [Float]?
    /// Each member's lowest validation loss seen.
    public var bestValidationLoss: [Float]?
    /// Validation loss terms (observation, reward, termination) of the last check, averaged over members.
    public var validationTerms: [Float]?
    /// Transitions and episodes used for training and for validation.
    public var trainTransitions: Int
    public var validationTransitions: Int
    public var trainEpisodes: Int
    public var validationEpisodes: Int
    /// Wall-clock seconds of the gradient steps (validation excluded).
    public var seconds: Double
    /// Gradient steps per second, all members counted (steps · members / seconds).
    public var stepsPerSecond: Double
}

/// A training input that cannot be used.
public struct SequenceTrainingError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
