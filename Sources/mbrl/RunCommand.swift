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
        Writes runs/{env}__{experiment}__{seed}__{timestamp}/ (config.yaml, run.json,
        metrics.jsonl, episodes.csv, summary.json, checkpoints/).
        """
    )

    @Argument(help: "The config file (YAML).")
    var config: String

    @Argument(help: "Overrides, each key.path=value (e.g. seed=3 planner.population=100).")
    var overrides: [String] = []

    @Flag(help: "Print the resolved config and exit without running.")
    var dryRun = false

    @Flag(help: "No progress output.")
    var quiet = false

    @Option(help: "Directory to create the run directory in (default: the config's output.dir).")
    var out: String?

    func run() throws {
        let experiment = try ConfigLoader.load(ExperimentConfig.self, file: config, overrides: overrides)
        if dryRun {
            print(try experiment.renderedYAML(), terminator: "")
            return
        }
        let runner = ExperimentRunner(config: experiment, configFile: config, overrides: overrides)
        let summary = try runner.run(options: RunOptions(outputRoot: out, quiet: quiet))
        let returns = summary.trialReturns.map { String(format: "%.1f", $0) }.joined(separator: ", ")
        print("returns by trial: [\(returns)]")
        print(String(format: "%.1f ms per action, %d steps, %.1f s", summary.msPerAction, summary.totalSteps, summary.wallSeconds))
        print("run directory: \(summary.runDirectory)")
    }
}
