import NN
import SeededRandom
import TensorCore
import WorldModels

extension BenchmarkSuite {
    /// torch_bench's `s4d_seq`: `S4DModel` = Linear(10 → 128) + 2 pre-norm residual
    /// S4D-Real blocks (N 64) + LayerNorm + Linear(128 → 8) (85,896 parameters), as
    /// ``WorldModels/S4WMBackbone`` + `Linear`; inputs `[32, 64, 10]`, targets
    /// `[32, 64, 8]` ~ N(0, 1), MSE, Adam lr 1e-3; one step = forward, backward, Adam.
    func s4dSequence() -> BenchmarkRecord {
        var g = SeededGenerator(seed: options.seed)
        let backbone = S4WMBackbone(inputSize: 10, modelSize: 128, layers: 2, stateSize: 64, mode: .real, generator: &g)
        var r = sequenceTraining(backbone, name: "s4d_seq", generator: &g)
        r.set("d_model", .integer(128))
        r.set("d_state", .integer(64))
        r.set("layers", .integer(2))
        r.set("mode", .string("direct_conv"))
        return r
    }

    /// torch_bench's `mamba_seq`: `MambaModel` = Linear(10 → 128) + 2 pre-norm residual
    /// Mamba blocks (d_state 16, expand 2, d_conv 4, dt_rank 8) + LayerNorm +
    /// Linear(128 → 8) (236,168 parameters), as ``WorldModels/MambaBackbone`` + `Linear`;
    /// same workload as `s4d_seq`.
    func mambaSequence() -> BenchmarkRecord {
        var g = SeededGenerator(seed: options.seed)
        let backbone = MambaBackbone(inputSize: 10, modelSize: 128, layers: 2, stateSize: 16, expand: 2, convSize: 4,
                                     generator: &g)
        var r = sequenceTraining(backbone, name: "mamba_seq", generator: &g)
        r.set("d_model", .integer(128))
        r.set("d_state", .integer(16))
        r.set("expand", .integer(2))
        r.set("d_conv", .integer(4))
        r.set("layers", .integer(2))
        r.set("scan", .string("fused_selective_scan"))
        return r
    }

    /// The shared `bench_seq` workload of torch_bench over `backbone` + Linear(feature → 8)
    /// (also `gru_seq`'s), with OpenBLAS at one thread.
    func sequenceTraining<B: SequenceBackbone>(_ backbone: B, name: String,
                                                       generator g: inout SeededGenerator) -> BenchmarkRecord {
        let (batch, time, input, output) = (32, 64, backbone.inputSize, 8)
        BLAS.setThreadCount(1)
        let head = Linear(inputSize: backbone.featureSize, outputSize: output, generator: &g)
        let parameters = backbone.parameters + head.parameters
        let x = Tensor(shape: [batch, time, input], normalMean: 0, std: 1, generator: &g)
        let y = Tensor(shape: [batch, time, output], normalMean: 0, std: 1, generator: &g)
        let adam = Adam(parameters: parameters, learningRate: 1e-3)
        var loss: Float = 0
        let timing = BenchmarkTiming(warmup: options.warmup, repetitions: options.steps) {
            let (value, grads) = valueWithGradient(of: parameters) { tape in
                mseLoss(head(backbone(tape.constant(x), resetMask: nil)), tape.constant(y))
            }
            adam.update(grads)
            loss = value
        }
        var r = BenchmarkRecord(case: name)
        r.set("ms_per_step", .number(timing.median))
        r.set("ms_best", .number(timing.best))
        r.set("cpu_ms_per_step", .number(timing.cpuMillisecondsPerRepetition))
        r.set("seq", .integer(time))
        r.set("batch", .integer(batch))
        r.set("in", .integer(input))
        r.set("out", .integer(output))
        r.set("loss", .string("mse"))
        r.set("params", .integer(parameters.reduce(0) { $0 + $1.count }))
        r.set("final_loss", .number(Double(loss)))
        r.set("warmup", .integer(options.warmup))
        r.set("steps", .integer(options.steps))
        return r
    }
}
