import NN
import SeededRandom
import WorldModels

extension BenchmarkSuite {
    /// torch_bench's `gru_seq`: `GRUModel` = nn.GRU(10 → 256, batch_first) + Linear(256 → 8),
    /// inputs `[32, 64, 10]`, targets `[32, 64, 8]` ~ N(0, 1), MSE, Adam lr 1e-3
    /// (207,880 parameters); one step = forward, backward, Adam. The GRU is
    /// ``WorldModels/GRUBackbone`` (fused layer op) on `threads` workers, OpenBLAS at 1 thread.
    func gruSequence() -> BenchmarkRecord {
        let (batch, time, input, hidden, output) = (32, 64, 10, 256, 8)
        BLAS.setThreadCount(1)
        var g = SeededGenerator(seed: options.seed)
        let gru = GRUBackbone(inputSize: input, hiddenSize: hidden, layers: 1, threads: options.threads, generator: &g)
        let head = Linear(inputSize: hidden, outputSize: output, generator: &g)
        let parameters = gru.parameters + head.parameters
        let x = Tensor(shape: [batch, time, input], normalMean: 0, std: 1, generator: &g)
        let y = Tensor(shape: [batch, time, output], normalMean: 0, std: 1, generator: &g)
        let adam = Adam(parameters: parameters, learningRate: 1e-3)
        var loss: Float = 0
        let timing = BenchmarkTiming(warmup: options.warmup, repetitions: options.steps) {
            let (value, grads) = valueWithGradient(of: parameters) { tape in
                mseLoss(head(gru(tape.constant(x), resetMask: nil)), tape.constant(y))
            }
            adam.update(grads)
            loss = value
        }
        var r = BenchmarkRecord(case: "gru_seq")
        r.set("ms_per_step", .number(timing.median))
        r.set("ms_best", .number(timing.best))
        r.set("cpu_ms_per_step", .number(timing.cpuMillisecondsPerRepetition))
        r.set("seq", .integer(time))
        r.set("batch", .integer(batch))
        r.set("in", .integer(input))
        r.set("out", .integer(output))
        r.set("hidden", .integer(hidden))
        r.set("loss", .string("mse"))
        r.set("params", .integer(parameters.reduce(0) { $0 + $1.count }))
        r.set("final_loss", .number(Double(loss)))
        r.set("warmup", .integer(options.warmup))
        r.set("steps", .integer(options.steps))
        return r
    }
}
