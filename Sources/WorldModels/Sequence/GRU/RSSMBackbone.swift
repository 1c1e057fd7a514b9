import NN
import SeededRandom
import TensorCore

/// "RSSM-lite": DreamerV3's recurrent state-space model (Hafner et al. 2023,
/// "Mastering Diverse Domains through World Models") without image encoders,
/// with a diagonal-Gaussian stochastic latent (as DreamerV1/PlaNet) in place
/// of V3's 32 × 32 categoricals.
///
/// Input step t of a window is `x_t = [o_t, a_t]`: the first
/// `observationSize` floats are the observation (seen only by the posterior),
/// the rest the action (entering the deterministic path). With
/// `h`, `z` the deterministic and stochastic states:
///
///     h_t = GRU(h_{t−1}, [z_{t−1}, a_t])                    deterministic (GRUCell, PyTorch gates)
///     h_t = GRU(h_{t−1}, [z_{t−1}, a_t, o_t])               the same with `observationToDeterministic`
///     p(z_t | h_t)      = N(μ_p, σ_p²),  [μ_p, s_p] = prior(h_t)          (MLP, SiLU)
///     q(z_t | h_t, o_t) = N(μ_q, σ_q²),  [μ_q, s_q] = posterior([h_t, o_t]) (MLP, SiLU)
///     σ = softplus(s) + minStd,  z_t = μ + σ ⊙ ε,  ε ~ N(0, I)             (reparameterised)
///     features_t = [h_t, z_t]                               `featureSize = hiddenSize + stochasticSize`
///
/// The parallel form (training) samples z_t from the posterior; `step` (imagination)
/// from the prior, ignoring the observation part of its input; `observe`
/// is the posterior step (filtering real data before imagining from it).
/// With `sampling = false`, z is the mean (deterministic; evaluation and tests).
///
/// `observationToDeterministic` also feeds o_t to the GRU (in imagination the
/// observation part of `step`'s input, the model's own prediction, as for the
/// plain GRU backbone). Without it the only way from an observation to the
/// memory h is the posterior z, and on the T-maze memory probe (a cue in o_0
/// that decides the reward 19 steps later) that path did not learn at all:
/// 24 units, z of 8, update-gate bias 6, Adam 1e-2, seeds 0–3 all at chance
/// after 300 and after 1000 steps, also without sampling (z = μ), with the
/// posterior σ started at ≈ 0.1, with μ's output weights ×5, a gate bias of 3,
/// or 64 units with z of 32; the KL stayed under the free nats (0.4–0.9), so
/// it was not KL collapse but too little signal: the cue reaches h only
/// through two freshly initialised layers and a sample, and the reward needs
/// it combined with the heading before any gradient points at it. With the
/// observation in the deterministic path the same model learns the probe
/// (600 steps: 100/100 on seeds 0–7, KL 0.6–0.9 nats; see `TMazeMemoryProbe`).
/// The latent then models what h does not already predict, and the prior
/// p(z_t | h_t) sees o_t too.
///
/// KL term (DreamerV3 §"World model learning", KL balancing with free bits):
///
///     L_dyn = max(freeNats, KL(sg(q) ‖ p)),  L_rep = max(freeNats, KL(q ‖ sg(p)))
///     regularizationLoss = dynamicsScale · mean_{b,t} L_dyn + representationScale · mean_{b,t} L_rep
///
/// with KL summed over the latent dimensions per (b, t), sg = stop-gradient,
/// defaults freeNats 1, dynamicsScale 0.5, representationScale 0.1. It is set
/// by every parallel forward; the trainer takes it with `takeRegularizationLoss()`
/// (``RegularizedSequenceBackbone``) and adds it to the loss.
///
/// Resets: `resetMask[b, t] = 1` zeroes h and z before step t. Cost: the
/// parallel form is unrolled on the tape (the z → h feedback prevents the
/// all-steps input GEMM of ``GRUBackbone``), O(T) tape ops per window.
public final class RSSMBackbone: RegularizedSequenceBackbone {
    /// Deterministic and stochastic state per row.
    public struct State {
        /// `[rows, hiddenSize]`.
        public var deterministic: Tensor
        /// `[rows, stochasticSize]`.
        public var stochastic: Tensor
        public init(deterministic: Tensor, stochastic: Tensor) {
            self.deterministic = deterministic
            self.stochastic = stochastic
        }
    }
    public typealias RecurrentState = State

