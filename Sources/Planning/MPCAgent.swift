import SeededRandom
import WorldModels

/// A model-predictive-control agent (PETS's controller): at every step it
/// plans an action sequence on the world model from its current state, executes
/// the first `replanEvery` actions of the plan, and conditions the model's state
/// on what really happened.
///
/// The agent owns one reusable `ModelObjective` (buffers kept across steps) and
/// a planner that warm-starts from its previous plan.
public final class MPCAgent<Model: WorldModel> {
    public let model: Model
    public var planner: any Planner
    public let replanEvery: Int
    /// The model state of the real episode (one row).
    public var state: Model.State
    var objective: ModelObjective<Model>
    var plan: [Float] = []
    var planStep = 0
    var generator: SeededGenerator
    /// Whether every candidate of the last plan had a NaN or infinite value (its last
    /// evaluation): the model diverged, and the plan's action is noise.
    public private(set) var lastPlanDiverged = false

    /// - `particles`: rollouts per candidate sequence; `rewardFunction`: nil to use
    ///   the model's reward predictions.
    public init(model: Model, planner: any Planner, particles: Int, rewardFunction: (any RewardFunction)?,
                replanEvery: Int = 1, generator: SeededGenerator) {
        precondition(replanEvery >= 1, "MPCAgent: replanEvery must be at least 1")
        self.model = model
        self.planner = planner
        self.replanEvery = replanEvery
        var generator = generator
        self.state = model.initialState(batch: 1)
        self.objective = ModelObjective(model: model, start: model.initialState(batch: 1),
                                        observation: [Float](repeating: 0, count: model.observationSize),
                                        particles: particles, rewardFunction: rewardFunction, generator: generator.split())
        self.generator = generator
    }

    /// The agent's random streams — the planner's samples and the model's
    /// imagination noise — for checkpoints: restoring them continues both
    /// exactly where they were.
    public var generators: [SeededGenerator] {
        get { [generator, objective.generator] }
        set {
            precondition(newValue.count == 2, "MPCAgent.generators: expected 2 generators, got \(newValue.count)")
            generator = newValue[0]
            objective.generator = newValue[1]
        }
    }

    /// Starts an episode at `observation` (forgets the previous plan).
    public func reset(observation: [Float]) {
        state = model.initialState(batch: 1)
        observation.withUnsafeBufferPointer { model.observe(&state, action: nil, observation: $0) }
        planner.reset()
        plan = []
        planStep = 0
        objective.currentObservation = observation
    }

    /// The next action vector (`actionSize` floats) from the current observation.
    public func act(observation: [Float]) -> [Float] {
        let a = model.actionSize
        if plan.isEmpty || planStep >= replanEvery {
            objective.start = state
            objective.currentObservation = observation
            plan = planner.plan(&objective, using: &generator)
            planStep = 0
            lastPlanDiverged = objective.lastEvaluation.candidates > 0
                && objective.lastEvaluation.nonFinite == objective.lastEvaluation.candidates
        }
        let action = Array(plan[(planStep * a)..<((planStep + 1) * a)])
        planStep += 1
        return action
    }

    /// Conditions the model state on the real transition: `action` was taken and `observation` seen.
    public func observe(action: [Float], observation: [Float]) {
        action.withUnsafeBufferPointer { act in
            observation.withUnsafeBufferPointer { model.observe(&state, action: act, observation: $0) }
        }
    }
}
