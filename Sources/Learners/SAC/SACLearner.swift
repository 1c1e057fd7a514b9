import Foundation
import NN
import SeededRandom

/// Soft Actor-Critic (Haarnoja et al. 2018, "Soft Actor-Critic Algorithms and
/// Applications") for continuous actions, as CleanRL's `sac_continuous_action.py`,
/// with a hand-fused, parallel update.
///
/// **Networks** (``DenseNetwork``, ReLU, PyTorch-default init drawn in this
/// order from the generator: actor, Q1, Q2; the targets start as copies):
/// - actor `obs → hidden → 2·act`, outputs split into the mean μ and a raw
///   log-std squashed as CleanRL: `log σ = min + ½(max − min)(tanh(raw) + 1)`;
/// - twin critics `Q_k(s, a)` (N ≥ 2 with `criticCount`, SAC-N / EDAC):
///   `obs + act → hidden → 1` on `[s | a]`, with Polyak targets `Q'_k`.
///
/// **Policy.** `u = μ + σε` (ε ~ N(0, 1)), `y = tanh(u)`, action
/// `a = y·scale + bias` (scale, bias = half range and midpoint of the bounds),
/// `log π = Σ[−½ε² − log σ − ½ log 2π] − Σ log(scale(1 − y²) + 1e-6)`; the
/// deterministic action is `tanh(μ)·scale + bias`.
///
/// **Update** on a batch (s, a, r, s', terminated) of B rows:
/// 1. critics: `y = r + γ(1 − terminated)(min_k Q'_k(s', a') − α log π(a'|s'))`
///    with a' ~ π(·|s') — bootstrapping stops at `terminated` only; truncated rows
///    bootstrap (STYLE rule 7) — and one Adam step on
///    `Σ_k MSE(Q_k(s, a), y)` (min over all N critics with `criticCount`), plus
///    EDAC's `η · ES` with `diversityWeight` η > 0 (``EnsembleDiversityTerm``);
/// 2. every `policyFrequency` updates, `policyFrequency` times: the actor step on
///    `mean(α log π(ã|s) − min_k Q_k(s, ã))`, ã ~ π(·|s), through the *updated*
///    critics (their input gradients only, no critic weight gradients), then the
///    temperature step on `−log α · mean(log π(ã|s) + target entropy)` (log π
///    detached; the SB3 / pranz24 form — CleanRL and torch_bench write
///    `−α · (…)`, the same direction with a gradient scaled by α);
/// 3. every `targetNetworkFrequency` updates: `θ'_k ← τθ_k + (1 − τ)θ'_k`.
///
/// **Cost and schedule.** For torch_bench's Pendulum sizes (obs 3, act 1, 256-256,
/// B 256) an update is ≈ 0.5 GFLOP: fifteen 256×256×256-sized GEMMs (the
/// actor step back-propagates each critic only over the rows where it is the
/// minimum, as the other rows' gradient is zero). It runs in four phases on
/// `threads` workers with OpenBLAS at one thread, one barrier each: (1) per row
/// block: actor forward on s' and s with both policy samples, target critics,
/// y, critic forward on (s, a), the critic loss gradient and its backward chain;
/// (2) per (critic, layer block), largest first: weight gradients, then Adam and
/// the Polyak update of that slice while it is in cache; (3) per row block:
/// critics on (s, ã), the min, their input gradients, the policy head's reverse
/// and the actor's chain; (4) per actor layer block: weight gradients and Adam;
/// then α. Buffers are allocated when the batch size changes, not per update
/// (the only allocations left are Swift Dispatch's, two per phase, and
/// OpenBLAS's small-matrix scratch). Measured: see the `sac_update` case of
/// `mbrl bench`.
///
/// Not thread-safe: one caller at a time (it parallelises internally).
public final class SACLearner {
    public let observationSize: Int
    public let actionSize: Int
    public let configuration: SACConfiguration
    /// Half range of the action bounds, `(high − low) / 2`.
    public let actionScale: [Float]
    /// Midpoint of the action bounds, `(high + low) / 2`.
    public let actionBias: [Float]
    /// The entropy the temperature aims for (`configuration.targetEntropy ?? −actionSize`).
    public let targetEntropy: Float
    /// Updates taken so far.
    public internal(set) var updates = 0

