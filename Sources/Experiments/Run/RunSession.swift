import Environments
import Foundation
import SeededRandom
import Reports

/// What every algorithm's loop shares (DESIGN: "each loop is one file that
/// reads top to bottom and shares setup, run directory, logging, evaluation,
/// checkpoints and resume with the others"):
///
/// - the run directory: created with `config.yaml` and `run.json`, or reopened by `--resume`;
/// - the counters (environment steps, training episodes and their returns, wall time);
/// - `metrics.jsonl` and `episodes.csv`;
/// - evaluation of the deterministic policy every `eval.every` steps on its own environment (`PolicyEvaluator`);
/// - checkpoints: `checkpoint(_:)` writes the shared files and the loop's state
///   last; `restore(_:)` reads them back for `--resume`;
/// - the learning curves (`learning_curve.svg`: training and evaluation
///   returns against environment steps) and `summary.json`.
///
/// A class: the loop and its helpers update one session (identity matters).
final class RunSession {
    let config: ExperimentConfig
    let directory: RunDirectory
    let progress: ProgressReporter
    /// Whether the run continues a run directory (`--resume`).
    let isResuming: Bool
    private(set) var log = MetricsLog()
    private var episodeTable = EpisodeTable()
    /// Environment steps so far (exploration included).
    var steps = 0
    /// Real training episodes started so far: the next one's seed index.
    var episodeIndex = 0
    /// Returns of the training episodes, in order.
    private(set) var episodeReturns: [Double] = []
    /// Lengths of the training episodes, in order.
    private(set) var episodeLengths: [Int] = []
    private var evaluator: PolicyEvaluator?
    private let started = Date()
    private var elapsedBefore = 0.0
    let runner: ExperimentRunner
    private let interruption: RunInterruption?
    /// Environment steps of the last checkpoint written or resumed from.
    private var checkpointSteps: Int?

    /// Opens the run directory (a new one, or `options.resumeDirectory`). Call
    /// it after everything that can fail on user input has been checked.
    init(runner: ExperimentRunner, options: RunOptions, evaluationMaxSteps: Int = .max) throws {
        self.runner = runner
        config = runner.config
        progress = ProgressReporter(quiet: options.quiet)
        isResuming = options.resumeDirectory != nil
        interruption = options.interruption
        if config.eval.every > 0 {
            evaluator = PolicyEvaluator(environment: try runner.makeEnvironment(), episodes: config.eval.episodes,
                                        maxSteps: evaluationMaxSteps, runSeed: config.seed)
        }
        directory = try runner.makeRunDirectory(options: options, started: started)
        if !isResuming {
            try directory.write(config.renderedYAML(), to: "config.yaml")
            try directory.writeJSON(runner.runRecord(options: options, started: started), to: "run.json")
        }
        if !config.output.checkpoint {
            progress.message("note: output.checkpoint is false: this run cannot be resumed if it stops early")
        }
    }

    /// Throws `RunInterrupted` when a stop was requested (the loops call it
    /// between steps, where every file is whole).
    func checkInterruption() throws {
        try checkDivergence()
        guard let reason = interruption?.reason else { return }
        progress.finish()
        throw RunInterrupted(reason: reason, runDirectory: directory.url.path, steps: steps,
                             checkpointSteps: checkpointSteps, checkpointsEnabled: config.output.checkpoint)
    }

    /// The seed of training episode `index` (from the run's seed and the index only).
    func episodeSeed(_ index: Int) -> UInt64 { runner.episodeSeed(index) }

    // MARK: - Logging

    /// Adds a metrics record at the current step. The first non-finite value
    /// marks the run as diverged: the loop stops at its next
    /// `checkInterruption()` and no checkpoint is written after it.
    func record(_ values: [String: Double]) {
        if divergence == nil, let key = values.keys.sorted().first(where: { !values[$0]!.isFinite }) {
            let last = log.records.last { $0.values[key]?.isFinite == true }
            divergence = RunDiverged(quantity: key, value: values[key]!, step: steps,
                                     lastFinite: last.map { ($0.step, $0.values[key]!) })
        }
        log.log(step: steps, values)
    }

    /// The first non-finite value recorded, if any.
    private(set) var divergence: RunDiverged?

    /// Throws the divergence, if a non-finite value was recorded.
    func checkDivergence() throws {
        if let divergence { throw divergence }
    }

    /// Starts a checkpoint; loops call it before writing their checkpoint files. It refuses a
    /// diverged learner (the last good checkpoint stays) and keeps the current checkpoint until
    /// `checkpoint(_:)` has written the new one (`CheckpointGeneration`: a kill in between resumes
    /// from the old one).
    func beginCheckpoint() throws {
        try checkDivergence()
        try CheckpointGeneration(directory: directory).preserve()
    }