    public let inputSize: Int
    public let observationSize: Int
    public let hiddenSize: Int
    public let stochasticSize: Int
    public let cell: GRUCell
    public let prior: MLP
    public let posterior: MLP
    /// Lower bound added to σ (softplus(s) + minStd).
    public var minStd: Float = 0.1
    /// Free nats per (b, t) below which the KL terms have no gradient.
    public var freeNats: Float = 1
    /// β_dyn: weight of KL(sg(q) ‖ p), which trains the prior.
    public var dynamicsScale: Float = 0.5
    /// β_rep: weight of KL(q ‖ sg(p)), which regularises the posterior.
    public var representationScale: Float = 0.1
    /// Whether o_t enters the GRU besides z_{t−1} and a_t (see the type's doc).
    public let observationToDeterministic: Bool
    /// Sample z (true) or use the mean (false).
    public var sampling = true
    /// Source of ε for every sample drawn (parallel form and steps).
    public var noiseGenerator: SeededGenerator
    /// Weighted KL term of the last parallel forward (see the type's doc); holds that
    /// forward's tape until taken (``takeRegularizationLoss()``) or replaced.
    public private(set) var regularizationLoss: Variable?
    /// Mean KL(q ‖ p) per (b, t) of the last parallel forward, in nats (for logging).
    public private(set) var lastKL: Float = 0

    public var featureSize: Int { hiddenSize + stochasticSize }
    /// Floats of the action part of an input step.
    public var actionSize: Int { inputSize - observationSize }

    /// - Parameters: `observationSize` ≤ `inputSize` (the rest is the action);
    ///   `headHiddenSize` the width of the prior/posterior MLPs' hidden layer;
    ///   `updateGateBias` is added to the GRU's update-gate input bias at init, as in
    ///   `GRUBackbone` (z ≈ σ(bias): the state is kept at first, so information
    ///   survives long gaps before training has learned to keep it); `observationToDeterministic`
    ///   feeds o_t to the GRU as well (see the type's doc).
    public init(inputSize: Int, observationSize: Int, hiddenSize: Int, stochasticSize: Int, headHiddenSize: Int,
                updateGateBias: Float = 0, observationToDeterministic: Bool = false, generator: inout SeededGenerator) {
        precondition(inputSize > 0 && observationSize > 0 && observationSize <= inputSize && hiddenSize > 0
                     && stochasticSize > 0 && headHiddenSize > 0,
                     "RSSMBackbone: need 0 < observationSize (\(observationSize)) ≤ inputSize (\(inputSize)) and positive sizes")
        self.inputSize = inputSize
        self.observationSize = observationSize
        self.hiddenSize = hiddenSize
        self.stochasticSize = stochasticSize
        self.observationToDeterministic = observationToDeterministic
        let cellInputSize = stochasticSize + inputSize - (observationToDeterministic ? 0 : observationSize)
        cell = GRUCell(inputSize: cellInputSize, hiddenSize: hiddenSize, generator: &generator)
        for i in hiddenSize..<(2 * hiddenSize) { cell.biasIH.value.scalars[i] += updateGateBias }
        prior = MLP(inputSize: hiddenSize, hiddenSizes: [headHiddenSize], outputSize: 2 * stochasticSize,
                    activation: .silu, generator: &generator)
        posterior = MLP(inputSize: hiddenSize + observationSize, hiddenSizes: [headHiddenSize], outputSize: 2 * stochasticSize,
                        activation: .silu, generator: &generator)
        noiseGenerator = generator.split()
    }

    public func namedParameters() -> [(String, Parameter)] {
        prefixed("cell", cell) + prefixed("prior", prior) + prefixed("posterior", posterior)
    }

    // MARK: - Parallel form

    /// `[batch, time, inputSize]` → `[batch, time, hiddenSize + stochasticSize]`
    /// (posterior samples); sets ``regularizationLoss``.
    public func callAsFunction(_ input: Variable, resetMask: Tensor?) -> Variable {
        precondition(input.rank == 3 && input.shape[2] == inputSize,
                     "RSSMBackbone: input shape \(input.shape), expected [batch, time, \(inputSize)]")
        let (b, t) = (input.shape[0], input.shape[1])
        if let m = resetMask { precondition(m.shape == [b, t], "RSSMBackbone: reset mask shape \(m.shape), expected \([b, t])") }
        let tape = input.tape
        var h = tape.constant(Tensor(zeros: [b, hiddenSize]))
        var z = tape.constant(Tensor(zeros: [b, stochasticSize]))
        var features: [Variable] = []
        var dyn: [Variable] = [], rep: [Variable] = []
        var klSum: Double = 0
        let floor = tape.constant(Tensor(shape: [b], repeating: freeNats))
        for s in 0..<t {
            if let m = resetMask, s > 0 {
                let keep = Tensor(shape: [b, 1], scalars: (0..<b).map { 1 - (m[$0, s] != 0 ? 1 : 0) })
                if keep.scalars.contains(0) { h = h * keep; z = z * keep }
            }
            let x = input.slice(axis: 1, s..<(s + 1)).reshaped([b, inputSize])
            let parts = actionSize > 0 ? x.split(sizes: [observationSize, actionSize], axis: 1) : [x]
            h = cell(Variable.concatenate([z] + cellInputs(parts), axis: 1), state: h)
            let (mp, sp) = statistics(prior(h))
            let (mq, sq) = statistics(posterior(Variable.concatenate([h, parts[0]], axis: 1)))
            z = sample(mean: mq, std: sq)
            features.append(Variable.concatenate([h, z], axis: 1).reshaped([b, 1, featureSize]))
            let klDyn = Self.kl(mq.detached, sq.detached, mp, sp)
            let klRep = Self.kl(mq, sq, mp.detached, sp.detached)
            klSum += Double(klRep.value.sum().scalar)
            dyn.append(Variable.maximum(klDyn, floor))
            rep.append(Variable.maximum(klRep, floor))
        }
        let steps = Float(b * t)
        regularizationLoss = Variable.concatenate(dyn, axis: 0).sum() * (dynamicsScale / steps)
            + Variable.concatenate(rep, axis: 0).sum() * (representationScale / steps)
        lastKL = Float(klSum / Double(steps))
        return Variable.concatenate(features, axis: 1)
    }

