import Replay
import SeededRandom

/// Where a model rollout's terminations come from.
public enum RolloutTermination {
    /// The model's own termination prediction (sequence world models' head).
    case model
    /// A known function of the transition (mbrl-lib's `termination_fns`).
    case function(any RewardFunction)
    /// Never (tasks without terminal states).
    case never
}

/// A world model as a batched environment (mbrl-lib's `ModelEnv`, widened to
/// sequence models and to ensembles' member predictions): Dyna, MBPO and the
/// offline methods drive their imagined rollouts through it.
///
/// - `reset(from:)` starts one row per `RolloutStartBatch` row: a recurrent
///   model first observes the row's real history (the steps of its episode
///   before the start state), then the start observation stays pending. Rows
///   with the same history length share one model state (a state's rows all
///   have seen the same number of steps), so a batch with histories of
///   lengths 0…H runs as up to H + 1 groups; a model that ignores history
///   (the MLP ensemble) is reset with `history` 0 and runs as one group.
///   Each group is then a rollout state (`WorldModel.rolloutState`): every
///   step samples each row from a uniformly random elite member.
/// - `step(actions:into:using:)` imagines one step for every row: next
///   observations, rewards (the model's, or `rewardFunction`'s when it has
///   one) and terminations (the model's, `terminationFunction`'s, or never),
///   and with `reportingMembers` every member's prediction (for uncertainty
///   penalties). A row that terminated stays terminated: its later steps are
///   computed but marked inactive (`ModelRolloutStep.active`).
///
/// Cost per step: one `imagine` per group, plus O(rows · (observationSize +
/// actionSize)) to gather and scatter rows when there are several groups.
public final class ModelEnvironment<Model: WorldModel> {
    public typealias Termination = RolloutTermination

    public let model: Model
    /// Computes rewards instead of the model (nil: the model's predicted rewards).
    public let rewardFunction: (any RewardFunction)?
    public let termination: Termination
    /// Whether each step reports every member's prediction.
    public let reportingMembers: Bool

    private struct Group {
        var rows: [Int]
        var state: Model.State
    }
    private var groups: [Group] = []
    /// Current observation of every row, `[rows, observationSize]`.
    public private(set) var observations: [Float] = []
    /// Rows still running (not yet terminated).
    public private(set) var alive: [Bool] = []
    private var prediction: WorldModelPrediction
    private var groupActions: [Float] = []
    private var functionRewards: [Float] = []
    private var functionTerminated: [Bool] = []

    public init(model: Model, rewardFunction: (any RewardFunction)? = nil, termination: Termination,
                reportingMembers: Bool = false) {
        self.model = model
        self.rewardFunction = rewardFunction
        self.termination = termination
        self.reportingMembers = reportingMembers
        prediction = WorldModelPrediction(observationSize: model.observationSize)
    }

    /// Rows in the current rollout.
    public var rows: Int { alive.count }

    /// Starts a rollout from `starts`: each row observes its history (`starts.historyLengths`) and its start observation.
    public func reset(from starts: RolloutStartBatch) {
        let o = model.observationSize, a = model.actionSize, h = starts.history, n = starts.batchSize
        precondition(starts.observationSize == o && starts.actionSize == a,
                     "ModelEnvironment.reset: starts of observations \(starts.observationSize), actions \(starts.actionSize); model expects \(o), \(a)")
        observations = starts.observations
        alive = [Bool](repeating: true, count: n)
        var rowsByLength = [[Int]](repeating: [], count: h + 1)
        for r in 0..<n { rowsByLength[starts.historyLengths[r]].append(r) }
        groups = []
        for (k, rows) in rowsByLength.enumerated() where !rows.isEmpty {
            var state = model.initialState(batch: rows.count)
            func gather(_ source: [Float], width: Int, step t: Int?) -> [Float] {
                var out = [Float](repeating: 0, count: rows.count * width)
                for (i, r) in rows.enumerated() {
                    let offset = t.map { (r * h + $0) * width } ?? r * width
                    for j in 0..<width { out[i * width + j] = source[offset + j] }
                }
                return out
            }
            // The first observation of the history (or the start itself), then (a_{t-1}, o_t) pairs.
            let first = k > 0 ? gather(starts.historyObservations, width: o, step: h - k) : gather(starts.observations, width: o, step: nil)
            first.withUnsafeBufferPointer { model.observe(&state, action: nil, observation: $0) }
            for t in (h - k)..<h where k > 0 {
                let action = gather(starts.historyActions, width: a, step: t)
                let next = t + 1 < h ? gather(starts.historyObservations, width: o, step: t + 1) : gather(starts.observations, width: o, step: nil)
                action.withUnsafeBufferPointer { act in next.withUnsafeBufferPointer { model.observe(&state, action: act, observation: $0) } }
            }
            groups.append(Group(rows: rows, state: model.rolloutState(state, reportingMembers: reportingMembers)))
        }
    }

