import NN
import Replay
import SeededRandom
import WorldModels

extension BenchmarkSuite {
    /// `sequence_world_model`: a `SequenceWorldModel` with the reference
    /// `UnrolledGRUBackbone` (GRU 128, heads 64, Gaussian) on CartPole-sized
    /// data (observation 4, action 1): one training step on 16 windows of 32
    /// steps (forward, loss, backward, clip, Adam), median ms over `steps`
    /// after `warmup`; then the imagination throughput of 500 candidates × 20
    /// particles (10 000 rows) in rows·steps per second.
    func sequenceWorldModel() throws -> BenchmarkRecord {
        var g = SeededGenerator(seed: options.seed)
        let o = 4, a = 1, windows = 16, length = 32
        var buffer = ReplayBuffer(capacity: 4000, observationSize: o, actionSize: a)
        for t in 0..<4000 {
            let obs: [Float] = (0..<o).map { _ in g.normal() }, next: [Float] = (0..<o).map { _ in g.normal() }
            buffer.add(observation: obs, action: [g.uniform(Float(-1), 1)], reward: g.normal(), nextObservation: next,
                       terminated: false, truncated: t % 200 == 199)
        }
        let model = SequenceWorldModel(observationSize: o, actionSize: a,
                                       configuration: SequenceWorldModelConfiguration(members: 1, headHiddenSize: 64),
                                       generator: &g) { UnrolledGRUBackbone(inputSize: $0, hiddenSize: 128, generator: &$1) }
        var training = SequenceTrainingConfiguration()
        training.sequenceLength = length
        training.batchSize = windows
        training.validationRatio = 0
        training.trainSteps = options.warmup + options.steps
        let report = try SequenceWorldModelTrainer(configuration: training).train(model, on: buffer, using: &g)
        let throughput = ModelEvaluation.measureImagination(model, observation: [0, 0, 0.01, 0], candidates: 500,
                                                            particles: 20, steps: 5, using: &g)
        var r = BenchmarkRecord(case: "sequence_world_model")
        r.set("backbone", .string("unrolled_gru"))
        r.set("ms_per_step", .number(report.seconds * 1e3 / Double(max(report.steps, 1))))
        r.set("windows", .integer(windows))
        r.set("length", .integer(length))
        r.set("hidden", .integer(128))
        r.set("params", .integer(model.parameterCount))
        r.set("final_loss", .number(Double(report.trainLoss)))
        r.set("imagination_rows_steps_per_s", .number(throughput))
        r.set("imagination_rows", .integer(10_000))
        return r
    }
}
