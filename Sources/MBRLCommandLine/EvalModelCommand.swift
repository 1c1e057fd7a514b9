import ArgumentParser
import Experiments
import Foundation
import Reports

/// `mbrl eval-model CONFIG [overrides]`: train the config's world model and
/// measure it as the config's `evaluation` section says (k-step open-loop
/// error on held-out random episodes, or the T-maze memory probe); with
/// `variants`, every variant's model on the same data, compared in a table.
struct EvalModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-model",
        abstract: "Train the config's world model(s) on the same data and measure them (open-loop error or memory probe).",
        discussion: """
        Examples (the same seed gives every backbone the same data):
          mbrl eval-model Configs/pets-cartpole.yaml model.backbone=mlp
          mbrl eval-model Configs/pets-cartpole.yaml model.backbone=gru model.train_steps=500
          mbrl eval-model Configs/compare-backbones-cartpole.yaml        # every variant, one table
          mbrl eval-model Configs/compare-backbones-memory.yaml variants.gru.model.train_steps=100
        Writes evaluation.json (open loop: k-step observation RMSE, reward RMSE, continuation
        accuracy; memory probe: reward-sign accuracy; parameters, throughput) to a new run
        directory; with variants, {variant}/evaluation.json, comparison.md and
        observation_rmse.svg in one comparison directory per seed.
        """
    )

    @Argument(help: "The config file (YAML).")
    var config: String

    @Argument(help: "Overrides, each key.path=value.")
    var overrides: [String] = []

    @Option(help: "Random-action steps to train on (sets evaluation.train_steps; open_loop).")
    var trainSteps: Int?

    @Option(help: "Held-out random episodes to evaluate on (sets evaluation.episodes; open_loop).")
    var episodes: Int?

    @Option(help: "Open-loop horizon H, errors for k = 1...H (sets evaluation.horizon; open_loop).")
    var horizon: Int?

    @Option(help: "Directory to create the run directory in (default: the config's output.dir).")
    var out: String?

    @Option(help: "Worker threads for the world model (default: all cores).")
    var threads: Int?

    @Flag(help: "No progress output.")
    var quiet = false

    @Option(help: .hidden)   // mbrl sweep: stop when this parent process is gone
    var parentPid: Int32?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    func run() throws {
        let options = [trainSteps.map { "evaluation.train_steps=\($0)" }, episodes.map { "evaluation.episodes=\($0)" },
                       horizon.map { "evaluation.horizon=\($0)" }].compactMap { $0 }
        let sweep = try ExperimentSweep.load(file: config, overrides: overrides + options)
        if !sweep.points.isEmpty {
            throw ValidationError("eval-model compares variants on the same data; \(config) has a sweep: section (grid/random points), "
                                  + "which `mbrl sweep --mode eval-model` runs, one comparison per point and seed (or remove it with the override sweep=)")
        }
        if let parentPid { ParentWatch.start(parent: parentPid, interruption: nil) }
        let runOptions = RunOptions(outputRoot: out, quiet: true, threads: threads)
        if sweep.variants.isEmpty {
            for run in sweep.runs {
                let runner = ExperimentRunner(config: run.config, configFile: config, overrides: overrides + options,
                                              registry: MBRLCommandLine.registry)
                let (result, directory) = try runner.evaluateModel(options: runOptions)
                Self.printResult(result, horizon: run.config.evaluation.horizon)
                print("evaluation: \(directory.path)/evaluation.json")
            }
            return
        }
        var reports: [ModelComparisonReport] = []
        for seed in sweep.runSeeds {
            let started = Date()
            let comparison = try sweep.compareModels(seed: seed, options: runOptions, registry: MBRLCommandLine.registry) { line in
                if !quiet { FileHandle.standardError.write(Data((line + "\n").utf8)) }
            }
            print("\(sweep.name): \(comparison.report.title), every variant on the same data")
            print(comparison.report.markdown(), terminator: "")
            print(String(format: "comparison: %@/comparison.md (%.1f s)", comparison.directory.path, Date().timeIntervalSince(started)))
            reports.append(comparison.report)
        }
        if reports.count > 1 {
            print("\nover seeds \(sweep.runSeeds.map(String.init).joined(separator: ", ")) (mean ± std; mbrl report DIRS... writes it with a plot)")
            print(try ModelComparisonSummary(comparisons: reports).markdown(), terminator: "")
        }
    }

    static func printResult(_ result: ModelEvaluationResult, horizon: Int) {
        switch result {
        case .openLoop(let evaluation):
            print("model: \(evaluation.name), \(evaluation.parameterCount) parameters, \(evaluation.episodes) held-out episodes")
            print("k\tobservation RMSE\treward RMSE")
            for k in Set([1, 5, 15, horizon]).sorted() where k <= evaluation.observationRMSE.count {
                let reward = k <= evaluation.rewardRMSE.count ? String(format: "%.4f", evaluation.rewardRMSE[k - 1]) : "-"
                print(String(format: "%d\t%.4f\t%@", k, evaluation.observationRMSE[k - 1], reward))
            }
        case .memoryProbe(let probe):
            print("model: \(probe.name), \(probe.parameterCount) parameters, T-maze corridor \(probe.corridorLength)")
            print(String(format: "reward-sign accuracy: %.3f (%d/%d test episodes; chance 0.5)", probe.accuracy, probe.correct, probe.episodes))
        }
    }
}
