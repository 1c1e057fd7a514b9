import NN
import Replay
import SeededRandom
import WorldModels

extension BenchmarkSuite {
    /// `sequence_world_model`: the `SequenceWorldModel` `model.backbone: gru` builds (through
    /// `makeWorldModel`, as a config does) with `gru: {hidden_size: 128}`, heads of 64 units,
    /// one Gaussian member, on CartPole-sized data (observation 4, action 1): training steps
    /// on 16 windows of 32 steps (forward, loss, backward, clip, Adam), `warmup + steps` of
    /// them, reported as ms per step of the whole fit; then the imagination throughput of
    /// 500 candidates × 20 particles (10 000 rows) in rows·steps per second.
    func sequenceWorldModel() throws -> BenchmarkRecord {
        var g = SeededGenerator(seed: options.seed)
        let o = 4, a = 1, windows = 16, length = 32
        var buffer = ReplayBuffer(capacity: 4000, observationSize: o, actionSize: a)
        for t in 0..<4000 {
            let obs: [Float] = (0..<o).map { _ in g.normal() }, next: [Float] = (0..<o).map { _ in g.normal() }
            buffer.add(observation: obs, action: [g.uniform(Float(-1), 1)], reward: g.normal(), nextObservation: next,
                       terminated: false, truncated: t % 200 == 199)
        }
        var settings = WorldModelSettings()
        settings.backbone = .gru
        settings.gru.hiddenSize = 128
        settings.sequence = SequenceWorldModelConfiguration(members: 1, headHiddenSize: 64)
        settings.training.sequenceLength = length
        settings.training.batchSize = windows
        settings.training.validationRatio = 0
        settings.training.trainSteps = options.warmup + options.steps
        let model = try makeWorldModel(settings: settings, observationSize: o, actionSize: a, seed: g.next())
        let summary = try model.fit(on: buffer, using: &g)
        let throughput = ModelEvaluation.measureImagination(model, observation: [0, 0, 0.01, 0], candidates: 500,
                                                            particles: 20, steps: 5, using: &g)
        var r = BenchmarkRecord(case: "sequence_world_model")
        r.set("backbone", .string("gru"))
        r.set("ms_per_step", .number(summary.stepsPerSecond.map { 1e3 / $0 } ?? .nan))
        r.set("windows", .integer(windows))
        r.set("length", .integer(length))
        r.set("hidden", .integer(128))
        r.set("params", .integer(model.parameterCount))
        r.set("final_loss", .number(Double(summary.trainLoss)))
        r.set("imagination_rows_steps_per_s", .number(throughput))
        r.set("imagination_rows", .integer(10_000))
        return r
    }
}
