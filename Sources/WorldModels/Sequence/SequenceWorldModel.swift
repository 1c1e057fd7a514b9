import NN
import Replay
import SeededRandom
import TensorCore

/// A world model built on any `SequenceBackbone` (GRU, S4WM, Mamba-like,
/// causal transformer, or the memoryless MLP), with heads shared by all of
/// them (`SequenceModelHeads`), as an ensemble of E independent members.
///
/// Per step t a member consumes `x_t = normalize([o_t, a_t])` and its backbone
/// turns the inputs so far into a feature `f_t`; the heads (reading `[f_t, x_t]`
/// with `headInputSkip`, the default, else `f_t`) predict the
/// normalised delta `o_{t+1} − o_t` (Gaussian or mean), the reward `r_t` and
/// the termination logit. Input and output statistics (`Normalizer`) are
/// fitted to the training data by the trainer, as `EnsembleWorldModel` does.
///
/// ## Recurrent use (`WorldModel`)
/// The state keeps the latest observation *pending*: `observe(_:action:observation:)`
/// consumes (pending, action) into every member's backbone state once the
/// action is known, then keeps the new observation pending (`action == nil`
/// resets the backbone state: a new episode). `imagine` consumes (pending,
/// action), predicts, and the predicted next observation becomes pending.
///
/// ## Members and rows
/// A state is either *shared* (every member tracks every row: after `observe`,
/// and after `replicated` with `.mean` propagation) or *partitioned* (after
/// `replicated` with `.tsInfinity`: particle `p` — rows `p·C ..< (p+1)·C`,
/// particle-major — belongs to member `p mod E` only). Shared rows are
/// imagined as the members' mean (std from the law of total variance: mean of
/// the predicted variances plus the variance of the means); partitioned rows
/// sample `o' = o + (μ + σ ε)·s + m` from their member (the mean when
/// deterministic). `terminated = σ(ℓ) > 0.5`.
///
/// Cost of `imagine`: one backbone step + one head GEMM per member over its
/// rows (E× the rows when shared).
public final class SequenceWorldModel<Backbone: SequenceBackbone>: WorldModel {
    /// One ensemble member: a backbone and its heads. With `inputSkip` the
    /// heads read `[f_t, x_t]` (the backbone's feature and the step's own
    /// normalised input) instead of `f_t` alone.
    public final class Member: Module {
        public let backbone: Backbone
        public let heads: SequenceModelHeads
        /// Whether the heads also read the step's input `x_t`.
        public let inputSkip: Bool

        public init(backbone: Backbone, heads: SequenceModelHeads, inputSkip: Bool = false) {
            precondition(heads.featureSize == backbone.featureSize + (inputSkip ? backbone.inputSize : 0),
                         "SequenceWorldModel.Member: heads read \(heads.featureSize) features; backbone gives \(backbone.featureSize)"
                         + (inputSkip ? " + input \(backbone.inputSize)" : ""))
            self.backbone = backbone
            self.heads = heads
            self.inputSkip = inputSkip
        }

        public func namedParameters() -> [(String, Parameter)] {
            prefixed("backbone", backbone) + prefixed("heads", heads)
        }

        /// Teacher-forced parallel forward: normalised inputs `[B, T, in]` →
        /// head outputs for steps `from ..< T`, flattened to `[B·(T − from), ·]`.
        public func outputs(_ inputs: Variable, resetMask: Tensor?, from: Int = 0) -> SequenceModelHeads.Outputs {
            let (b, t) = (inputs.shape[0], inputs.shape[1])
            var features = backbone(inputs, resetMask: resetMask)
            if inputSkip { features = Variable.concatenate([features, inputs], axis: 2) }
            if from > 0 { features = features.slice(axis: 1, from..<t) }
            return heads(features.reshaped([b * (t - from), heads.featureSize]))
        }

        /// One recurrent step: normalised inputs `x` `[rows, in]` → head outputs, advancing `state`.
        public func step(_ x: Tensor, state: inout Backbone.RecurrentState) -> SequenceModelHeads.TensorOutputs {
            let features = backbone.step(x, state: &state)
            return heads(inputSkip ? Tensor.concatenate([features, x], axis: 1) : features)
        }
    }

    /// Rows of imagined trajectories (see the type's documentation).
    public struct State {
        public var rows: Int
        /// Rows per particle block (candidates), 0 when not replicated.
        public var candidates: Int
        public var particles: Int
        /// The observation not yet consumed, `[rows, observationSize]`.
        public var pending: [Float]
        /// Whether `pending` holds an observation (false before the first `observe`).
        public var hasPending: Bool
        /// Each member's backbone state over its rows.
        public var memberStates: [Backbone.RecurrentState]
        /// The rows (indices into `0..<rows`) each member tracks, in its state's row order.
        public var memberRows: [[Int]]
        /// true: each row belongs to one member and samples; false: every member tracks every row.
        public var isPartitioned: Bool
        /// A rollout state (`rolloutState`): every member tracks every row, and each row samples a random member every step.
        public var samplesRandomMember = false
    }

