/// MOPO's uncertainty (Yu et al. 2020, "MOPO: Model-based Offline Policy
/// Optimization", §4.3): the largest aleatoric std over the ensemble,
///
///     u(s, a) = max_i ‖σ_i(s, a)‖₂,
///
/// the L2 norm of member i's predicted next-observation std vector, maximised
/// over members (OfflineRL-Kit's `uncertainty_mode = "aleatoric"`; Lu et al.
/// 2022's "Max Aleatoric"). The reward's std is not part of the prediction's
/// member arrays, so the norm runs over the observation dimensions only.
///
/// Needs a probabilistic model; defined for a single member.
public struct MaxAleatoricPenalty: UncertaintyPenalty {
    public init() {}

    public var heuristic: UncertaintyHeuristic { .mopo }
    public var minimumMembers: Int { 1 }
    public var needsStandardDeviations: Bool { true }

    public func estimate<Predictions: MemberPredictions>(_ predictions: Predictions, into u: inout [Float]) {
        prepare(predictions, &u)
        let (m, n, o) = (predictions.members, predictions.rows, predictions.observationSize)
        predictions.memberNextObservationStds.withUnsafeBufferPointer { std in
            u.withUnsafeMutableBufferPointer { out in
                for r in 0..<n {
                    var largest: Float = 0
                    for k in 0..<m {
                        let base = (k * n + r) * o
                        var squares: Float = 0
                        for j in 0..<o { squares += std[base + j] * std[base + j] }
                        largest = max(largest, squares)
                    }
                    out[r] = largest.squareRoot()
                }
            }
        }
    }
}
