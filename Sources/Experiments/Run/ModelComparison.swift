import Environments
import Foundation
import Reports
import WorldModels

/// `mbrl eval-model` on a config with variants: every variant's world model
/// trained and measured on the **same data** (collected once from the seed,
/// exactly as a single `eval-model` run of that seed would), for one seed.
///
/// Writes one comparison directory `{env}__{name}__{seed}__{timestamp}/`:
///
/// - `{variant}/config.yaml` and `{variant}/evaluation.json` per variant
///   (written as each variant finishes, so a long comparison keeps its
///   finished variants if stopped);
/// - `comparison.md`: the table (`ModelComparisonReport.markdown()`);
/// - `observation_rmse.svg`: observation RMSE against k per variant (open loop);
/// - `run.json`: seed, command line, versions, variants and their backbones
///   (what `ModelComparisonReport(directory:)` reads back for `mbrl report`).
///
/// Every model is built before anything is written, so a variant that cannot
/// be built (bad sizes, an unavailable backbone) fails the command cleanly.
/// Variants may change the model (and the planner's settings, unused here) but
/// not what defines the data: `env`, `trial_length`, `evaluation`, `model.kind`.
public struct ModelComparison: Sendable {
    /// The seed of the shared data (and of every model's initialisation).
    public var seed: Int
    /// The comparison directory.
    public var directory: URL
    /// Each variant's result, in the sweep's order.
    public var results: [(variant: String, result: ModelEvaluationResult)]
    /// The table and plot.
    public var report: ModelComparisonReport
}

extension ExperimentSweep {
    /// Evaluates every variant of `seed` on one data set (see `ModelComparison`).
    /// `progress` receives a line as each variant starts (nil: silent).
    public func compareModels(seed: Int, options: RunOptions = RunOptions(), registry: EnvironmentRegistry = .builtin,
                              progress: ((String) -> Void)? = nil) throws -> ModelComparison {
        let started = Date()
        let runs = self.runs(seed: seed)
        guard let first = runs.first else {
            throw ExperimentError.failed("no run of \(file) has seed \(seed) (seeds: \(runSeeds.map(String.init).joined(separator: ", ")))")
        }
        // MARK: same data for every variant
        for run in runs.dropFirst() {
            let a = first.config, b = run.config
            let differing = [("env", a.env == b.env), ("trial_length", a.trialLength == b.trialLength),
                             ("evaluation", a.evaluation == b.evaluation), ("model.kind", a.model.kind == b.model.kind)]
                .filter { !$0.1 }.map(\.0)
            if !differing.isEmpty {
                throw ExperimentError.failed(
                    "\(file): variant '\(run.variant ?? "")' changes \(differing.joined(separator: ", ")) of variant '\(first.variant ?? "")'; "
                        + "eval-model trains every variant on the same data, so variants may change the model but not "
                        + "env, trial_length, evaluation or model.kind")
            }
        }
        let runners = runs.map { ExperimentRunner(config: $0.config, configFile: file, overrides: overrides, registry: registry) }
        let data = try runners[0].collectEvaluationData()
        let models = try runners.map { try $0.makeEvaluatedModel(for: data, options: options) }

        // MARK: directory, then each variant in turn
        let root = options.outputRoot ?? first.config.output.dir
        let name = RunDirectory.name(environment: first.config.env.id, experiment: self.name, seed: seed, date: started)
        let directory = try RunDirectory(url: URL(fileURLWithPath: root).appendingPathComponent(name))
        var record = try runners[0].runRecord(options: options, started: started)
        record["variants"] = runs.map { $0.variant ?? $0.config.model.backbone.rawValue }
        record["backbones"] = runs.map { $0.config.model.backbone.rawValue }
        record["config"] = nil
        try directory.writeJSON(record, to: "run.json")
        var results: [(variant: String, result: ModelEvaluationResult)] = []
        var rows: [ModelComparisonReport.Row] = []
        for (index, run) in runs.enumerated() {
            let variant = run.variant ?? run.config.model.backbone.rawValue
            progress?("[\(index + 1)/\(runs.count)] \(variant): training \(run.config.model.backbone.rawValue)")
            var (model, generator) = models[index]
            let result = try runners[index].measure(model, on: data, name: variant, using: &generator)
            do {
                try FileManager.default.createDirectory(at: directory.file(variant), withIntermediateDirectories: true)
            } catch {
                throw ExperimentError.io(path: directory.file(variant).path, reason: "could not create it: \(error.localizedDescription)")
            }
            try directory.write(run.config.renderedYAML(), to: "\(variant)/config.yaml")
            try directory.write(result.json(), to: "\(variant)/evaluation.json")
            results.append((variant, result))
            rows.append(Self.row(variant: variant, backbone: run.config.model.backbone.rawValue, result: result))
        }

        // MARK: report
        let report = ModelComparisonReport(title: "\(first.config.env.id), seed \(seed)", rows: rows)
        let evaluation = first.config.evaluation
        let setting = evaluation.kind == .openLoop
            ? "open loop: \(evaluation.trainSteps) random training steps, \(evaluation.episodes) held-out episodes, horizon \(evaluation.horizon)"
            : "memory probe: corridor \(evaluation.corridorLength), \(evaluation.trainEpisodes) training and \(evaluation.testEpisodes) test episodes"
        let plot = report.plot()
        if let plot { try directory.write(plot.svg(), to: "observation_rmse.svg") }
        try directory.write("# \(self.name): \(report.title)\n\n\(setting); every variant trained on the same data.\n\n"
                            + report.markdown() + (plot == nil ? "" : "\n![observation RMSE against k](observation_rmse.svg)\n"),
                            to: "comparison.md")
        return ModelComparison(seed: seed, directory: directory.url, results: results, report: report)
    }

    /// A report row of plain numbers.
    static func row(variant: String, backbone: String, result: ModelEvaluationResult) -> ModelComparisonReport.Row {
        switch result {
        case .openLoop(let e):
            return ModelComparisonReport.Row(variant: variant, backbone: backbone, parameters: e.parameterCount,
                                             observationRMSE: e.observationRMSE, rewardRMSE: e.rewardRMSE,
                                             trainStepsPerSecond: e.trainingStepsPerSecond,
                                             imaginationRowsPerSecond: e.imaginationRowStepsPerSecond)
        case .memoryProbe(let m):
            return ModelComparisonReport.Row(variant: variant, backbone: backbone, parameters: m.parameterCount,
                                             correct: m.correct, episodes: m.episodes, trainStepsPerSecond: m.trainingStepsPerSecond,
                                             corridorLength: m.corridorLength,
                                             trainSeconds: m.trainingStepsPerSecond.map { Double(m.trainingSteps) / max($0, 1e-9) })
        }
    }
}
