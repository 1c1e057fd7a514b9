import Learners
import Replay
import SeededRandom
import WorldModels

/// MBPO's branched rollouts (Janner et al. 2019, Algorithm 2, lines 8–10;
/// mbrl-lib's `rollout_model_and_populate_sac_buffer`): start states drawn
/// uniformly from the real buffer (with their histories), `length` steps of
/// the SAC policy on the model (`ModelEnvironment`), every transition of a
/// row that has not terminated added to the model buffer.
protocol BranchedRollouts: AnyObject {
    /// Runs `starts` rollouts of `length` steps and returns the transitions added.
    func run(starts: Int, history: Int, length: Int, from buffer: ReplayBuffer, into modelBuffer: inout ReplayBuffer,
             samplingPolicy: Bool, learner: SACLearner, using generator: inout SeededGenerator) throws -> Int
}

/// `BranchedRollouts` over `model` (opens the existential `any TrainableWorldModel`).
func makeBranchedRollouts<Model: WorldModel>(model: Model, rewardFunction: (any RewardFunction)?,
                                             termination: RolloutTermination) -> any BranchedRollouts {
    ModelBranchedRollouts(environment: ModelEnvironment(model: model, rewardFunction: rewardFunction, termination: termination))
}

final class ModelBranchedRollouts<Model: WorldModel>: BranchedRollouts {
    let environment: ModelEnvironment<Model>
    private var starts: RolloutStartBatch
    private var step = ModelRolloutStep()
    private var actions: [Float] = []

    init(environment: ModelEnvironment<Model>) {
        self.environment = environment
        starts = RolloutStartBatch(observationSize: environment.model.observationSize, actionSize: environment.model.actionSize)
    }

    func run(starts count: Int, history: Int, length: Int, from buffer: ReplayBuffer, into modelBuffer: inout ReplayBuffer,
             samplingPolicy: Bool, learner: SACLearner, using generator: inout SeededGenerator) throws -> Int {
        try buffer.sampleRolloutStarts(batchSize: count, history: history, into: &starts, using: &generator)
        environment.reset(from: starts)
        if actions.count != count * learner.actionSize { actions = [Float](repeating: 0, count: count * learner.actionSize) }
        var added = 0
        for _ in 0..<length {
            learner.act(observations: environment.observations, rows: count, deterministic: !samplingPolicy, into: &actions,
                        using: &generator)
            environment.step(actions: actions, into: &step, using: &generator)
            modelBuffer.add(observations: step.observations, actions: step.actions, rewards: step.rewards,
                            nextObservations: step.nextObservations, terminated: step.terminated, include: step.active)
            added += step.activeCount
            if !environment.alive.contains(true) { break }
        }
        return added
    }
}