    /// Imagines one step of every row under `actions` (`[rows, actionSize]`) into `step`.
    public func step(actions: [Float], into step: inout ModelRolloutStep, using generator: inout SeededGenerator) {
        let o = model.observationSize, a = model.actionSize, n = rows
        precondition(actions.count == n * a, "ModelEnvironment.step: expected actions [\(n), \(a)], got \(actions.count) values")
        step.resize(rows: n, observationSize: o, actionSize: a)
        step.observations = observations
        step.actions = actions
        for r in 0..<n { step.active[r] = alive[r] }
        let members = reportingMembers ? model.ensembleSize : 0
        step.resizeMembers(members, rows: n, observationSize: o)
        for g in groups.indices {
            let rows = groups[g].rows, single = groups.count == 1
            if !single {
                if groupActions.count != rows.count * a { groupActions = [Float](repeating: 0, count: rows.count * a) }
                for (i, r) in rows.enumerated() { for j in 0..<a { groupActions[i * a + j] = actions[r * a + j] } }
            }
            (single ? actions : groupActions).withUnsafeBufferPointer {
                model.imagine(&groups[g].state, actions: $0, into: &prediction, using: &generator)
            }
            precondition(rewardFunction != nil || !prediction.rewards.isEmpty,
                         "ModelEnvironment.step: the model predicts no reward; give a reward function")
            if case .model = termination {
                precondition(!prediction.terminated.isEmpty, "ModelEnvironment.step: the model predicts no termination; use a termination function")
            }
            for (i, r) in rows.enumerated() {
                for j in 0..<o { step.nextObservations[r * o + j] = prediction.nextObservations[i * o + j] }
                if !prediction.rewards.isEmpty { step.rewards[r] = prediction.rewards[i] }
                if case .model = termination { step.terminated[r] = prediction.terminated[i] }
            }
            if members > 0 { step.scatterMembers(from: prediction, rows: rows) }
        }
        // MARK: known reward and termination functions over all rows
        if functionRewards.count != n { (functionRewards, functionTerminated) = ([Float](repeating: 0, count: n), [Bool](repeating: false, count: n)) }
        if let rewardFunction {
            evaluate(rewardFunction, on: step, rows: n)
            step.rewards = functionRewards
        }
        switch termination {
        case .model: break
        case .function(let function):
            evaluate(function, on: step, rows: n)
            step.terminated = functionTerminated
        case .never:
            for r in 0..<n { step.terminated[r] = false }
        }
        for r in 0..<n where step.terminated[r] { alive[r] = false }
        observations = step.nextObservations
    }

    /// Ends the rows `step` marks terminated (e.g. halted by MOReL's
    /// ``UncertaintyRewardPenalizer`` after `step` returned): later steps mark them inactive.
    public func endRows(terminatedIn step: ModelRolloutStep) {
        precondition(step.rows == rows, "ModelEnvironment.endRows: a step of \(step.rows) rows for \(rows) rows")
        for r in 0..<rows where step.terminated[r] { alive[r] = false }
    }

    /// `function`'s rewards and terminations of the step's transitions, into `functionRewards` / `functionTerminated`.
    private func evaluate(_ function: any RewardFunction, on step: ModelRolloutStep, rows: Int) {
        step.observations.withUnsafeBufferPointer { obs in
            step.actions.withUnsafeBufferPointer { act in
                step.nextObservations.withUnsafeBufferPointer { next in
                    functionRewards.withUnsafeMutableBufferPointer { rewards in
                        functionTerminated.withUnsafeMutableBufferPointer { terminated in
                            function.evaluate(observations: obs, actions: act, nextObservations: next, rows: rows,
                                              rewards: rewards, terminated: terminated)
                        }
                    }
                }
            }
        }
    }
}
