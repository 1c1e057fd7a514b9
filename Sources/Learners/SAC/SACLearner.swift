import CKernels
import Foundation
import NN
import Replay
import SeededRandom

/// Soft Actor-Critic (Haarnoja et al. 2018, "Soft Actor-Critic Algorithms and
/// Applications") for continuous actions, as CleanRL's `sac_continuous_action.py`,
/// with a hand-fused, parallel update.
///
/// **Networks** (``DenseNetwork``, ReLU, PyTorch-default init drawn in this
/// order from the generator: actor, Q1, Q2; the targets start as copies):
/// - actor `obs → hidden → 2·act`, outputs split into the mean μ and a raw
///   log-std squashed as CleanRL: `log σ = min + ½(max − min)(tanh(raw) + 1)`;
/// - twin critics `Q_k(s, a)`: `obs + act → hidden → 1` on `[s | a]`, with
///   Polyak targets `Q'_k`.
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
///    `MSE(Q1(s, a), y) + MSE(Q2(s, a), y)`;
/// 2. every `policyFrequency` updates, `policyFrequency` times: the actor step on
///    `mean(α log π(ã|s) − min_k Q_k(s, ã))`, ã ~ π(·|s), through the *updated*
///    critics (their input gradients only, no critic weight gradients), then the
///    temperature step on `−log α · mean(log π(ã|s) + target entropy)` (log π
///    detached; the SB3 / pranz24 form — CleanRL and torch_bench write
///    `−α · (…)`, the same direction with a gradient scaled by α);
/// 3. every `targetNetworkFrequency` updates: `θ'_k ← τθ_k + (1 − τ)θ'_k`.
///
/// **Cost and schedule.** For torch_bench's Pendulum sizes (obs 3, act 1, 256-256,
/// B 256) an update is ≈ 0.54 GFLOP, sixteen 256×256×256 GEMMs. It runs in four
/// phases on `threads` workers with OpenBLAS at one thread: (1) per row block:
/// actor forward on s' and s with both policy samples, target critics, y, critic
/// forward on (s, a), the critic loss gradient and its chain (2) per (critic,
/// layer block): weight gradients, Adam and the Polyak update of that slice
/// (3) per row block: critics on (s, ã), the min, their input gradients, the
/// policy head's reverse and the actor's chain (4) per actor layer block:
/// weight gradients and Adam; then α. Nothing is allocated per update once the
/// batch size is known. Measured on the 2-core reference machine: see the
/// `sac_update` case of `mbrl bench`.
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
    /// Q1 and Q2 (`obs + act → 1`).
    public let critics: [DenseNetwork]
    /// Q'1 and Q'2.
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
        critics = (0..<2).map { _ in
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

    // MARK: - Acting

    /// Rows per work item of ``act(observations:rows:deterministic:into:using:)``.
    static let actingChunkRows = 512

    /// Actions `[rows, actionSize]` within the bounds for observations `[rows, observationSize]`:
    /// sampled `tanh(μ + σε)·scale + bias`, or deterministic `tanh(μ)·scale + bias`.
    /// `actions` is resized to `rows · actionSize` when it differs. Rows go in chunks of
    /// 512 over the workers; each chunk's ε comes from its own stream seeded by four
    /// draws of `generator` taken in chunk order (so results do not depend on the
    /// scheduling), from the vectorised Box–Muller of `mbrl_fill_normal`.
    public func act(observations: [Float], rows: Int, deterministic: Bool, into actions: inout [Float],
                    using generator: inout SeededGenerator) {
        precondition(rows >= 0 && observations.count == rows * observationSize,
                     "SACLearner.act: \(observations.count) observation values for \(rows) rows of \(observationSize)")
        if actions.count != rows * actionSize { actions = [Float](repeating: 0, count: rows * actionSize) }
        guard rows > 0 else { return }
        if acting == nil { acting = SACActingWorkspace(actor: actor, workers: queue.workers, chunkRows: Self.actingChunkRows) }
        let ws = acting!
        let chunk = ws.chunkRows, chunks = (rows + chunk - 1) / chunk
        if !deterministic { ws.prepareSeeds(chunks: chunks, generator: &generator) }
        let obs = observationSize, act = actionSize, actor = actor
        let scale = scalePointer, bias = biasPointer, seeds = ws.seeds
        let (low, high) = (configuration.logStdMin, configuration.logStdMax)
        observations.withUnsafeBufferPointer { x in
            actions.withUnsafeMutableBufferPointer { out in
                let x = x.baseAddress!, out = out.baseAddress!
                queue.run(count: chunks) { worker, c in
                    let r0 = c * chunk, n = min(chunk, rows - r0)
                    let pass = ws.passes[worker]
                    actor.forward(x + r0 * obs, rows: n, workspace: pass)
                    var noise: UnsafeMutablePointer<Float>?
                    if !deterministic {
                        noise = ws.noise[worker]
                        mbrl_fill_normal(noise!, n * act, seeds + 4 * c)
                    }
                    mbrl_squashed_gaussian_forward(pass.output, noise, n, act, scale, bias, low, high,
                                                   out + r0 * act, act, nil)
                }
            }
        }
    }
}

/// Per-worker buffers of ``SACLearner/act(observations:rows:deterministic:into:using:)``.
final class SACActingWorkspace {
    let chunkRows: Int
    let passes: [DenseNetwork.Workspace]
    let noise: [UnsafeMutablePointer<Float>]
    /// Four xoshiro256** words per chunk (`seedCapacity` chunks).
    private(set) var seeds: UnsafeMutablePointer<UInt64>
    private var seedCapacity = 0

    init(actor: DenseNetwork, workers: Int, chunkRows: Int) {
        self.chunkRows = chunkRows
        passes = (0..<workers).map { _ in actor.makeWorkspace(rows: chunkRows) }
        let act = actor.outputSize / 2
        noise = (0..<workers).map { _ in
            let p = UnsafeMutablePointer<Float>.allocate(capacity: chunkRows * act)
            p.initialize(repeating: 0, count: chunkRows * act)
            return p
        }
        seeds = .allocate(capacity: 0)
    }

    deinit {
        for p in noise { p.deallocate() }
        seeds.deallocate()
    }

    /// Draws four words of `generator` per chunk, in chunk order.
    func prepareSeeds(chunks: Int, generator: inout SeededGenerator) {
        if seedCapacity < chunks {
            seeds.deallocate()
            seeds = .allocate(capacity: 4 * chunks)
            seedCapacity = chunks
        }
        for c in 0..<chunks { seedNormalStream(seeds + 4 * c, from: &generator) }
    }
}

/// Four words of `generator` as a xoshiro256** state for `mbrl_fill_normal` (never all zero).
func seedNormalStream(_ state: UnsafeMutablePointer<UInt64>, from generator: inout SeededGenerator) {
    for k in 0..<4 { state[k] = generator.next() }
    state[3] |= 1
}

/// `count` standard normal draws into `buffer` from the vectorised Box–Muller of
/// `mbrl_fill_normal`, on a stream seeded by four draws of `generator` (as
/// WorldModels' `fillStandardNormalFast`, which this target cannot see).
func fillStandardNormal(_ buffer: UnsafeMutablePointer<Float>, count: Int, using generator: inout SeededGenerator) {
    guard count > 0 else { return }
    var state: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    withUnsafeMutableBytes(of: &state) { raw in
        let words = raw.baseAddress!.assumingMemoryBound(to: UInt64.self)
        seedNormalStream(words, from: &generator)
        mbrl_fill_normal(buffer, count, words)
    }
}
