import CBLAS
import NN
import SeededRandom

extension BenchmarkSuite {
    /// torch_bench's `ensemble_mlp` network: E 5, in 6, 4 × 200 SiLU, D 6.
    static let torchBenchEnsemble = GaussianEnsembleMLPConfiguration(
        ensembleSize: 5, inputSize: 6, outputSize: 6, hiddenSize: 200, hiddenLayers: 4,
        activation: .silu, initialization: .uniform)

    func sgemm() -> BenchmarkRecord {
        let n = 1024
        var g = SeededGenerator(seed: options.seed)
        let a = (0..<(n * n)).map { _ in g.normal(mean: 0, std: 1) }
        let b = (0..<(n * n)).map { _ in g.normal(mean: 0, std: 1) }
        var c = [Float](repeating: 0, count: n * n)
        openblas_set_num_threads(Int32(options.threads))
        defer { openblas_set_num_threads(1) }
        let timing = a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    BenchmarkTiming(warmup: 5, repetitions: 30) {
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1,
                                    a.baseAddress, Int32(n), b.baseAddress, Int32(n), 0, c.baseAddress, Int32(n))
                    }
                }
            }
        }
        let flop = 2 * Double(n * n * n)
        var r = BenchmarkRecord(case: "sgemm_gflops")
        r.set("gflops", .number(flop / (timing.median * 1e-3) / 1e9))
        r.set("gflops_best", .number(flop / (timing.best * 1e-3) / 1e9))
        r.set("ms", .number(timing.median))
        r.set("n", .integer(n))
        r.set("blas_threads", .integer(options.threads))
        return r
    }

    func ensembleTraining() throws -> BenchmarkRecord {
        var g = SeededGenerator(seed: options.seed)
        let config = BenchmarkSuite.torchBenchEnsemble
        let net = try GaussianEnsembleMLP(config, generator: &g, threads: options.threads)
        let batch = 256
        let x = (0..<(config.ensembleSize * batch * config.inputSize)).map { _ in g.normal(mean: 0, std: 1) }
        let y = (0..<(config.ensembleSize * batch * config.outputSize)).map { _ in g.normal(mean: 0, std: 1) }
        let adam = EnsembleAdamSettings(learningRate: 7.5e-4)
        var loss: Float = 0
        let timing = x.withUnsafeBufferPointer { x in
            y.withUnsafeBufferPointer { y in
                BenchmarkTiming(warmup: options.warmup, repetitions: options.steps) {
                    loss = net.trainStep(inputs: x, targets: y, optimizer: adam)
                }
            }
        }
        var r = BenchmarkRecord(case: "ensemble_mlp")
        r.set("ms_per_step", .number(timing.median))
        r.set("ms_best", .number(timing.best))
        r.set("cpu_ms_per_step", .number(timing.cpuMillisecondsPerRepetition))
        r.set("members", .integer(config.ensembleSize))
        r.set("batch_per_member", .integer(batch))
        r.set("in", .integer(config.inputSize))
        r.set("out", .integer(config.headSize))
        r.set("hidden", .array([BenchmarkValue](repeating: .integer(config.hiddenSize), count: config.hiddenLayers)))
        r.set("act_fn", .string("SiLU"))
        r.set("loss", .string("gaussian_nll"))
        r.set("params", .integer(net.parameterCount))
        r.set("final_loss", .number(Double(loss)))
        r.set("warmup", .integer(options.warmup))
        r.set("steps", .integer(options.steps))
        return r
    }

    func ensembleForward() throws -> BenchmarkRecord {
        var g = SeededGenerator(seed: options.seed)
        let config = BenchmarkSuite.torchBenchEnsemble
        let net = try GaussianEnsembleMLP(config, generator: &g, threads: options.threads)
        let rows = 2000, e = config.ensembleSize
        let x = (0..<(e * rows * config.inputSize)).map { _ in g.normal(mean: 0, std: 1) }
        var means = [Float](repeating: 0, count: e * rows * config.outputSize)
        var logvars = means
        let timing = x.withUnsafeBufferPointer { x in
            means.withUnsafeMutableBufferPointer { m in
                logvars.withUnsafeMutableBufferPointer { l in
                    BenchmarkTiming(warmup: 5, repetitions: max(30, options.steps)) {
                        net.predict(inputs: x, rows: rows, means: m, logvars: l)
                    }
                }
            }
        }
        var r = BenchmarkRecord(case: "ensemble_forward_10k")
        r.set("ms_per_call", .number(timing.median))
        r.set("ms_best", .number(timing.best))
        r.set("cpu_ms_per_call", .number(timing.cpuMillisecondsPerRepetition))
        r.set("members", .integer(e))
        r.set("rows_per_member", .integer(rows))
        r.set("rows_per_call", .integer(e * rows))
        r.set("in", .integer(config.inputSize))
        r.set("out", .integer(config.headSize))
        r.set("hidden", .array([BenchmarkValue](repeating: .integer(config.hiddenSize), count: config.hiddenLayers)))
        r.set("act_fn", .string("SiLU"))
        r.set("model_calls_per_cem_action", .integer(75))
        r.set("model_ms_per_cem_action", .number(timing.median * 75))
        r.set("reps", .integer(timing.milliseconds.count))
        return r
    }
}
