import Planning
import SeededRandom
import WorldModels

extension BenchmarkSuite {
    /// torch_bench's `cem_plan` (`particles` = 20) and `cem_plan_p5` (5): CEM MPC
    /// over the `ensemble_mlp` network (5 members, obs 5 + act 1 → 4 × 200 SiLU →
    /// mean and log-variance of obs 5 + reward), no grad, population 500,
    /// horizon 15, 5 iterations, 50 elites, α 0.1, TS-∞ particles, learned
    /// reward, warm start from the shifted previous plan; ms per planned action
    /// (median of `repetitions` actions after 2 warm-up actions).
    func cemPlan(particles: Int, name: String, repetitions: Int = 10) throws -> BenchmarkRecord {
        var g = SeededGenerator(seed: options.seed)
        var c = EnsembleWorldModelConfiguration()
        c.members = 5; c.elites = 5; c.hiddenSize = 200; c.hiddenLayers = 4; c.activation = .silu
        c.learnedReward = true; c.propagation = .tsInfinity; c.threads = options.threads
        let model = try EnsembleWorldModel(observationSize: 5, actionSize: 1, configuration: c, generator: &g)
        let observation = (0..<5).map { _ in 0.1 * g.normal(mean: 0, std: 1) }
        var planner = CEMPlanner(horizon: 15, bounds: ActionBounds(lower: [-1], upper: [1]), population: 500,
                                 elites: 50, iterations: 5, alpha: 0.1)
        var start = model.initialState(batch: 1)
        observation.withUnsafeBufferPointer { model.observe(&start, action: nil, observation: $0) }
        var objective = ModelObjective(model: model, start: start, observation: observation, particles: particles,
                                       rewardFunction: nil, generator: g.split())
        let timing = BenchmarkTiming(warmup: 2, repetitions: repetitions) {
            _ = planner.plan(&objective, using: &g)
        }
        var r = BenchmarkRecord(case: name)
        r.set("ms_per_action", .number(timing.median))
        r.set("ms_best", .number(timing.best))
        r.set("population", .integer(500))
        r.set("horizon", .integer(15))
        r.set("iterations", .integer(5))
        r.set("elites", .integer(50))
        r.set("particles", .integer(particles))
        r.set("members", .integer(5))
        r.set("propagation", .string("TS-inf (particle p tied to member p % 5, Gaussian sample)"))
        r.set("rows_per_model_call", .integer(500 * particles))
        r.set("model_calls_per_action", .integer(75))
        r.set("obs_dim", .integer(5))
        r.set("act_dim", .integer(1))
        r.set("reps", .integer(repetitions))
        return r
    }
}
