/// Hyper-parameters of ``BCLearner``: TD3+BC's actor (Fujimoto & Gu 2021;
/// CORL's `any_percent_bc.py`: 256-256 ReLU, tanh head, Adam 3e-4).
public struct BCConfiguration: Sendable, Equatable {
    /// Hidden widths of the policy (ReLU).
    public var hiddenSizes = [256, 256]
    /// Adam step size.
    public var learningRate: Float = 3e-4
    /// Standardise observations with the dataset's statistics (``BCLearner/fitObservationNormalizer(_:)``).
    public var normalizeObservations = true
    /// Swift worker threads of the update (nil: active cores).
    public var threads: Int? = nil

    public init() {}

    /// Throws ``LearnerConfigurationError`` naming the first bad field.
    public func validate() throws {
        func check(_ ok: Bool, _ message: @autoclosure () -> String) throws {
            if !ok { throw LearnerConfigurationError(learner: "BC", message: message()) }
        }
        try check(!hiddenSizes.isEmpty && hiddenSizes.allSatisfy { $0 > 0 }, "hiddenSizes must be positive widths, got \(hiddenSizes)")
        try check(learningRate > 0 && learningRate.isFinite, "learningRate must be positive, got \(learningRate)")
        if let t = threads { try check(t >= 1, "threads must be at least 1, got \(t)") }
    }
}
