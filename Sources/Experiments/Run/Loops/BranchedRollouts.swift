import Learners
import Replay
import SeededRandom
import WorldModels

/// MBPO's branched rollouts (Janner et al. 2019, Algorithm 2, lines 8–10;
/// mbrl-lib's `rollout_model_and_populate_sac_buffer`): start states drawn
/// uniformly from the real buffer (with their histories), `length` steps of
/// the SAC policy on the model (`ModelEnvironment`), every transition of a
/// row that has not terminated added to the model buffer. With a
/// `penalizer` (offline RL: MOPO, MOReL), every step's rewards are penalised
/// by the members' disagreement before they are stored, and rows MOReL halts
/// end there.
protocol BranchedRollouts: AnyObject {
    /// Runs `starts` rollouts of `length` steps and returns the transitions added.
    func run(starts: Int, history: Int, length: Int, from buffer: ReplayBuffer, into modelBuffer: inout ReplayBuffer,
             samplingPolicy: Bool, learner: SACLearner, using generator: inout SeededGenerator) throws -> Int
    /// The penalty over every step of the last `run` (mean and max `u`, rows halted); nil without a penalizer.
    var lastPenalty: UncertaintyPenaltyStatistics? { get }
}

/// `BranchedRollouts` over `model` (opens the existential `any TrainableWorldModel`).
func makeBranchedRollouts<Model: WorldModel>(model: Model, rewardFunction: (any RewardFunction)?,
                                             termination: RolloutTermination,
                                             penalizer: UncertaintyRewardPenalizer? = nil) -> any BranchedRollouts {
    ModelBranchedRollouts(environment: ModelEnvironment(model: model, rewardFunction: rewardFunction, termination: termination,
                                                        reportingMembers: penalizer != nil),
                          penalizer: penalizer)
}

final class ModelBranchedRollouts<Model: WorldModel>: BranchedRollouts {
    let environment: ModelEnvironment<Model>
    private var penalizer: UncertaintyRewardPenalizer?
    private(set) var lastPenalty: UncertaintyPenaltyStatistics?
    private var starts: RolloutStartBatch
    private var step = ModelRolloutStep()
    private var actions: [Float] = []

    init(environment: ModelEnvironment<Model>, penalizer: UncertaintyRewardPenalizer? = nil) {
        self.environment = environment
        self.penalizer = penalizer
        starts = RolloutStartBatch(observationSize: environment.model.observationSize, actionSize: environment.model.actionSize)
    }

    func run(starts count: Int, history: Int, length: Int, from buffer: ReplayBuffer, into modelBuffer: inout ReplayBuffer,
             samplingPolicy: Bool, learner: SACLearner, using generator: inout SeededGenerator) throws -> Int {
        try buffer.sampleRolloutStarts(batchSize: count, history: history, into: &starts, using: &generator)
        environment.reset(from: starts)
        if actions.count != count * learner.actionSize { actions = [Float](repeating: 0, count: count * learner.actionSize) }
        var added = 0
        var total: UncertaintyPenaltyStatistics? = penalizer == nil ? nil : UncertaintyPenaltyStatistics()
        var sum = 0.0
        for _ in 0..<length {
            learner.act(observations: environment.observations, rows: count, deterministic: !samplingPolicy, into: &actions,
                        using: &generator)
            environment.step(actions: actions, into: &step, using: &generator)
            if penalizer != nil {
                let statistics = penalizer!.penalize(&step)
                if penalizer!.halting != nil { environment.endRows(terminatedIn: step) }
                total!.rows += statistics.rows
                total!.halted += statistics.halted
                total!.maxUncertainty = max(total!.maxUncertainty, statistics.maxUncertainty)
                sum += Double(statistics.meanUncertainty) * Double(statistics.rows)
            }
            modelBuffer.add(observations: step.observations, actions: step.actions, rewards: step.rewards,
                            nextObservations: step.nextObservations, terminated: step.terminated, include: step.active)
            added += step.activeCount
            if !environment.alive.contains(true) { break }
        }
        if var statistics = total {
            statistics.meanUncertainty = statistics.rows > 0 ? Float(sum / Double(statistics.rows)) : 0
            lastPenalty = statistics
        }
        return added
    }
}
