import ArgumentParser
import Experiments
import Foundation

/// `mbrl run CONFIG [key.path=value ...]`: run an experiment from a config file.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run an experiment from a YAML config, with key.path=value overrides.",
        discussion: """
        Examples:
          mbrl run Configs/quickstart.yaml
          mbrl run Configs/pets-cartpole.yaml seed=1 planner.particles=5
          mbrl run Configs/pets-pendulum.yaml --dry-run
          mbrl run Configs/compare-backbones-cartpole.yaml      # one run per variant (and seed)
          mbrl run --resume runs/ContinuousCartPole-v0__pets-cartpole__0__20261125-163530-901
        Writes runs/{env}__{experiment}__{seed}__{timestamp}/ (config.yaml, run.json,
        metrics.jsonl, episodes.csv, summary.json, checkpoints/). A config with variants,
        seeds or a sweep: section runs each (variant x point x seed) in turn, named
        {experiment}-{variant}[-p{point}]; `mbrl sweep` runs them in parallel workers.
        """
    )

    @Argument(help: "The config file (YAML); omit it with --resume.")
    var config: String?

    @Argument(help: "Overrides, each key.path=value (e.g. seed=3 planner.population=100).")
    var overrides: [String] = []

    @Option(help: ArgumentHelp("Continue a run directory after its last completed trial, with its own config.yaml.",
                               valueName: "run-directory"))
    var resume: String?

    @Flag(help: "Print the resolved config and exit without running.")
    var dryRun = false

    @Flag(help: "No progress output.")
    var quiet = false

    @Option(help: "Directory to create the run directory in (default: the config's output.dir).")
    var out: String?

    @Option(help: "Worker threads for the world model (default: all cores). Use 1 per run when running several at once.")
    var threads: Int?

    @Option(help: .hidden)   // mbrl sweep: write the run into exactly this directory
    var runDirectory: String?

    @Option(help: .hidden)   // mbrl sweep: stop when this parent process is gone
    var parentPid: Int32?

    func validate() throws {
        if runDirectory != nil && (resume != nil || out != nil) {
            throw ValidationError("--run-directory names the run's directory: give neither --resume nor --out with it")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if resume == nil && config == nil { throw ValidationError("give a config file, or --resume with a run directory") }
        if resume != nil && (config != nil || !overrides.isEmpty) {
            throw ValidationError("--resume continues a run with its own config.yaml: give no config file and no overrides")
        }
    }

    func run() throws {
        let file = config ?? URL(fileURLWithPath: resume!).appendingPathComponent("config.yaml").path
        let sweep = try ExperimentSweep.load(file: file, overrides: overrides)
        let registry = MBRLCommandLine.registry
        if dryRun {
            // Everything a run checks before it writes: the environment is made (and closed), the
            // learner and model built; an error exits non-zero naming the file and key.
            for (index, run) in sweep.runs.enumerated() {
                try ExperimentRunner(config: run.config, configFile: file, overrides: overrides, variant: run.variant,
                                     registry: registry).validate(options: RunOptions(threads: threads))
                if sweep.isSweep {
                    let point = run.point.map { ", point p\($0): " + sweep.points[$0].assignments.joined(separator: " ") } ?? ""
                    print((index > 0 ? "---\n" : "") + "# variant: \(run.variant ?? "-"), seed: \(run.config.seed)" + point)
                }
                print(try run.config.renderedYAML(), terminator: "")
            }
            return
        }
        if resume != nil && sweep.isSweep {
            throw ValidationError("--resume continues one run; \(file) defines variants or seeds")
        }
        if runDirectory != nil && sweep.runs.count > 1 {
            throw ValidationError("--run-directory writes one run; \(file) defines \(sweep.runs.count)")
        }
        let interruption = RunInterruption()
        if let parentPid { ParentWatch.start(parent: parentPid, interruption: interruption) }
        let signals = SignalHandlers(interruption: interruption)
        defer { withExtendedLifetime(signals) {} }
        for run in sweep.runs {
            if sweep.isSweep { print("== \(run.config.name), seed \(run.config.seed)") }
            let runner = ExperimentRunner(config: run.config, configFile: file, overrides: overrides, variant: run.variant,
                                          registry: registry)
            var options = RunOptions(outputRoot: out, resumeDirectory: resume, quiet: quiet, threads: threads,
                                     interruption: interruption)
            options.runDirectory = runDirectory
            do {
                let summary = try runner.run(options: options)
                print(Self.describe(summary))
            } catch let stop as RunInterrupted {
                FileHandle.standardError.write(Data((stop.description + "\n").utf8))
                throw ExitCode(130)
            } catch let diverged as RunDiverged {
                FileHandle.standardError.write(Data(("error: " + diverged.description + "\n").utf8))
                throw ExitCode(3)
            }
        }
    }

    /// The lines `mbrl run` prints for a finished run.
    static func describe(_ summary: RunSummary) -> String {
        func list(_ values: [Double]) -> String { "[" + values.map { String(format: "%.1f", $0) }.joined(separator: ", ") + "]" }
        var lines: [String] = []
        if summary.algorithm == "pets" {
            lines.append("returns by trial: \(list(summary.trialReturns))")
            lines.append(String(format: "%.1f ms per action, %d steps, %.1f s", summary.msPerAction ?? 0, summary.totalSteps, summary.wallSeconds))
        } else if summary.episodeReturns.isEmpty {
            lines.append(String(format: "%d steps, %.1f s", summary.totalSteps, summary.wallSeconds))
        } else {
            let returns = summary.episodeReturns
            let last = returns.suffix(10)
            lines.append("\(returns.count) episodes; returns of the last \(last.count): \(list(Array(last)))")
            lines.append(String(format: "%d steps, %.1f s", summary.totalSteps, summary.wallSeconds))
        }
        if !summary.evaluations.isEmpty {
            let points = summary.evaluations.map { String(format: "%d: %.1f", $0.steps, $0.meanReturn) }
            lines.append("eval returns by step: [\(points.joined(separator: ", "))]")
        }
        lines.append("run directory: \(summary.runDirectory)")
        return lines.joined(separator: "\n")
    }
}
