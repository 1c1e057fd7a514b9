import CBLAS
import CKernels
import NN
import SeededRandom
import TensorCore
import WorldModels

extension BenchmarkSuite {
    /// torch_bench's `transformer_seq`: the ``WorldModels/TransformerBackbone`` of `model.backbone: transformer`
    /// with `transformer: {d_model: 128, heads: 4, layers: 2, feedforward_size: 512, context_length: 64}` (Linear(10 → 128) + learned
    /// positions + 2 pre-LN layers, d 128, 4 heads, ff 512, GELU, causal, final LayerNorm) + Linear(128 → 8),
    /// seq 64, batch 32, MSE, Adam lr 1e-3; 407 432 parameters. One step = forward, loss, backward, Adam.
    /// Also reports the median of one recurrent (KV-cache) step for 500 rows with 32–51 cached steps.
    /// Every kernel (GEMM blocks, attention, LayerNorm, GELU) runs on `threads` Swift workers with
    /// OpenBLAS at one thread. Sets glibc's
    /// malloc thresholds for the process (see below).
    func transformerSequence() throws -> BenchmarkRecord {
        let w = Self.sequenceWorkload
        let (inputSize, outputSize, time, batch) = (w.observation + w.action, w.observation, w.time, w.batch)
        var g = SeededGenerator(seed: options.seed)
        var settings = WorldModelSettings()
        settings.backbone = .transformer
        settings.transformer.dModel = 128
        settings.transformer.heads = 4
        settings.transformer.layers = 2
        settings.transformer.feedforwardSize = 512
        settings.transformer.contextLength = time
        guard let backbone = try sequenceBackbone(settings, generator: &g) as? TransformerBackbone else {
            preconditionFailure("model.backbone: transformer builds a TransformerBackbone")
        }
        let config = backbone.configuration
        let head = Linear(inputSize: config.modelSize, outputSize: outputSize, generator: &g)
        let parameters = backbone.parameters + head.parameters
        let adam = Adam(parameters: parameters, learningRate: 1e-3)
        let x = Tensor(shape: [batch, time, inputSize], normalMean: 0, std: 1, generator: &g)
        let y = Tensor(shape: [batch, time, outputSize], normalMean: 0, std: 1, generator: &g)
        // A step allocates ~100 MB of activations and gradients in 0.5–4 MB tensors; with glibc's
        // adaptive thresholds they are returned to the kernel and faulted back in every step (~30% of
        // the step in page faults, measured). Keep freed memory in the heap instead.
        let mallocTuned = mbrl_malloc_keep_freed_memory(32 << 20, 1 << 30) == 1
        openblas_set_num_threads(1)  // parallel over `threads` Swift workers instead (PERF-NOTES lesson 1)
        var loss: Float = 0
        let timing = BenchmarkTiming(warmup: options.warmup, repetitions: options.steps) {
            let (value, grads) = valueWithGradient(of: parameters) { tape in
                mseLoss(head.fused(backbone(tape.constant(x), resetMask: nil)), tape.constant(y))
            }
            adam.update(grads)
            loss = value
        }
        // imagination: one KV-cache step of 500 rows with 32 steps already cached (no tape)
        let rows = 500
        var state = backbone.gatherRows(backbone.initialState(batch: 1), rows: [Int](repeating: 0, count: rows))
        let stepInput = Tensor(shape: [rows, inputSize], normalMean: 0, std: 1, generator: &g)
        for _ in 0..<32 { _ = backbone.step(stepInput, state: &state) }
        let stepTiming = BenchmarkTiming(warmup: 0, repetitions: 20) {  // steps 33...52 (within the window)
            _ = backbone.step(stepInput, state: &state)
        }
        var r = BenchmarkRecord(case: "transformer_seq")
        r.set("ms_per_step", .number(timing.median))
        r.set("ms_best", .number(timing.best))
        r.set("cpu_ms_per_step", .number(timing.cpuMillisecondsPerRepetition))
        r.set("seq", .integer(time))
        r.set("batch", .integer(batch))
        r.set("in", .integer(inputSize))
        r.set("out", .integer(outputSize))
        r.set("loss", .string("mse"))
        r.set("params", .integer(backbone.parameterCount + head.parameterCount))
        r.set("d_model", .integer(config.modelSize))
        r.set("heads", .integer(config.headCount))
        r.set("layers", .integer(config.layerCount))
        r.set("ff", .integer(config.feedForwardSize))
        r.set("norm", .string("pre-LN"))
        r.set("act_fn", .string("gelu"))
        r.set("dropout", .number(0))
        r.set("blas_threads", .integer(1))
        r.set("swift_workers", .integer(options.threads))
        r.set("malloc_keep_freed", .bool(mallocTuned))
        r.set("final_loss", .number(Double(loss)))
        r.set("kv_step_ms_500_rows", .number(stepTiming.median))
        r.set("warmup", .integer(options.warmup))
        r.set("steps", .integer(options.steps))
        return r
    }
}