    public let configuration: SequenceWorldModelConfiguration
    public let observationSize: Int
    public let actionSize: Int
    public let members: [Member]
    public internal(set) var inputNormalizer: Normalizer
    /// Statistics of `[o' − o, r]`.
    public internal(set) var outputNormalizer: Normalizer
    /// Training settings used by `fit(on:using:)` (`TrainableWorldModel`).
    public var training = SequenceTrainingConfiguration()

    public var inputSize: Int { observationSize + actionSize }

    /// A model of E members, each with the backbone `makeBackbone(inputSize, &generator)` (input size
    /// `observationSize + actionSize`) and fresh heads.
    public init(observationSize: Int, actionSize: Int, configuration: SequenceWorldModelConfiguration,
                generator: inout SeededGenerator,
                makeBackbone: (_ inputSize: Int, _ generator: inout SeededGenerator) throws -> Backbone) rethrows {
        precondition(configuration.members >= 1, "SequenceWorldModel: members must be >= 1, got \(configuration.members)")
        precondition(observationSize > 0 && actionSize >= 0,
                     "SequenceWorldModel: sizes must be positive, got observation \(observationSize), action \(actionSize)")
        self.configuration = configuration
        self.observationSize = observationSize
        self.actionSize = actionSize
        var members: [Member] = []
        for _ in 0..<configuration.members {
            let backbone = try makeBackbone(observationSize + actionSize, &generator)
            precondition(backbone.inputSize == observationSize + actionSize,
                         "SequenceWorldModel: backbone input size \(backbone.inputSize), expected \(observationSize + actionSize)")
            let skip = configuration.headInputSkip
            let heads = SequenceModelHeads(featureSize: backbone.featureSize + (skip ? backbone.inputSize : 0),
                                           observationSize: observationSize, deterministic: configuration.deterministic,
                                           hiddenSize: configuration.headHiddenSize, generator: &generator)
            members.append(Member(backbone: backbone, heads: heads, inputSkip: skip))
        }
        self.members = members
        inputNormalizer = Normalizer(size: observationSize + actionSize)
        outputNormalizer = Normalizer(size: observationSize + 1)
    }

    /// Scalars over all members' parameters.
    public var parameterCount: Int { members.reduce(0) { $0 + $1.parameterCount } }

    /// Sets the normalisers (the trainer fits them to the training data).
    public func setNormalizers(input: Normalizer, output: Normalizer) {
        precondition(input.size == inputSize && output.size == observationSize + 1,
                     "SequenceWorldModel.setNormalizers: sizes \(input.size), \(output.size); expected \(inputSize), \(observationSize + 1)")
        inputNormalizer = input
        outputNormalizer = output
    }

    // MARK: - Normalised training tensors

    /// The normalised inputs `[B, L, in]`, reset mask `[B, L]` (nil when it has no 1) and targets of
    /// steps `from ..< L` of `batch` (flattened `[B·(L − from), ·]`).
    public func trainingTensors(_ batch: SequenceBatch, from: Int = 0) -> (inputs: Tensor, resetMask: Tensor?, targets: SequenceTargets) {
        let b = batch.batchSize, l = batch.length, o = observationSize, a = actionSize, n = inputSize
        precondition(batch.observationSize == o && batch.actionSize == a,
                     "SequenceWorldModel: batch has observations \(batch.observationSize), actions \(batch.actionSize); model expects \(o), \(a)")
        precondition(from >= 0 && from < l, "SequenceWorldModel: scored steps start at \(from), window length \(l)")
        var x = [Float](repeating: 0, count: b * l * n)
        let im = inputNormalizer.mean, isd = inputNormalizer.std, om = outputNormalizer.mean, osd = outputNormalizer.std
        for s in 0..<(b * l) {
            for i in 0..<o { x[s * n + i] = (batch.observations[s * o + i] - im[i]) / isd[i] }
            for j in 0..<a { x[s * n + o + j] = (batch.actions[s * a + j] - im[o + j]) / isd[o + j] }
        }
        let scored = l - from
        var delta = [Float](repeating: 0, count: b * scored * o)
        var reward = [Float](repeating: 0, count: b * scored), terminated = reward
        for row in 0..<b {
            for t in from..<l {
                let s = row * l + t, k = row * scored + (t - from)
                for i in 0..<o {
                    delta[k * o + i] = (batch.nextObservations[s * o + i] - batch.observations[s * o + i] - om[i]) / osd[i]
                }
                reward[k] = (batch.rewards[s] - om[o]) / osd[o]
                terminated[k] = batch.terminated[s]
            }
        }
        let mask = batch.resetMask.contains(1) ? Tensor(shape: [b, l], scalars: batch.resetMask) : nil
        return (Tensor(shape: [b, l, n], scalars: x), mask,
                SequenceTargets(delta: Tensor(shape: [b * scored, o], scalars: delta),
                                reward: Tensor(shape: [b * scored, 1], scalars: reward),
                                terminated: Tensor(shape: [b * scored, 1], scalars: terminated)))
    }

