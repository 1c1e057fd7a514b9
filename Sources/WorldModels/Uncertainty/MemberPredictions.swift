/// Every ensemble member's prediction for a batch of rows: what an
/// ``UncertaintyPenalty`` reads. ``WorldModelPrediction`` (from a rollout state
/// made with `rolloutState(_:reportingMembers: true)`) and ``ModelRolloutStep``
/// (from a `ModelEnvironment` with `reportingMembers`) both provide it.
///
/// | field                        | shape                                                       |
/// |------------------------------|-------------------------------------------------------------|
/// | `memberNextObservationMeans` | `[members, rows, observationSize]`                          |
/// | `memberNextObservationStds`  | `[members, rows, observationSize]`, empty for deterministic members |
public protocol MemberPredictions {
    /// Rows in the batch.
    var rows: Int { get }
    /// Floats in an observation.
    var observationSize: Int { get }
    /// Members reported (0 when the model was not asked to report them).
    var members: Int { get }
    /// Every member's mean next observation, `[members, rows, observationSize]`.
    var memberNextObservationMeans: [Float] { get }
    /// Every member's next-observation std, `[members, rows, observationSize]` (empty for deterministic members).
    var memberNextObservationStds: [Float] { get }
}

extension WorldModelPrediction: MemberPredictions {}
extension ModelRolloutStep: MemberPredictions {}
