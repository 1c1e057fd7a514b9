/// The largest distance between two members' mean predictions,
///
///     u(s, a) = max_{i < j} ‖μ_i(s, a) − μ_j(s, a)‖₂,
///
/// Lu et al. 2022's "Max Pairwise Diff" (the LLR-style disagreement) and MOReL's discrepancy `disc(s, a)` of its unknown-state
/// detector (Kidambi et al. 2020, §4.2; see ``MOReLHalting``). Needs at least
/// 2 members; O(E² · rows · observationSize).
public struct MaxPairwiseDistancePenalty: UncertaintyPenalty {
    public init() {}

    public var heuristic: UncertaintyHeuristic { .maxPairwiseDistance }
    public var minimumMembers: Int { 2 }
    public var needsStandardDeviations: Bool { false }

    public func estimate<Predictions: MemberPredictions>(_ predictions: Predictions, into u: inout [Float]) {
        prepare(predictions, &u)
        let (m, n, o) = (predictions.members, predictions.rows, predictions.observationSize)
        predictions.memberNextObservationMeans.withUnsafeBufferPointer { mean in
            u.withUnsafeMutableBufferPointer { out in
                for r in 0..<n {
                    var largest: Float = 0
                    for a in 0..<m {
                        for b in (a + 1)..<m {
                            let pa = (a * n + r) * o, pb = (b * n + r) * o
                            var squares: Float = 0
                            for j in 0..<o {
                                let d = mean[pa + j] - mean[pb + j]
                                squares += d * d
                            }
                            largest = max(largest, squares)
                        }
                    }
                    out[r] = largest.squareRoot()
                }
            }
        }
    }
}
