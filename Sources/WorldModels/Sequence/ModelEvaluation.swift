import AtomicFiles
import Foundation
import Replay
import SeededRandom

/// How well and how fast a world model predicts held-out episodes, for
/// comparing backbones (the MLP ensemble `EnsembleWorldModel` is the baseline;
/// any `WorldModel` can be evaluated).
///
/// **Open-loop error** (`evaluate`): for every held-out episode and every start
/// `s ∈ {0, stride, 2·stride, …}` the model is conditioned on the real prefix
/// (`observe` of o₀, then (a_t, o_{t+1}) for t < s) and then imagines `k =
/// 1…horizon` steps with the real actions a_s, a_{s+1}, …, feeding back its own
/// predictions. At every k the predicted observation is compared with the real
/// o_{s+k} (RMSE over the observation's floats), the reward with r_{s+k−1}
/// (RMSE) and the termination flag with the real one (accuracy). Steps past
/// the episode's end are not scored. Models that sample (TS-∞ ensembles) are
/// scored on their samples: configure mean propagation (`.mean`) to score the
/// mean prediction. All episodes with the same start run as rows of one batch.
///
/// **Throughput**: imagination rows·steps per second for a replicated state of
/// `throughputRows` rows (`measureImagination`); training steps per second come
/// from the trainer's report.
///
/// The result is `Codable` and written as JSON (`write(to:)`, atomic).
public struct ModelEvaluation: Codable, Sendable, Equatable {
    /// A label for reports (e.g. "gru", "mlp-ensemble").
    public var name: String
    /// Open-loop horizon H.
    public var horizon: Int
    /// Observation RMSE at k = 1…H (index k − 1), raw units.
    public var observationRMSE: [Double]
    /// Reward RMSE at k = 1…H (empty if the model predicts no rewards).
    public var rewardRMSE: [Double]
    /// Termination accuracy at k = 1…H (empty if the model predicts no termination).
    /// Terminal steps are rare (a few % of steps), so a model that never
    /// predicts termination scores high here: read it with `terminationRecall`.
    public var continuationAccuracy: [Double]
    /// Recall on the terminal steps at k = 1…H: the fraction of real
    /// terminations predicted as such (nil if the model predicts no
    /// termination; an entry is nil (JSON null) where no terminal step was scored at that k).
    public var terminationRecall: [Double?]?
    /// Predictions scored at each k.
    public var counts: [Int]
    /// Held-out episodes used.
    public var episodes: Int
    /// Trainable scalars.
    public var parameterCount: Int
    /// Gradient steps per second in training (nil if not measured).
    public var trainingStepsPerSecond: Double?
    /// Imagined rows × steps per second (nil if not measured).
    public var imaginationRowStepsPerSecond: Double?

    public init(name: String, horizon: Int, observationRMSE: [Double], rewardRMSE: [Double], continuationAccuracy: [Double],
                counts: [Int], episodes: Int, parameterCount: Int, trainingStepsPerSecond: Double? = nil,
                imaginationRowStepsPerSecond: Double? = nil) {
        self.name = name
        self.horizon = horizon
        self.observationRMSE = observationRMSE
        self.rewardRMSE = rewardRMSE
        self.continuationAccuracy = continuationAccuracy
        self.counts = counts
        self.episodes = episodes
        self.parameterCount = parameterCount
        self.trainingStepsPerSecond = trainingStepsPerSecond
        self.imaginationRowStepsPerSecond = imaginationRowStepsPerSecond
    }

