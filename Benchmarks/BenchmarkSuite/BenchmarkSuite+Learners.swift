import Learners
import Replay
import SeededRandom

extension BenchmarkSuite {
    /// torch_bench's `sac_update`: one ``Learners/SACLearner`` update (critics,
    /// actor, α, Polyak targets) with CleanRL's defaults and `policyFrequency` 1,
    /// Pendulum sizes (obs 3, act 1 in [−1, 1], actor 3-256-256-2, critics
    /// 4-256-256-1, 201 988 parameters), batch 256 of s, s' ~ N(0, 1),
    /// a ~ U(−1, 1), r ~ N(0, 1), terminated with probability 0.01 — median of
    /// `steps` updates after `warmup`. (torch_bench's α loss is CleanRL's
    /// `−α(log π + H̄)`, ours `−log α (log π + H̄)`: the same cost.)
    func sacUpdate() -> BenchmarkRecord {
        var g = SeededGenerator(seed: options.seed)
        let b = 256, obs = 3, act = 1
        var configuration = SACConfiguration()
        configuration.policyFrequency = 1
        configuration.threads = options.threads  // the default (nil) is the active cores: 2 on the reference machine
        let learner = SACLearner(observationSize: obs, actionLow: [-1], actionHigh: [1], configuration: configuration, generator: &g)
        let batch = TransitionBatch(
            observationSize: obs, actionSize: act,
            observations: (0..<(b * obs)).map { _ in g.normal(mean: 0, std: 1) },
            actions: (0..<(b * act)).map { _ in g.uniform(-1, 1) },
            rewards: (0..<b).map { _ in g.normal(mean: 0, std: 1) },
            nextObservations: (0..<(b * obs)).map { _ in g.normal(mean: 0, std: 1) },
            terminated: (0..<b).map { _ in g.uniformFloat() < 0.01 ? 1 : 0 },
            truncated: [Float](repeating: 0, count: b))
        var metrics: SACUpdateMetrics?
        let timing = BenchmarkTiming(warmup: options.warmup, repetitions: options.steps) {
            metrics = learner.update(on: batch, using: &g)
        }
        var r = BenchmarkRecord(case: "sac_update")
        r.set("ms_per_step", .number(timing.median))
        r.set("ms_best", .number(timing.best))
        r.set("cpu_ms_per_step", .number(timing.cpuMillisecondsPerRepetition))
        r.set("batch", .integer(b))
        r.set("obs", .integer(obs))
        r.set("act", .integer(act))
        r.set("hidden", .array(configuration.hiddenSizes.map { .integer($0) }))
        r.set("params", .integer(learner.parameterCount))
        r.set("updates_per_s", .number(1e3 / timing.median))
        r.set("final_q_loss", .number(Double(metrics?.qLoss ?? .nan)))
        r.set("warmup", .integer(options.warmup))
        r.set("steps", .integer(options.steps))
        return r
    }

    /// torch_bench's `dqn_update`: one ``Learners/DQNLearner`` update with CleanRL's
    /// defaults (Q 4-120-84-2, 10 934 parameters, MSE, Adam 2.5e-4, no target
    /// update inside the step), batch 128 of s, s' ~ N(0, 1), uniform action
    /// indices, r ~ N(0, 1), terminated with probability 0.02 — median of `steps`
    /// updates after `warmup`, on one thread.
    func dqnUpdate() -> BenchmarkRecord {
        var g = SeededGenerator(seed: options.seed)
        let b = 128, obs = 4, actions = 2
        let configuration = DQNConfiguration()
        let learner = DQNLearner(observationSize: obs, actionCount: actions, configuration: configuration, generator: &g)
        let batch = TransitionBatch(
            observationSize: obs, actionSize: 1,
            observations: (0..<(b * obs)).map { _ in g.normal(mean: 0, std: 1) },
            actions: (0..<b).map { _ in Float(g.next(upperBound: UInt64(actions))) },
            rewards: (0..<b).map { _ in g.normal(mean: 0, std: 1) },
            nextObservations: (0..<(b * obs)).map { _ in g.normal(mean: 0, std: 1) },
            terminated: (0..<b).map { _ in g.uniformFloat() < 0.02 ? 1 : 0 },
            truncated: [Float](repeating: 0, count: b))
        var metrics: DQNUpdateMetrics?
        let timing = BenchmarkTiming(warmup: options.warmup, repetitions: options.steps) {
            metrics = learner.update(on: batch)
        }
        var r = BenchmarkRecord(case: "dqn_update")
        r.set("ms_per_step", .number(timing.median))
        r.set("ms_best", .number(timing.best))
        r.set("cpu_ms_per_step", .number(timing.cpuMillisecondsPerRepetition))
        r.set("batch", .integer(b))
        r.set("obs", .integer(obs))
        r.set("actions", .integer(actions))
        r.set("hidden", .array(configuration.hiddenSizes.map { .integer($0) }))
        r.set("params", .integer(learner.parameterCount))
        r.set("updates_per_s", .number(1e3 / timing.median))
        r.set("final_loss", .number(Double(metrics?.loss ?? .nan)))
        r.set("warmup", .integer(options.warmup))
        r.set("steps", .integer(options.steps))
        return r
    }
}
