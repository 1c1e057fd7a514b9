import Foundation
import NN
import SeededRandom

/// TD3+BC (Fujimoto & Gu 2021, "A Minimalist Approach to Offline
/// Reinforcement Learning"): TD3 (Fujimoto et al. 2018) with a behaviour
/// cloning term in the actor loss and normalised states, as the authors'
/// `TD3_BC.py` and CORL's `td3_bc.py`.
///
/// **Networks** (``DenseNetwork``, ReLU, PyTorch-default init drawn in this
/// order: actor, Q1, Q2; targets start as copies): the deterministic actor
/// `π(s) = tanh(f(s))·scale + bias` (``DeterministicPolicy``) and twin critics
/// `Q_k(s, a)` on `[s | a]`, with targets π', Q'_k. States are standardised
/// with the dataset's statistics (``fitObservationNormalizer(_:)``).
///
/// **Update** on a batch (s, a, r, s', terminated) of B rows:
/// 1. critics: target smoothing `ã' = clamp(π'(s') + clip(σε, −c, c)·scale, low, high)`,
///    ε ~ N(0, 1), `y = r + γ(1 − terminated) min_k Q'_k(s', ã')` (truncated rows
///    bootstrap, STYLE rule 7), one Adam step on `MSE(Q1(s, a), y) + MSE(Q2(s, a), y)`;
/// 2. every `policyFrequency` updates: the actor step on
///
///        L_π = −λ · mean_i Q1(s_i, π(s_i)) + mean_ij (π(s_i)_j − a_ij)²,   λ = α / mean_i |Q1(s_i, π(s_i))|
///
///    (λ detached; its denominator floored at 10⁻⁶), through the updated Q1's
///    input gradient only, then `θ' ← τθ + (1 − τ)θ'` for the actor and both critics.
///
/// **Cost and schedule**: as ``SACLearner``'s: row-parallel phases for the
/// forward and backward chains (critic targets and losses; actor on s, Q1 on
/// (s, π(s)), then after the reduction for λ their backward chains), and
/// ``DenseParameterPhase`` for the weight gradients, Adam and the Polyak
/// updates per gradient block. Buffers are made when the batch size changes.
/// Not thread-safe: one caller at a time.
public final class TD3BCLearner {
    public let configuration: TD3BCConfiguration
    /// π (its network, bounds and observation normaliser).
    public let actor: DeterministicPolicy
    /// π' (the actor's network shape).
    public let targetActor: DenseNetwork
    /// Q1 and Q2 (`obs + act → 1`).
    public let critics: [DenseNetwork]
    /// Q'1 and Q'2.
    public let targetCritics: [DenseNetwork]
    /// Updates taken so far.
    public internal(set) var updates = 0

    let queue: EnsembleWorkQueue
    var workspace: TD3BCWorkspace?

    /// A learner with seeded networks for actions in `[actionLow, actionHigh]`. The configuration must
    /// pass ``TD3BCConfiguration/validate()`` (a precondition here: validate user input first).
    public init(observationSize: Int, actionLow: [Float], actionHigh: [Float], configuration: TD3BCConfiguration,
                generator: inout SeededGenerator) {
        do { try configuration.validate() } catch { preconditionFailure("\(error)") }
        self.configuration = configuration
        actor = DeterministicPolicy(observationSize: observationSize, actionLow: actionLow, actionHigh: actionHigh,
                                    hiddenSizes: configuration.hiddenSizes, generator: &generator)
        targetActor = DenseNetwork(copying: actor.network)
        critics = (0..<2).map { _ in
            DenseNetwork(inputSize: observationSize + actionLow.count, hiddenSizes: configuration.hiddenSizes, outputSize: 1,
                         generator: &generator)
        }
        targetCritics = critics.map { DenseNetwork(copying: $0) }
        queue = EnsembleWorkQueue(workers: configuration.threads ?? ProcessInfo.processInfo.activeProcessorCount)
    }

    public var observationSize: Int { actor.observationSize }
    public var actionSize: Int { actor.actionSize }

    /// Total parameters of the actor and the two critics.
    public var parameterCount: Int { actor.network.parameterCount + critics.reduce(0) { $0 + $1.parameterCount } }

    /// Fits the observation normaliser to the dataset's observations (`[rows, observationSize]`)
    /// when the configuration normalises; does nothing otherwise. Throws
    /// ``LearnerConfigurationError`` for an empty or ragged array. Call before the first update.
    public func fitObservationNormalizer(_ observations: [Float]) throws {
        guard configuration.normalizeObservations else { return }
        actor.observationNormalizer = try ObservationNormalizer.fitted(to: observations, size: observationSize, learner: "TD3+BC")
    }

    /// Deterministic actions π(s) `[rows, actionSize]` for observations `[rows, observationSize]`.
    public func act(observations: [Float], rows: Int, into actions: inout [Float]) {
        actor.act(observations: observations, rows: rows, into: &actions)
    }
}

/// What one ``TD3BCLearner/update(on:using:)`` measured (before its steps).
public struct TD3BCUpdateMetrics: Sendable, Equatable {
    /// MSE(Q1, y) + MSE(Q2, y).
    public var criticLoss: Float
    /// Mean of Q1 and Q2 on the batch's (s, a).
    public var meanQ: Float
    /// L_π, on actor steps only.
    public var actorLoss: Float?
    /// mean (π(s) − a)², on actor steps only.
    public var behaviourCloningLoss: Float?
    /// λ = α / mean|Q1(s, π(s))|, on actor steps only.
    public var lambda: Float?
}