    /// `error` with this run's directory and last checkpoint, so its message says what `--resume` continues from.
    func located(_ error: RunDiverged) -> RunDiverged {
        var error = error
        error.runDirectory = directory.url.path
        error.checkpointSteps = config.output.checkpoint ? checkpointSteps : nil
        return error
    }

    /// Records a finished training episode (`kind`: random, trial, train, ...):
    /// a row of `episodes.csv` and `train/episode_return`, `train/episode_length`
    /// (with `extra` values) in the metrics, at the current step.
    func recordEpisode(kind: String, result: EpisodeResult, msPerAction: Double? = nil, extra: [String: Double] = [:]) {
        episodeTable.append(index: episodeIndex - 1, kind: kind, result: result, totalSteps: steps, msPerAction: msPerAction)
        let prefix = kind == "random" || kind == "explore" ? kind : "train"
        var values = extra
        values["\(prefix)/episode_return"] = result.episodeReturn
        values["\(prefix)/episode_length"] = Double(result.length)
        record(values)
        if prefix == "train" {
            episodeReturns.append(result.episodeReturn)
            episodeLengths.append(result.length)
        }
    }

    /// Steps a training environment: `env.step(action)`, with a NaN or infinite observation or reward
    /// thrown as `RunDiverged` at the current step.
    func step(_ environment: inout any Environment, _ action: Action) throws -> StepResult {
        let result = try environment.step(action)
        try result.requireFinite(step: steps)
        return result
    }

    // MARK: - Episodes of a step-budget loop (DQN, SAC; state: `StepBudgetLoopState`)

    /// Resets `environment` for the next training episode (seeded by its index) and returns its first observation.
    func startEpisode(_ environment: inout any Environment) throws -> [Float] {
        defer { episodeIndex += 1 }
        return try environment.reset(seed: episodeSeed(episodeIndex)).observation
    }

    /// Ends a training episode of a loop that runs for `total` steps: records
    /// it (with `extra` metrics) and, when `output.checkpoint_every` steps have
    /// passed since `lastCheckpoint` or this is the run's last step, moves
    /// `lastCheckpoint` here, lets the loop write its buffers and networks
    /// (`save`, which returns the loop's state) and checkpoints. The final
    /// checkpoint makes a finished run's checkpoint its final policy and whole
    /// replay buffer (what `mbrl dataset collect --policy` / `--from-replay`
    /// read); `--resume` of a finished run then only rewrites its summary.
    func endEpisode<Loop: Codable>(_ episode: EpisodeResult, total: Int, lastCheckpoint: inout Int, extra: [String: Double] = [:],
                                   save: (_ lastCheckpoint: Int) throws -> Loop) throws {
        recordEpisode(kind: "train", result: episode, extra: extra)
        progress.update(steps: steps, of: total, lastReturn: episode.episodeReturn)
        let due = steps - lastCheckpoint >= config.output.checkpointEvery || (steps >= total && steps > lastCheckpoint)
        if config.output.checkpoint && due {
            try beginCheckpoint()
            lastCheckpoint = steps
            try checkpoint(save(lastCheckpoint))
        }
    }

    // MARK: - Evaluation

    /// Runs an evaluation if the step count crossed a multiple of `eval.every`
    /// since `previousSteps`, logging `eval/episode_return` (mean),
    /// `eval/episode_return_std`, `eval/episode_return_min` and `eval/episode_return_max`.
    /// Returns the mean when it evaluated.
    @discardableResult
    func evaluateIfDue(since previousSteps: Int,
                       act: (_ observation: [Float], _ environment: any Environment) throws -> [Float],
                       observe: (_ action: [Float], _ observation: [Float]) -> Void = { _, _ in },
                       start: (_ observation: [Float]) -> Void = { _ in }) throws -> Double? {
        guard config.eval.isDue(after: steps, before: previousSteps), evaluator != nil else { return nil }
        let returns = try evaluator!.evaluate(act: act, observe: observe, start: start)
        let mean = returns.reduce(0, +) / Double(returns.count)
        let variance = returns.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(returns.count)
        record(["eval/episode_return": mean, "eval/episode_return_std": variance.squareRoot(),
                "eval/episode_return_min": returns.min()!, "eval/episode_return_max": returns.max()!])
        return mean
    }

    // MARK: - Checkpoints and resume

    /// Writes the metrics, the episode table, the learning curves and then
    /// `checkpoints/state.json` with the loop's `state` (the loop writes its
    /// buffers and networks first; the state file names a complete checkpoint).
    func checkpoint<Loop: Codable>(_ state: Loop) throws {
        try checkDivergence()   // never checkpoint a diverged learner
        try writeRecords()
        try RunState(algorithm: config.algorithm.rawValue, steps: steps, episodes: episodeIndex,
                     episodeReturns: episodeReturns, episodeLengths: episodeLengths, elapsedSeconds: wallSeconds,
                     metricRecords: log.records.count, episodeRows: episodeTable.count, loop: state,
                     checksums: RunState<Loop>.checksums(in: directory)).write(to: directory)
        CheckpointGeneration(directory: directory).discard()
        checkpointSteps = steps
    }