    public func takeRegularizationLoss() -> Variable? {
        defer { regularizationLoss = nil }
        return regularizationLoss
    }

    /// KL(N(μ₁, σ₁²) ‖ N(μ₂, σ₂²)) summed over the last axis: `[rows, S]` → `[rows]`,
    /// Σ log(σ₂/σ₁) + (σ₁² + (μ₁ − μ₂)²) / (2σ₂²) − ½.
    static func kl(_ m1: Variable, _ s1: Variable, _ m2: Variable, _ s2: Variable) -> Variable {
        let d = m1 - m2
        let terms = s2.log() - s1.log() + (s1 * s1 + d * d) / (s2 * s2 * 2) - 0.5
        return terms.sum(axis: 1)
    }

    /// What enters the GRU besides z from an input step split into [observation, action]:
    /// the action, preceded by the observation with `observationToDeterministic`.
    private func cellInputs<T>(_ parts: [T]) -> [T] {
        (actionSize > 0 ? [parts[1]] : []) + (observationToDeterministic ? [parts[0]] : [])
    }

    private func statistics(_ raw: Variable) -> (Variable, Variable) {
        let p = raw.split(sizes: [stochasticSize, stochasticSize], axis: 1)
        return (p[0], p[1].softplus() + minStd)
    }

    private func sample(mean: Variable, std: Variable) -> Variable {
        guard sampling else { return mean }
        return mean + std * Tensor(shape: mean.shape, normalMean: 0, std: 1, generator: &noiseGenerator)
    }

    // MARK: - Recurrent form

    public func initialState(batch: Int) -> State {
        State(deterministic: Tensor(zeros: [batch, hiddenSize]), stochastic: Tensor(zeros: [batch, stochasticSize]))
    }

    /// Imagination step: h from [z, a], z from the prior (the observation part of `input` is ignored).
    public func step(_ input: Tensor, state: inout State) -> Tensor { advance(input, state: &state, usePosterior: false) }

    /// Filtering step on real data: z from the posterior (equals the parallel form step by step).
    public func observe(_ input: Tensor, state: inout State) -> Tensor { advance(input, state: &state, usePosterior: true) }

    private func advance(_ input: Tensor, state: inout State, usePosterior: Bool) -> Tensor {
        precondition(input.rank == 2 && input.shape[1] == inputSize, "RSSMBackbone.step: input shape \(input.shape), expected [rows, \(inputSize)]")
        let rows = input.shape[0]
        precondition(state.deterministic.shape == [rows, hiddenSize] && state.stochastic.shape == [rows, stochasticSize],
                     "RSSMBackbone.step: state shapes \(state.deterministic.shape), \(state.stochastic.shape) for \(rows) rows")
        let parts = actionSize > 0 ? input.split(sizes: [observationSize, actionSize], axis: 1) : [input]
        let h = cell(Tensor.concatenate([state.stochastic] + cellInputs(parts), axis: 1), state: state.deterministic)
        let raw = usePosterior ? posterior(Tensor.concatenate([h, parts[0]], axis: 1)) : prior(h)
        let p = raw.split(sizes: [stochasticSize, stochasticSize], axis: 1)
        var z = p[0]
        if sampling {
            let std = p[1].applying(.softplus) + Tensor(shape: z.shape, repeating: minStd)
            z = z + std * Tensor(shape: z.shape, normalMean: 0, std: 1, generator: &noiseGenerator)
        }
        state = State(deterministic: h, stochastic: z)
        return Tensor.concatenate([h, z], axis: 1)
    }

    public func gatherRows(_ state: State, rows: [Int]) -> State {
        State(deterministic: state.deterministic.gatherRows(rows), stochastic: state.stochastic.gatherRows(rows))
    }
}

extension Variable {
    /// The same value as a constant on the same tape (stop-gradient, `sg(·)`).
    var detached: Variable { tape.constant(value) }
}