    /// Open-loop prediction errors of `model` on `episodes` (see the type's documentation).
    public static func evaluate<Model: WorldModel>(
        _ model: Model, on episodes: [Episode], horizon: Int, stride: Int? = nil, name: String, parameterCount: Int,
        trainingStepsPerSecond: Double? = nil, using generator: inout SeededGenerator
    ) -> ModelEvaluation {
        precondition(horizon >= 1, "ModelEvaluation: horizon must be >= 1, got \(horizon)")
        let o = model.observationSize, a = model.actionSize, stride = max(stride ?? horizon, 1)
        var squares = [Double](repeating: 0, count: horizon), rewardSquares = squares, correct = squares
        var terminals = squares, terminalsFound = squares
        var counts = [Int](repeating: 0, count: horizon)
        var predictsReward = false, predictsTermination = false
        let longest = episodes.map(\.length).max() ?? 0
        var prediction = WorldModelPrediction(observationSize: o)
        for start in Swift.stride(from: 0, to: longest, by: stride) {
            let group = episodes.filter { $0.length > start }
            let rows = group.count
            if rows == 0 { continue }
            func gather(_ t: (Episode) -> Int, _ field: (Episode) -> [Float], _ width: Int) -> [Float] {
                group.flatMap { e -> ArraySlice<Float> in let i = min(t(e), e.length - 1); return field(e)[(i * width)..<((i + 1) * width)] }
            }
            // Condition on the real prefix.
            var state = model.initialState(batch: rows)
            gather({ _ in 0 }, \.observations, o).withUnsafeBufferPointer { model.observe(&state, action: nil, observation: $0) }
            for t in 0..<start {
                let actions = gather({ _ in t }, \.actions, a), next = gather({ _ in t }, \.nextObservations, o)
                actions.withUnsafeBufferPointer { act in next.withUnsafeBufferPointer { model.observe(&state, action: act, observation: $0) } }
            }
            // Imagine open loop with the real actions.
            for k in 1...horizon {
                let t = start + k - 1
                if !group.contains(where: { $0.length > t }) { break }
                gather({ _ in t }, \.actions, a).withUnsafeBufferPointer {
                    model.imagine(&state, actions: $0, into: &prediction, using: &generator)
                }
                predictsReward = !prediction.rewards.isEmpty
                predictsTermination = !prediction.terminated.isEmpty
                for (r, episode) in group.enumerated() where episode.length > t {
                    var sum = 0.0
                    for i in 0..<o {
                        let e = Double(prediction.nextObservations[r * o + i] - episode.nextObservations[t * o + i])
                        sum += e * e
                    }
                    squares[k - 1] += sum / Double(max(o, 1))
                    if predictsReward { let e = Double(prediction.rewards[r] - episode.rewards[t]); rewardSquares[k - 1] += e * e }
                    if predictsTermination && prediction.terminated[r] == episode.terminated[t] { correct[k - 1] += 1 }
                    if predictsTermination && episode.terminated[t] {
                        terminals[k - 1] += 1
                        if prediction.terminated[r] { terminalsFound[k - 1] += 1 }
                    }
                    counts[k - 1] += 1
                }
            }
        }
        let scored = counts.firstIndex(of: 0) ?? horizon
        func per(_ values: [Double], _ f: (Double) -> Double) -> [Double] {
            (0..<scored).map { f(values[$0] / Double(counts[$0])) }
        }
        var evaluation = ModelEvaluation(
            name: name, horizon: horizon, observationRMSE: per(squares) { $0.squareRoot() },
            rewardRMSE: predictsReward ? per(rewardSquares) { $0.squareRoot() } : [],
            continuationAccuracy: predictsTermination ? per(correct) { $0 } : [],
            counts: Array(counts.prefix(scored)), episodes: episodes.count, parameterCount: parameterCount,
            trainingStepsPerSecond: trainingStepsPerSecond)
        if predictsTermination {
            evaluation.terminationRecall = (0..<scored).map { terminals[$0] > 0 ? terminalsFound[$0] / terminals[$0] : nil }
        }
        return evaluation
    }

    /// Imagined rows × steps per second: `steps` imagination steps of a state replicated to
    /// `candidates × particles` rows from `observation`, with uniform random actions in [−1, 1].
    public static func measureImagination<Model: WorldModel>(
        _ model: Model, observation: [Float], candidates: Int = 100, particles: Int = 10, steps: Int = 10,
        using generator: inout SeededGenerator
    ) -> Double {
        precondition(observation.count == model.observationSize,
                     "ModelEvaluation.measureImagination: observation has \(observation.count) floats, model expects \(model.observationSize)")
        var one = model.initialState(batch: 1)
        observation.withUnsafeBufferPointer { model.observe(&one, action: nil, observation: $0) }
        var state = model.replicated(one, candidates: candidates, particles: particles)
        let rows = candidates * particles
        var actions = [Float](repeating: 0, count: rows * model.actionSize)
        for i in actions.indices { actions[i] = generator.uniform(-1, 1) }
        var prediction = WorldModelPrediction(observationSize: model.observationSize)
        let start = Date()
        for _ in 0..<steps {
            actions.withUnsafeBufferPointer { model.imagine(&state, actions: $0, into: &prediction, using: &generator) }
        }
        let seconds = Date().timeIntervalSince(start)
        return seconds > 0 ? Double(rows * steps) / seconds : 0
    }

    /// Writes the evaluation as pretty-printed JSON (sorted keys), atomically (`AtomicFile`).
    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(self), to: url)
    }

    /// Reads an evaluation written by `write(to:)`.
    public static func read(from url: URL) throws -> ModelEvaluation {
        try JSONDecoder().decode(ModelEvaluation.self, from: Data(contentsOf: url))
    }
}
