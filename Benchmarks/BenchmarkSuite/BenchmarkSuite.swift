import CBLAS
import Foundation

/// The workloads of `mbrl bench`, in the schema of peers/torch_bench.py
/// (one JSON line per case, after a `{"case": "machine", ...}` line), so the
/// Swift numbers sit beside `peers/results/torch_bench.jsonl`.
///
/// Cases:
/// - `sgemm_gflops`: `cblas_sgemm` 1024³ on `threads` OpenBLAS threads, 5 warm-up
///   and 30 timed calls; GFLOP/s of the median and of the best call.
/// - `ensemble_mlp`: one ``NN/GaussianEnsembleMLP`` training step (forward, NLL,
///   backward, Adam lr 7.5e-4) of torch_bench's network — 5 members, in 6,
///   4 × 200 SiLU, out 2 × 6, batch 256 per member, 622 072 parameters —
///   median of `steps` steps after `warmup`.
/// - `ensemble_forward_10k`: the no-grad forward of 5 × 2000 rows through that
///   network (one model call of `cem_plan`), ms per call.
/// - `cem_plan`, `cem_plan_p5`: CEM MPC on that network (population 500, horizon
///   15, 5 iterations, 20 or 5 TS-∞ particles), ms per planned action.
/// - `sequence_world_model`: a GRU `SequenceWorldModel` training step (16 × 32
///   steps) and its imagination throughput on 10 000 rows.
/// - `gru_seq`: torch_bench's GRU(10 → 256) + Linear(256 → 8) training step on
///   `[32, 64, 10]` windows (``WorldModels/GRUBackbone``), median of `steps`.
/// - `transformer_seq`: one training step of ``WorldModels/TransformerBackbone`` + Linear head,
///   torch_bench's `transformer_seq` workload (see `BenchmarkSuite+TransformerSeq.swift`).
/// - `s4d_seq`, `mamba_seq`: torch_bench's S4D / Mamba models (Linear(10 → 128),
///   2 blocks, Linear(128 → 8)) on the same windows (``WorldModels/S4WMBackbone``,
///   ``WorldModels/MambaBackbone``).
/// - `sac_update`, `dqn_update`: one ``Learners/SACLearner`` / ``Learners/DQNLearner``
///   update on torch_bench's workloads (see `BenchmarkSuite+Learners.swift`).
///
/// The ensemble cases run on `threads` Swift workers with OpenBLAS at 1 thread.
/// Timing numbers depend on the build: run a release build.
public struct BenchmarkSuite {
    /// Known case names, in the order they run by default.
    public static let caseNames = ["sgemm_gflops", "ensemble_mlp", "ensemble_forward_10k", "cem_plan", "cem_plan_p5",
                                   "gru_seq", "transformer_seq", "s4d_seq", "mamba_seq", "sequence_world_model",
                                   "sac_update", "dqn_update"]

    /// Which cases to run and how.
    public struct Options {
        /// Cases to run (each in ``BenchmarkSuite/caseNames``), in this order.
        public var cases: [String] = BenchmarkSuite.caseNames
        /// Worker threads (Swift workers for the ensemble, OpenBLAS threads for sgemm).
        public var threads: Int = 2
        /// Untimed training steps before timing.
        public var warmup: Int = 10
        /// Timed training steps (median reported).
        public var steps: Int = 50
        /// Seed of every random input and weight.
        public var seed: UInt64 = 0

        public init(cases: [String] = BenchmarkSuite.caseNames, threads: Int = 2, warmup: Int = 10,
                    steps: Int = 50, seed: UInt64 = 0) {
            self.cases = cases
            self.threads = threads
            self.warmup = warmup
            self.steps = steps
            self.seed = seed
        }

