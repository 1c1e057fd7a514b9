/// The uncertainty heuristics of offline model-based RL, by their config
/// names (the raw values). Lu et al. 2022 ("Revisiting Design Choices in
/// Offline Model-Based Reinforcement Learning") compare them.
public enum UncertaintyHeuristic: String, Sendable, Equatable, CaseIterable {
    /// MOPO (Yu et al. 2020): `r − λ · max_i ‖σ_i‖₂` (``MaxAleatoricPenalty``).
    case mopo = "mopo"
    /// `r − λ · std of the members' means` (``EnsembleDisagreementPenalty``).
    case ensembleDisagreement = "ensemble_disagreement"
    /// `r − λ · max_{i<j} ‖μ_i − μ_j‖₂` (``MaxPairwiseDistancePenalty``).
    case maxPairwiseDistance = "max_pairwise_distance"
    /// MOReL (Kidambi et al. 2020): halt with reward −κ where the max pairwise
    /// distance exceeds a calibrated threshold (``MOReLHalting``); no λ.
    case morel = "morel"

    /// The penalty computing this heuristic's `u` (MOReL: the pairwise distance it thresholds).
    public func makePenalty(reduction: DisagreementReduction = .meanOverDimensions) -> any UncertaintyPenalty {
        switch self {
        case .mopo: return MaxAleatoricPenalty()
        case .ensembleDisagreement: return EnsembleDisagreementPenalty(reduction: reduction)
        case .maxPairwiseDistance, .morel: return MaxPairwiseDistancePenalty()
        }
    }

    /// Fewest ensemble members the heuristic is defined for.
    public var minimumMembers: Int { self == .mopo ? 1 : 2 }
    /// Whether the heuristic reads predicted stds (a probabilistic model).
    public var needsStandardDeviations: Bool { self == .mopo }
}
