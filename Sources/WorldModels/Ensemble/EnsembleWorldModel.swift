import NN
import Replay
import SeededRandom

/// The probabilistic-ensemble dynamics model of PETS (Chua et al. 2018), as
/// mbrl-lib's `OneDTransitionRewardModel` around a `GaussianMLP`:
///
/// - input `x = normalize([o, a])`, output `normalize([o' - o, r])` (the
///   observation delta, and the reward when `learnedReward`), with input and
///   output statistics fitted to all data before each training run;
/// - E members batched in one `GaussianEnsembleMLP` (mean and soft-bounded
///   log-variance heads, Gaussian NLL), each trained on its own bootstrap
///   resample, with a held-out validation split that picks each member's best
///   weights (early stopping with a patience) and the `elites`;
/// - imagination samples `o' = o + μ + σ ε` per particle, with particles
///   propagated TS-∞, TS-1 or by the members' mean (`ParticlePropagation`).
///
/// The state of a row is its current observation. Imagination is the no-grad
/// path of the network; all rows of a step go through one batched call.
public final class EnsembleWorldModel: WorldModel {
    /// Rows of imagined observations, with the particle layout of the planner.
    public struct State {
        /// `[rows, observationSize]`.
        public var observations: [Float]
        public var rows: Int
        /// Rows per particle block (candidates), 0 when not replicated for planning.
        public var candidates: Int
        public var particles: Int
        /// A rollout state (`rolloutState`): each row samples a random elite every step.
        public var samplesRandomElite = false
        /// A rollout state that reports every member's prediction.
        public var reportsMembers = false
    }

    public let configuration: EnsembleWorldModelConfiguration
    public let observationSize: Int
    public let actionSize: Int
    /// The batched network: input `observationSize + actionSize`, output `observationSize (+ 1)`.
    public let network: GaussianEnsembleMLP
    public internal(set) var inputNormalizer: Normalizer
    public internal(set) var outputNormalizer: Normalizer
    /// Indices of the members used for imagination, best validation error first.
    public internal(set) var elites: [Int]

    // Imagination buffers, reused across calls.
    var inputBuffer: [Float] = []
    var meanBuffer: [Float] = []
    var logvarBuffer: [Float] = []
    var noise: [Float] = []
    var rowOfSlot: [Int] = []

    public var inputSize: Int { observationSize + actionSize }
    public var outputSize: Int { observationSize + (configuration.learnedReward ? 1 : 0) }

    public init(observationSize: Int, actionSize: Int, configuration: EnsembleWorldModelConfiguration,
                generator: inout SeededGenerator) throws {
        precondition(configuration.elites >= 1 && configuration.elites <= configuration.members,
                     "EnsembleWorldModel: elites (\(configuration.elites)) must be in 1...members (\(configuration.members))")
        self.configuration = configuration
        self.observationSize = observationSize
        self.actionSize = actionSize
        let outputSize = observationSize + (configuration.learnedReward ? 1 : 0)
        network = try GaussianEnsembleMLP(
            GaussianEnsembleMLPConfiguration(ensembleSize: configuration.members, inputSize: observationSize + actionSize,
                                             outputSize: outputSize, hiddenSize: configuration.hiddenSize,
                                             hiddenLayers: configuration.hiddenLayers, activation: configuration.activation,
                                             deterministic: configuration.deterministic),
            generator: &generator, threads: configuration.threads)
        inputNormalizer = Normalizer(size: observationSize + actionSize)
        outputNormalizer = Normalizer(size: outputSize)
        elites = Array(0..<configuration.elites)
    }

    // MARK: - WorldModel

    public func initialState(batch: Int) -> State {
        State(observations: [Float](repeating: 0, count: batch * observationSize), rows: batch, candidates: 0, particles: 1)
    }

    /// Keeps `observation` as every row's state (the ensemble is Markov: the action is not needed).
    public func observe(_ state: inout State, action: UnsafeBufferPointer<Float>?, observation: UnsafeBufferPointer<Float>) {
        precondition(observation.count == state.rows * observationSize,
                     "EnsembleWorldModel.observe: expected [\(state.rows), \(observationSize)], got \(observation.count) values")
        state.observations = Array(observation)
    }

    public func replicated(_ state: State, candidates: Int, particles: Int) -> State {
        precondition(state.rows == 1, "EnsembleWorldModel.replicated: expected a one-row state, got \(state.rows) rows")
        var observations = [Float](repeating: 0, count: candidates * particles * observationSize)
        for r in 0..<(candidates * particles) {
            for i in 0..<observationSize { observations[r * observationSize + i] = state.observations[i] }
        }
        return State(observations: observations, rows: candidates * particles, candidates: candidates, particles: particles)
    }

    /// Rows that sample a random elite every step (MBPO). Without
    /// `reportingMembers` only the elites run, each on its share of the rows
    /// (a random permutation dealt in equal blocks, as mbrl-lib's
    /// `random_model`); with it every member runs on every row.
    public func rolloutState(_ state: State, reportingMembers: Bool) -> State {
        var rollout = state
        (rollout.candidates, rollout.particles) = (0, 1)
        rollout.samplesRandomElite = true
        rollout.reportsMembers = reportingMembers
        return rollout
    }

    public var ensembleSize: Int { configuration.members }

    public func imagine(_ state: inout State, actions: UnsafeBufferPointer<Float>,
                        into prediction: inout WorldModelPrediction, using generator: inout SeededGenerator) {
        precondition(actions.count == state.rows * actionSize,
                     "EnsembleWorldModel.imagine: expected actions [\(state.rows), \(actionSize)], got \(actions.count) values")
        prediction.resize(rows: state.rows, predictsStd: !configuration.deterministic,
                          predictsReward: configuration.learnedReward, predictsTermination: false)
        if state.reportsMembers {
            imagineReportingMembers(&state, actions: actions, into: &prediction, using: &generator)
        } else if state.samplesRandomElite {
            imagineSampled(&state, actions: actions, into: &prediction, using: &generator)
        } else {
            switch configuration.propagation {
            case .mean: imagineMean(&state, actions: actions, into: &prediction)
            case .tsInfinity, .tsOne: imagineSampled(&state, actions: actions, into: &prediction, using: &generator)
            }
        }
        for r in 0..<state.rows {
            for i in 0..<observationSize {
                state.observations[r * observationSize + i] = prediction.nextObservations[r * observationSize + i]
            }
        }
    }
}
