/// Rewrites a rollout step's rewards with an uncertainty penalty — the
/// pessimistic reward of offline model-based RL:
///
///     r̃ = r − λ · u(s, a)                                      (MOPO and the additive heuristics)
///     r̃ = −κ and the row terminates, where disc(s, a) > threshold   (MOReL's HALT; other rows keep r)
///
/// `u` comes from every member's prediction (``UncertaintyPenalty``), so the
/// `ModelEnvironment` must report members. After ``penalize(_:)`` on a MOReL
/// step, call `ModelEnvironment.endRows(terminatedIn:)` so halted rows stop.
/// The `u` buffer is reused: nothing is allocated per step once the row count is known.
public struct UncertaintyRewardPenalizer: Sendable {
    public let penalty: any UncertaintyPenalty
    /// λ of the additive form (0 for MOReL).
    public let lambda: Float
    /// MOReL's detector; nil for the additive heuristics.
    public let halting: MOReLHalting?
    /// The last step's `u`, `[rows]`.
    public private(set) var uncertainties: [Float] = []

    /// The additive form `r − λ·u` with `penalty`'s u (λ ≥ 0, a precondition; validate configs first).
    public init(penalty: any UncertaintyPenalty, lambda: Float) {
        precondition(lambda.isFinite && lambda >= 0, "UncertaintyRewardPenalizer: λ must be ≥ 0, got \(lambda)")
        self.penalty = penalty
        self.lambda = lambda
        halting = nil
    }

    /// MOReL's halting on the max pairwise distance.
    public init(halting: MOReLHalting) {
        penalty = MaxPairwiseDistancePenalty()
        lambda = 0
        self.halting = halting
    }

    /// The penalizer `configuration` describes for a model of `ensembleSize`
    /// members (`probabilistic`: it predicts stds); MOReL needs `calibration`
    /// (its threshold is the coefficient times the calibration's maximum).
    /// Throws ``UncertaintyPenaltyError`` when the configuration or the model does not fit.
    public init(configuration: UncertaintyPenaltyConfiguration, ensembleSize: Int, probabilistic: Bool,
                calibration: DisagreementCalibration? = nil) throws {
        try configuration.validate(ensembleSize: ensembleSize, probabilistic: probabilistic)
        if configuration.heuristic == .morel {
            guard let calibration, calibration.rows > 0 else {
                throw UncertaintyPenaltyError(heuristic: .morel, field: "calibration",
                                              message: "needs a calibration set (the dataset's discrepancies) for its threshold; none was seen")
            }
            self.init(halting: MOReLHalting(calibration: calibration, coefficient: configuration.morelThresholdCoefficient,
                                            haltPenalty: configuration.morelHaltPenalty))
        } else {
            self.init(penalty: configuration.makePenalty(), lambda: configuration.lambda)
        }
    }

    /// Estimates `u` from `predictions` into ``uncertainties``.
    public mutating func estimate<Predictions: MemberPredictions>(_ predictions: Predictions) {
        penalty.estimate(predictions, into: &uncertainties)
    }

    /// Applies ``uncertainties`` (from ``estimate(_:)``) to `rewards` (`[rows]`)
    /// and, for MOReL, `terminated`; statistics over the rows `active` marks
    /// (all rows when nil). Inactive rows are left as they are.
    public func apply(rewards: inout [Float], terminated: inout [Bool], active: [Bool]?) -> UncertaintyPenaltyStatistics {
        let n = uncertainties.count
        precondition(rewards.count == n && (halting == nil || terminated.count == n) && (active?.count ?? n) == n,
                     "UncertaintyRewardPenalizer.apply: \(rewards.count) rewards, \(terminated.count) terminations for \(n) rows")
        var statistics = UncertaintyPenaltyStatistics()
        var sum: Double = 0
        for r in 0..<n where active?[r] ?? true {
            let u = uncertainties[r]
            sum += Double(u)
            statistics.rows += 1
            statistics.maxUncertainty = max(statistics.maxUncertainty, u)
            if let halting {
                if halting.isUnknown(u) {
                    rewards[r] = -halting.haltPenalty
                    terminated[r] = true
                    statistics.halted += 1
                }
            } else {
                rewards[r] -= lambda * u
            }
        }
        statistics.meanUncertainty = statistics.rows > 0 ? Float(sum / Double(statistics.rows)) : 0
        return statistics
    }

    /// Estimates `u` from the step's member predictions and penalises its active rows.
    @discardableResult
    public mutating func penalize(_ step: inout ModelRolloutStep) -> UncertaintyPenaltyStatistics {
        estimate(step)
        return apply(rewards: &step.rewards, terminated: &step.terminated, active: step.active)
    }
}

/// What one penalised step did, over its active rows (for logging, e.g. `rollout/uncertainty`).
public struct UncertaintyPenaltyStatistics: Sendable, Equatable {
    /// Rows counted (the active rows).
    public var rows = 0
    public var meanUncertainty: Float = 0
    public var maxUncertainty: Float = 0
    /// Rows MOReL halted (0 for the additive heuristics).
    public var halted = 0

    public init() {}
}