        /// Throws ``BenchmarkError`` naming the bad option.
        public func validate() throws {
            for c in cases where !BenchmarkSuite.caseNames.contains(c) {
                throw BenchmarkError.unknownCase(c, known: BenchmarkSuite.caseNames)
            }
            if threads < 1 { throw BenchmarkError.invalidOption("--threads must be at least 1, got \(threads)") }
            if warmup < 0 { throw BenchmarkError.invalidOption("--warmup must be at least 0, got \(warmup)") }
            if steps < 1 { throw BenchmarkError.invalidOption("--steps must be at least 1, got \(steps)") }
        }
    }

    public let options: Options

    public init(options: Options) throws {
        try options.validate()
        self.options = options
    }

    /// Runs the machine line and every case, handing each JSON line to `emit` as soon as it is ready.
    public func run(emit: (String) -> Void) throws {
        emit(BenchmarkSuite.machineRecord(threads: options.threads).jsonLine)
        for name in options.cases {
            let t0 = DispatchTime.now().uptimeNanoseconds
            var record: BenchmarkRecord
            switch name {
            case "sgemm_gflops": record = sgemm()
            case "ensemble_mlp": record = try ensembleTraining()
            case "ensemble_forward_10k": record = try ensembleForward()
            case "cem_plan": record = try cemPlan(particles: 20, name: "cem_plan")
            case "cem_plan_p5": record = try cemPlan(particles: 5, name: "cem_plan_p5")
            case "gru_seq": record = try gruSequence()
            case "sequence_world_model": record = try sequenceWorldModel()
            case "transformer_seq": record = try transformerSequence()
            case "s4d_seq": record = try s4dSequence()
            case "mamba_seq": record = try mambaSequence()
            case "sac_update": record = sacUpdate()
            case "dqn_update": record = dqnUpdate()
            default: throw BenchmarkError.unknownCase(name, known: BenchmarkSuite.caseNames)
            }
            record.set("threads", .integer(options.threads))
            let wall = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            record.set("bench_wall_s", .number((wall * 100).rounded() / 100))
            emit(record.jsonLine)
        }
    }

    /// `{"case": "machine", ...}`: CPU, cores, BLAS core type and threads, build.
    public static func machineRecord(threads: Int) -> BenchmarkRecord {
        var r = BenchmarkRecord(case: "machine")
        var cpu = "", flags: Set<Substring> = []
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) {
            let lines = info.split(separator: "\n")
            func value(_ key: String) -> Substring? {
                guard let line = lines.first(where: { $0.hasPrefix(key) }), let colon = line.firstIndex(of: ":") else { return nil }
                return line[line.index(after: colon)...]
            }
            cpu = value("model name").map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            flags = Set((value("flags") ?? "").split(separator: " "))
        }
        r.set("cpu", .string(cpu))
        // The widest vector ISA decides the GEMM peak (AVX-512 roughly doubles AVX2's).
        r.set("isa", .string(flags.contains("avx512f") ? "avx512" : flags.contains("avx2") ? "avx2" : "sse"))
        r.set("cores_visible", .integer(ProcessInfo.processInfo.activeProcessorCount))
        let env = ProcessInfo.processInfo.environment
        r.set("openblas_coretype_env", env["OPENBLAS_CORETYPE"].map { .string($0) } ?? .null)
        r.set("openblas_corename", .string(String(cString: openblas_get_corename())))
        r.set("openblas_config", .string(String(cString: openblas_get_config()).trimmingCharacters(in: .whitespaces)))
        r.set("blas_threads_sgemm", .integer(threads))
        r.set("blas_threads_ensemble", .integer(1))
        r.set("swift_workers", .integer(threads))
        #if DEBUG
        r.set("build", .string("debug"))
        #else
        r.set("build", .string("release"))
        #endif
        return r
    }
}

/// Errors from `mbrl bench` options.
public enum BenchmarkError: Error, Equatable, CustomStringConvertible {
    case unknownCase(String, known: [String])
    case invalidOption(String)

    public var description: String {
        switch self {
        case .unknownCase(let c, let known): return "unknown benchmark case '\(c)'; expected one of \(known.joined(separator: ", "))"
        case .invalidOption(let m): return m
        }
    }
}
