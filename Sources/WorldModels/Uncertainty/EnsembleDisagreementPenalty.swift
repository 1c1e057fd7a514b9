/// How ``EnsembleDisagreementPenalty`` reduces the per-dimension spread of the
/// members' means to one number.
public enum DisagreementReduction: String, Sendable, Equatable, CaseIterable {
    /// `√(mean_j Var_i μ_ij)`: the root-mean-square over dimensions of the
    /// members' std (OfflineRL-Kit's `ensemble_std`, Lu et al. 2022's
    /// "Ensemble Std"); does not grow with the observation size.
    case meanOverDimensions = "mean"
    /// `√(Σ_j Var_i μ_ij) = ‖std_i μ_i‖₂`: the L2 norm of the std vector.
    case norm = "norm"
}

/// Ensemble disagreement: the spread of the members' mean predictions, an
/// epistemic uncertainty (Lu et al. 2022, "Revisiting Design Choices in
/// Offline Model-Based Reinforcement Learning", "Ensemble Std"; OfflineRL-Kit's
/// `uncertainty_mode = "ensemble_std"`). With μ̄ = (1/E) Σ_i μ_i and the
/// population variance over the E members,
///
///     v_j = (1/E) Σ_i (μ_ij − μ̄_j)²
///     u   = √((1/d) Σ_j v_j)     (.meanOverDimensions, the default, as OfflineRL-Kit)
///     u   = √(Σ_j v_j)           (.norm)
///
/// over the d observation dimensions. Needs at least 2 members.
public struct EnsembleDisagreementPenalty: UncertaintyPenalty {
    public let reduction: DisagreementReduction

    public init(reduction: DisagreementReduction = .meanOverDimensions) { self.reduction = reduction }

    public var heuristic: UncertaintyHeuristic { .ensembleDisagreement }
    public var minimumMembers: Int { 2 }
    public var needsStandardDeviations: Bool { false }

    public func estimate<Predictions: MemberPredictions>(_ predictions: Predictions, into u: inout [Float]) {
        prepare(predictions, &u)
        let (m, n, o) = (predictions.members, predictions.rows, predictions.observationSize)
        let divisor = reduction == .meanOverDimensions ? Float(o) : 1
        predictions.memberNextObservationMeans.withUnsafeBufferPointer { mean in
            u.withUnsafeMutableBufferPointer { out in
                for r in 0..<n {
                    var total: Float = 0
                    for j in 0..<o {
                        var sum: Float = 0
                        for k in 0..<m { sum += mean[(k * n + r) * o + j] }
                        let centre = sum / Float(m)
                        var squares: Float = 0
                        for k in 0..<m {
                            let d = mean[(k * n + r) * o + j] - centre
                            squares += d * d
                        }
                        total += squares / Float(m)
                    }
                    out[r] = (total / divisor).squareRoot()
                }
            }
        }
    }
}
