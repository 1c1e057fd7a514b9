import Replay
import SeededRandom

/// MOReL's unknown state–action detector and HALT (Kidambi et al. 2020,
/// "MOReL: Model-Based Offline Reinforcement Learning", §4.2): with
/// `disc(s, a) = max_{i<j} ‖μ_i(s, a) − μ_j(s, a)‖₂` (``MaxPairwiseDistancePenalty``),
///
///     unknown(s, a) = disc(s, a) > threshold,
///     threshold     = coefficient · max_{(s, a) ∈ D} disc(s, a),
///
/// the largest discrepancy over a calibration set D (the offline dataset;
/// ``DisagreementCalibration``). MOReL's code writes the coefficient as
/// `1 / pessimism_coef`. In the pessimistic MDP an unknown pair moves to the
/// absorbing HALT state with reward −κ; in a rollout the row's reward becomes
/// −κ and the row terminates (``UncertaintyRewardPenalizer``).
public struct MOReLHalting: Sendable, Equatable {
    /// Rows whose discrepancy exceeds this are unknown.
    public let threshold: Float
    /// κ ≥ 0: an unknown row's reward is −κ.
    public let haltPenalty: Float

    public init(threshold: Float, haltPenalty: Float) {
        self.threshold = threshold
        self.haltPenalty = haltPenalty
    }

    /// `threshold = coefficient · calibration.maximum`.
    public init(calibration: DisagreementCalibration, coefficient: Float, haltPenalty: Float) {
        self.init(threshold: coefficient * calibration.maximum, haltPenalty: haltPenalty)
    }

    /// Whether a row of discrepancy `u` is unknown.
    public func isUnknown(_ u: Float) -> Bool { u > threshold }
}

/// The largest pairwise member discrepancy seen over a calibration set (a
/// running maximum), for ``MOReLHalting``'s threshold.
public struct DisagreementCalibration: Sendable, Equatable {
    /// The largest `max_{i<j} ‖μ_i − μ_j‖₂` over the rows seen (0 before any).
    public private(set) var maximum: Float = 0
    /// Rows seen.
    public private(set) var rows = 0
    private var buffer: [Float] = []

    public init() {}

    /// Takes the rows of one batch of member predictions into the maximum.
    public mutating func observe<Predictions: MemberPredictions>(_ predictions: Predictions) {
        MaxPairwiseDistancePenalty().estimate(predictions, into: &buffer)
        for u in buffer { maximum = max(maximum, u) }
        rows += predictions.rows
    }

    /// Runs `model` on every (s, a) of the calibration set (`observations`
    /// `[count, observationSize]`, `actions` `[count, actionSize]`) in chunks of
    /// `chunkRows`, each row a fresh rollout start reporting every member (exact
    /// for a Markov ensemble; a recurrent model sees no history), and takes the
    /// discrepancies into the maximum. The model's sampling draws from `generator`.
    public mutating func observe<Model: WorldModel>(model: Model, observations: [Float], actions: [Float], chunkRows: Int = 1024,
                                                    using generator: inout SeededGenerator) {
        let o = model.observationSize, a = model.actionSize
        precondition(o > 0 && observations.count % o == 0 && actions.count == observations.count / o * a && chunkRows > 0,
                     "DisagreementCalibration: \(observations.count) observation and \(actions.count) action values for sizes \(o), \(a)")
        let count = observations.count / o
        var prediction = WorldModelPrediction(observationSize: o)
        for start in stride(from: 0, to: count, by: chunkRows) {
            let n = min(chunkRows, count - start)
            var state = model.initialState(batch: n)
            observations[(start * o)..<((start + n) * o)].withUnsafeBufferPointer {
                model.observe(&state, action: nil, observation: $0)
            }
            state = model.rolloutState(state, reportingMembers: true)
            actions[(start * a)..<((start + n) * a)].withUnsafeBufferPointer {
                model.imagine(&state, actions: $0, into: &prediction, using: &generator)
            }
            observe(prediction)
        }
    }

    /// ``observe(model:observations:actions:chunkRows:using:)`` over a dataset's (s, a) pairs.
    public mutating func observe<Model: WorldModel>(model: Model, dataset: OfflineDataset, chunkRows: Int = 1024,
                                                    using generator: inout SeededGenerator) {
        observe(model: model, observations: dataset.observations, actions: dataset.actions, chunkRows: chunkRows, using: &generator)
    }
}
