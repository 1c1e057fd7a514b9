/// An estimate of a model's uncertainty about each row's transition, from
/// every ensemble member's prediction: the `u(s, a)` of the offline
/// model-based methods' penalised reward `r̃ = r − λ·u(s, a)` (MOPO, Yu et al.
/// 2020) or of MOReL's unknown-state detector (Kidambi et al. 2020).
/// "Revisiting Design Choices in Offline Model-Based RL" (Lu et al. 2022)
/// compares these heuristics on one footing; OfflineRL-Kit implements them
/// as `uncertainty_mode`.
///
/// Contract of ``estimate(_:into:)``:
/// - `predictions` reports at least ``minimumMembers`` members (a
///   precondition: check a model with ``UncertaintyPenaltyConfiguration/validate(ensembleSize:probabilistic:)``
///   first), and their stds when ``needsStandardDeviations``;
/// - `u` is resized to `[rows]` only when its count differs (so a caller
///   reusing one buffer allocates nothing per step), then every row is overwritten;
/// - `u ≥ 0`, and 0 when every member predicts the same mean (epistemic
///   heuristics) or zero std (aleatoric);
/// - cost O(members · rows · observationSize), except the pairwise
///   heuristic's O(members² · rows · observationSize); no allocation otherwise.
public protocol UncertaintyPenalty: Sendable {
    /// The heuristic this penalty computes.
    var heuristic: UncertaintyHeuristic { get }
    /// Fewest members for which the estimate means anything (2 for disagreement between members).
    var minimumMembers: Int { get }
    /// Whether the estimate reads the members' predicted stds (a probabilistic model).
    var needsStandardDeviations: Bool { get }
    /// Writes each row's uncertainty into `u` (`[rows]`).
    func estimate<Predictions: MemberPredictions>(_ predictions: Predictions, into u: inout [Float])
}

extension UncertaintyPenalty {
    /// Checks the contract's preconditions and sizes `u` to `[rows]` (reusing its storage).
    func prepare<Predictions: MemberPredictions>(_ predictions: Predictions, _ u: inout [Float]) {
        let (m, n, o) = (predictions.members, predictions.rows, predictions.observationSize)
        precondition(m >= minimumMembers,
                     "\(heuristic.rawValue): needs every member's prediction from at least \(minimumMembers) members, got \(m) "
                     + "(use a rollout state or ModelEnvironment that reports members)")
        precondition(predictions.memberNextObservationMeans.count == m * n * o,
                     "\(heuristic.rawValue): member means of \(predictions.memberNextObservationMeans.count) values, expected [\(m), \(n), \(o)]")
        if needsStandardDeviations {
            precondition(predictions.memberNextObservationStds.count == m * n * o,
                         "\(heuristic.rawValue): needs the members' predicted stds (a probabilistic model), got \(predictions.memberNextObservationStds.count) values")
        }
        if u.count != n { u = [Float](repeating: 0, count: n) }
    }
}
