import NN
import SeededRandom
import TensorCore
import WorldModels

extension BenchmarkSuite {
    /// torch_bench's `s4d_seq`: `S4DModel` = Linear(10 → 128) + 2 pre-norm residual
    /// S4D-Real blocks (N 64) + LayerNorm + Linear(128 → 8) (85,896 parameters), as the
    /// ``WorldModels/S4WMBackbone`` of `model.backbone: s4wm` with
    /// `s4wm: {d_model: 128, d_state: 64, layers: 2, mode: real}` + `Linear`; inputs `[32, 64, 10]`,
    /// targets `[32, 64, 8]` ~ N(0, 1), MSE, Adam lr 1e-3; one step = forward, backward, Adam.
    func s4dSequence() throws -> BenchmarkRecord {
        var settings = WorldModelSettings()
        settings.backbone = .s4wm
        settings.s4wm.dModel = 128
        settings.s4wm.dState = 64
        settings.s4wm.layers = 2
        settings.s4wm.mode = .real
        var r = try sequenceTraining(settings, name: "s4d_seq")
        r.set("d_model", .integer(settings.s4wm.dModel))
        r.set("d_state", .integer(settings.s4wm.dState))
        r.set("layers", .integer(settings.s4wm.layers))
        r.set("mode", .string("direct_conv"))
        return r
    }

    /// torch_bench's `mamba_seq`: `MambaModel` = Linear(10 → 128) + 2 pre-norm residual
    /// Mamba blocks (d_state 16, expand 2, d_conv 4, dt_rank 8) + LayerNorm +
    /// Linear(128 → 8) (236,168 parameters), as the ``WorldModels/MambaBackbone`` of
    /// `model.backbone: mamba` with `mamba: {d_model: 128, d_state: 16, expand: 2, d_conv: 4,
    /// layers: 2}` + `Linear`; same workload as `s4d_seq`.
    func mambaSequence() throws -> BenchmarkRecord {
        var settings = WorldModelSettings()
        settings.backbone = .mamba
        settings.mamba.dModel = 128
        settings.mamba.dState = 16
        settings.mamba.expand = 2
        settings.mamba.dConv = 4
        settings.mamba.layers = 2
        var r = try sequenceTraining(settings, name: "mamba_seq")
        r.set("d_model", .integer(settings.mamba.dModel))
        r.set("d_state", .integer(settings.mamba.dState))
        r.set("expand", .integer(settings.mamba.expand))
        r.set("d_conv", .integer(settings.mamba.dConv))
        r.set("layers", .integer(settings.mamba.layers))
        r.set("scan", .string("fused_selective_scan"))
        return r
    }

    /// torch_bench's sequence sizes: 10 inputs (8 observation + 2 action floats), 8 outputs,
    /// windows of 64 steps, 32 per batch.
    static let sequenceWorkload = (observation: 8, action: 2, time: 64, batch: 32)

    /// The backbone `settings` names (through the world-model factory, as a config builds it) for
    /// torch_bench's 10 input floats, its fused kernels on `threads` workers, seeded by `options.seed`.
    func sequenceBackbone(_ settings: WorldModelSettings,
                          generator g: inout SeededGenerator) throws -> any SequenceBackbone {
        var settings = settings
        settings.sequenceThreads = options.threads
        let w = Self.sequenceWorkload
        return try makeSequenceBackbone(settings: settings, inputSize: w.observation + w.action,
                                        observationSize: w.observation, generator: &g)
    }

    /// The shared `bench_seq` workload of torch_bench over the backbone `settings` names
    /// + Linear(feature → 8), with OpenBLAS at one thread.
    func sequenceTraining(_ settings: WorldModelSettings, name: String) throws -> BenchmarkRecord {
        var g = SeededGenerator(seed: options.seed)
        let backbone = try sequenceBackbone(settings, generator: &g)
        return sequenceTraining(backbone, name: name, generator: &g)
    }

    /// `bench_seq` over `backbone` + Linear(feature → 8).
    func sequenceTraining<B: SequenceBackbone>(_ backbone: B, name: String,
                                               generator g: inout SeededGenerator) -> BenchmarkRecord {
        let w = Self.sequenceWorkload
        let (batch, time, input, output) = (w.batch, w.time, backbone.inputSize, w.observation)
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