    /// Reads the last checkpoint back (for `--resume`): the counters, the
    /// metrics and episode rows up to it, and the loop's state.
    func restore<Loop: Codable>(_ type: Loop.Type) throws -> Loop {
        // A write killed mid-way leaves its temporary file (`.name.tmp-UUID`); the file it was for is whole.
        for folder in [directory.url, directory.file("checkpoints")] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where name.contains(".tmp-") {
                try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
            }
        }
        try CheckpointGeneration(directory: directory).recover {
            guard let state = try? RunState<Loop>.read(from: directory) else { return false }
            return (try? state.verifyChecksums(in: directory)) != nil
        }
        let state = try RunState<Loop>.read(from: directory)
        try state.verifyChecksums(in: directory)
        guard state.algorithm == config.algorithm.rawValue else {
            throw ExperimentError.io(path: directory.file(RunState<Loop>.file).path,
                                     reason: "cannot resume: the state was written by algorithm \(state.algorithm), the config says \(config.algorithm.rawValue)")
        }
        let metrics = directory.file("metrics.jsonl")
        log = try MetricsLog(jsonLines: String(contentsOf: metrics, encoding: .utf8), file: metrics.path, limit: state.metricRecords)
        episodeTable = EpisodeTable(csv: try String(contentsOf: directory.file("episodes.csv"), encoding: .utf8),
                                    limit: state.episodeRows)
        (steps, episodeIndex, episodeReturns, episodeLengths) = (state.steps, state.episodes, state.episodeReturns, state.episodeLengths)
        elapsedBefore = state.elapsedSeconds
        checkpointSteps = state.steps
        progress.message("resuming \(directory.url.path) at step \(steps)")
        return state.loop
    }

    /// `metrics.jsonl`, `episodes.csv` and `learning_curve.svg`.
    func writeRecords() throws {
        try directory.write(log.jsonLines(), to: "metrics.jsonl")
        try directory.write(episodeTable.csv(), to: "episodes.csv")
        if let plot = learningCurve() { try directory.write(plot.svg(), to: "learning_curve.svg") }
    }

    /// Training and evaluation returns against environment steps (nil before any episode).
    func learningCurve() -> LinePlot? {
        var series: [LinePlot.Series] = []
        for (key, label) in [("train/episode_return", "train (episode return)"), ("eval/episode_return", "eval (mean return)")] {
            let points = log.records.compactMap { record in record.values[key].map { (Double(record.step), $0) } }
            if !points.isEmpty { series.append(LinePlot.Series(label: label, x: points.map(\.0), y: points.map(\.1))) }
        }
        guard !series.isEmpty else { return nil }
        return LinePlot(title: "\(config.name): \(config.algorithm.rawValue) on \(config.env.id), seed \(config.seed)",
                        xLabel: config.algorithm.isOffline ? "gradient steps" : "environment steps", yLabel: "return", series: series)
    }

    // MARK: - Summary

    /// Seconds of wall time over every process of the run.
    var wallSeconds: Double { elapsedBefore + Date().timeIntervalSince(started) }

    /// Writes the records and `summary.json` (with the loop's `extra` figures) and returns the summary.
    func finish(msPerAction: Double? = nil, extra: [String: Any] = [:]) throws -> RunSummary {
        try checkDivergence()
        progress.finish()
        let evaluations = log.records.compactMap { record in
            record.values["eval/episode_return"].map { RunSummary.Evaluation(steps: record.step, meanReturn: $0) }
        }
        let summary = RunSummary(runDirectory: directory.url.path, algorithm: config.algorithm.rawValue,
                                 episodeReturns: episodeReturns, evaluations: evaluations, totalSteps: steps,
                                 msPerAction: msPerAction, wallSeconds: wallSeconds)
        try writeRecords()
        var object: [String: Any] = [
            "algorithm": summary.algorithm,
            "episode_returns": episodeReturns,
            "final_return": episodeReturns.last ?? 0,
            "best_return": episodeReturns.max() ?? 0,
            "total_steps": steps,
            "wall_seconds": summary.wallSeconds,
            "eval_steps": evaluations.map(\.steps),
            "eval_returns": evaluations.map(\.meanReturn),
        ]
        if let last = evaluations.last { object["final_eval_return"] = last.meanReturn }
        if let best = evaluations.map(\.meanReturn).max() { object["best_eval_return"] = best }
        if let msPerAction { object["ms_per_action"] = msPerAction }
        object.merge(extra) { _, new in new }
        try directory.writeJSON(object, to: "summary.json")
        return summary
    }
}

/// What a step-budget loop (DQN, SAC) keeps in its checkpoints besides its
/// buffer and learner: the generator of its exploration and sampling, and the
/// step of its last checkpoint.
struct StepBudgetLoopState: Codable {
    var generator: SeededGenerator
    var lastCheckpoint: Int
}