    // MARK: - WorldModel

    public func initialState(batch: Int) -> State {
        State(rows: batch, candidates: 0, particles: 1,
              pending: [Float](repeating: 0, count: batch * observationSize), hasPending: false,
              memberStates: members.map { $0.backbone.initialState(batch: batch) },
              memberRows: members.map { _ in Array(0..<batch) }, isPartitioned: false)
    }

    public func observe(_ state: inout State, action: UnsafeBufferPointer<Float>?, observation: UnsafeBufferPointer<Float>) {
        precondition(observation.count == state.rows * observationSize,
                     "SequenceWorldModel.observe: expected observations [\(state.rows), \(observationSize)], got \(observation.count) values")
        if let action {
            precondition(action.count == state.rows * actionSize,
                         "SequenceWorldModel.observe: expected actions [\(state.rows), \(actionSize)], got \(action.count) values")
            if state.hasPending {
                for (m, member) in members.enumerated() where !state.memberRows[m].isEmpty {
                    let x = normalizedInputs(state, rows: state.memberRows[m], actions: action)
                    _ = member.backbone.observe(x, state: &state.memberStates[m])
                }
            }
        } else {
            for (m, member) in members.enumerated() {
                state.memberStates[m] = member.backbone.initialState(batch: state.memberRows[m].count)
            }
        }
        state.pending = Array(observation)
        state.hasPending = true
    }

    /// Rows that sample a uniformly random member every step (every member
    /// keeps tracking every row, fed the sampled observation); every member's
    /// prediction is reported either way, since every member runs on every row.
    public func rolloutState(_ state: State, reportingMembers: Bool) -> State {
        precondition(!state.isPartitioned, "SequenceWorldModel.rolloutState: expected a state from observe, not a replicated one")
        var rollout = state
        rollout.samplesRandomMember = true
        return rollout
    }

    public var ensembleSize: Int { members.count }

    public func replicated(_ state: State, candidates: Int, particles: Int) -> State {
        precondition(state.rows == 1, "SequenceWorldModel.replicated: expected a one-row state, got \(state.rows) rows")
        let rows = candidates * particles, e = members.count
        let partitioned = configuration.propagation == .tsInfinity
        var memberRows: [[Int]] = members.map { _ in [] }
        if partitioned {
            for p in 0..<particles { memberRows[p % e].append(contentsOf: (p * candidates)..<((p + 1) * candidates)) }
        } else {
            memberRows = members.map { _ in Array(0..<rows) }
        }
        let memberStates = members.enumerated().map { m, member in
            member.backbone.gatherRows(state.memberStates[m], rows: [Int](repeating: 0, count: memberRows[m].count))
        }
        var pending = [Float](repeating: 0, count: rows * observationSize)
        for r in 0..<rows { for i in 0..<observationSize { pending[r * observationSize + i] = state.pending[i] } }
        return State(rows: rows, candidates: candidates, particles: particles, pending: pending, hasPending: state.hasPending,
                     memberStates: memberStates, memberRows: memberRows, isPartitioned: partitioned)
    }

    /// `normalize([pending, action])` for `rows`, `[rows.count, inputSize]`.
    func normalizedInputs(_ state: State, rows: [Int], actions: UnsafeBufferPointer<Float>) -> Tensor {
        let o = observationSize, a = actionSize, n = inputSize
        var x = Tensor(uninitializedShape: [rows.count, n])
        let mean = inputNormalizer.mean, std = inputNormalizer.std
        x.withUnsafeMutableBufferPointer { x in
            state.pending.withUnsafeBufferPointer { obs in
                for (k, r) in rows.enumerated() {
                    for i in 0..<o { x[k * n + i] = (obs[r * o + i] - mean[i]) / std[i] }
                    for j in 0..<a { x[k * n + o + j] = (actions[r * a + j] - mean[o + j]) / std[o + j] }
                }
            }
        }
        return x
    }
}
