/// The settings of an uncertainty-penalised reward, as a config names them:
/// the heuristic, λ of `r̃ = r − λ·u`, the disagreement's reduction, and
/// MOReL's threshold coefficient and κ. Checked by ``validate()`` (the values
/// alone) and ``validate(ensembleSize:probabilistic:)`` (against a model),
/// which throw an ``UncertaintyPenaltyError`` a config layer can show.
///
/// Defaults: λ = 1 (MOPO's D4RL runs use 0.5–5), the disagreement's mean over
/// dimensions (OfflineRL-Kit), MOReL's coefficient 1 (threshold = the largest
/// discrepancy on the dataset) and κ = 200 (halting reward −200).
public struct UncertaintyPenaltyConfiguration: Sendable, Equatable {
    /// Which `u` (config name: the heuristic's raw value).
    public var heuristic: UncertaintyHeuristic = .mopo
    /// λ ≥ 0 of `r − λ·u` (not read by MOReL).
    public var lambda: Float = 1
    /// How ensemble disagreement reduces over observation dimensions.
    public var disagreementReduction: DisagreementReduction = .meanOverDimensions
    /// MOReL: threshold = coefficient × the largest discrepancy on the calibration set (> 0).
    public var morelThresholdCoefficient: Float = 1
    /// MOReL: κ ≥ 0, the halting reward is −κ.
    public var morelHaltPenalty: Float = 200

    public init(heuristic: UncertaintyHeuristic = .mopo, lambda: Float = 1) {
        self.heuristic = heuristic
        self.lambda = lambda
    }

    /// Throws for a value out of range (λ < 0, a non-positive MOReL coefficient, κ < 0, non-finite numbers).
    public func validate() throws {
        func check(_ ok: Bool, _ field: String, _ message: @autoclosure () -> String) throws {
            if !ok { throw UncertaintyPenaltyError(heuristic: heuristic, field: field, message: message()) }
        }
        try check(lambda.isFinite && lambda >= 0, "lambda", "λ must be a finite number ≥ 0, got \(lambda)")
        if heuristic == .morel {
            try check(morelThresholdCoefficient.isFinite && morelThresholdCoefficient > 0, "morelThresholdCoefficient",
                      "the threshold coefficient must be positive, got \(morelThresholdCoefficient)")
            try check(morelHaltPenalty.isFinite && morelHaltPenalty >= 0, "morelHaltPenalty",
                      "κ (the halting reward is −κ) must be ≥ 0, got \(morelHaltPenalty)")
        }
    }

    /// ``validate()``, then whether a model of `ensembleSize` members
    /// (`probabilistic`: it predicts stds) supports the heuristic.
    public func validate(ensembleSize: Int, probabilistic: Bool) throws {
        try validate()
        if ensembleSize < heuristic.minimumMembers {
            throw UncertaintyPenaltyError(
                heuristic: heuristic, field: "ensembleSize",
                message: "needs an ensemble of at least \(heuristic.minimumMembers) members (it measures their disagreement); "
                    + "the model has \(ensembleSize) member\(ensembleSize == 1 ? "" : "s")")
        }
        if heuristic.needsStandardDeviations && !probabilistic {
            throw UncertaintyPenaltyError(heuristic: heuristic, field: "probabilistic",
                                          message: "needs a probabilistic model (predicted stds); the model is deterministic")
        }
    }

    /// The penalty computing this configuration's `u`.
    public func makePenalty() -> any UncertaintyPenalty { heuristic.makePenalty(reduction: disagreementReduction) }
}

/// An uncertainty-penalty setting a model or a config cannot use, naming the
/// heuristic and the field.
public struct UncertaintyPenaltyError: Error, Equatable, CustomStringConvertible, Sendable {
    public var heuristic: UncertaintyHeuristic
    /// The ``UncertaintyPenaltyConfiguration`` field (or `ensembleSize` / `probabilistic` for the model).
    public var field: String
    public var message: String

    public init(heuristic: UncertaintyHeuristic, field: String, message: String) {
        self.heuristic = heuristic
        self.field = field
        self.message = message
    }

    public var description: String { "uncertainty penalty '\(heuristic.rawValue)': \(message)" }
}