    /// The policy network (`obs → 2·act`).
    public let actor: DenseNetwork
    /// Q1 … QN (`obs + act → 1`; N = `criticCount`, 2 by default).
    public let critics: [DenseNetwork]
    /// Q'1 … Q'N.
    public let targetCritics: [DenseNetwork]

    /// log α (fixed at log(initialAlpha) without autotuning).
    public internal(set) var logAlpha: Float
    /// Adam state of log α: moments and step count.
    var alphaFirstMoment: Float = 0
    var alphaSecondMoment: Float = 0
    var alphaOptimizerStep = 0

    let queue: EnsembleWorkQueue
    /// The bounds' scale and bias for the kernels (`[act]` each).
    let scalePointer: UnsafeMutablePointer<Float>
    let biasPointer: UnsafeMutablePointer<Float>
    var workspace: SACWorkspace?
    var acting: SACActingWorkspace?

    /// A learner with seeded networks. `actionLow` / `actionHigh` are the action
    /// bounds (`[actionSize]`, low < high); the configuration must pass
    /// ``SACConfiguration/validate()`` (a precondition here: validate user input first).
    public init(observationSize: Int, actionLow: [Float], actionHigh: [Float], configuration: SACConfiguration,
                generator: inout SeededGenerator) {
        do { try configuration.validate() } catch { preconditionFailure("\(error)") }
        precondition(observationSize > 0, "SACLearner: observationSize must be positive, got \(observationSize)")
        precondition(!actionLow.isEmpty && actionLow.count == actionHigh.count,
                     "SACLearner: action bounds of \(actionLow.count) and \(actionHigh.count) values")
        precondition(zip(actionLow, actionHigh).allSatisfy { $0.isFinite && $1.isFinite && $0 < $1 },
                     "SACLearner: action bounds must be finite with low < high, got \(actionLow) … \(actionHigh)")
        self.observationSize = observationSize
        actionSize = actionLow.count
        self.configuration = configuration
        actionScale = zip(actionLow, actionHigh).map { ($1 - $0) / 2 }
        actionBias = zip(actionLow, actionHigh).map { ($1 + $0) / 2 }
        targetEntropy = configuration.targetEntropy ?? -Float(actionLow.count)
        actor = DenseNetwork(inputSize: observationSize, hiddenSizes: configuration.hiddenSizes,
                             outputSize: 2 * actionLow.count, generator: &generator)
        critics = (0..<configuration.criticCount).map { _ in
            DenseNetwork(inputSize: observationSize + actionLow.count, hiddenSizes: configuration.hiddenSizes,
                         outputSize: 1, generator: &generator)
        }
        targetCritics = critics.map { DenseNetwork(copying: $0) }
        logAlpha = log(configuration.initialAlpha)
        queue = EnsembleWorkQueue(workers: configuration.threads ?? ProcessInfo.processInfo.activeProcessorCount)
        scalePointer = .allocate(capacity: actionLow.count)
        scalePointer.initialize(from: actionScale, count: actionLow.count)
        biasPointer = .allocate(capacity: actionLow.count)
        biasPointer.initialize(from: actionBias, count: actionLow.count)
    }

    deinit {
        scalePointer.deallocate()
        biasPointer.deallocate()
    }

    /// The entropy temperature α = exp(log α) (`initialAlpha` when not autotuned).
    public var alpha: Float { configuration.autotuneAlpha ? exp(logAlpha) : configuration.initialAlpha }

    /// Worker threads of the update and of ``act(observations:rows:deterministic:into:using:)``.
    public var threads: Int { queue.workers }

    /// Total parameters of the actor and the two critics (201 988 for torch_bench's `sac_update`).
    public var parameterCount: Int { actor.parameterCount + critics.reduce(0) { $0 + $1.parameterCount } }
}
