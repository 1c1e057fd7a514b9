import ArgumentParser
import Environments
import Experiments
import Foundation

/// Which environment `mbrl env check` and `env bench` work on, given the way
/// a config gives it: an id with settings, or a config file's `env` section.
///
/// ```
/// mbrl env check Pendulum-v1 --settings g=9.81 max_episode_steps=50
/// mbrl env check External-v0 --settings command='python3 my_env.py'
/// mbrl env check --config my.yaml env.settings.g=3.7
/// ```
///
/// Settings are read as config values are (`env.settings.KEY=value`
/// overrides), so a wrong key or type is the same error a run would give,
/// and ids resolve in the registry of the running tool (yours, with
/// `MBRLCommandLine.main(registry:)`).
struct EnvironmentSelection: ParsableArguments {
    @Argument(help: ArgumentHelp(
        "Environment id (see `mbrl env list`), then key.path=value overrides (env.settings.KEY=value); with --config only overrides.",
        valueName: "id-and-overrides"))
    var arguments: [String] = []

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Environment settings, each key=value (as env.settings in a config).",
                                                          valueName: "key=value"))
    var settings: [String] = []

    @Option(help: ArgumentHelp("A config file: check its env section (id, settings, max_episode_steps).", valueName: "file"))
    var config: String?

    /// The environment to work on: its id, how to name it, and a factory for fresh copies.
    struct Selected {
        var id: String
        var name: String
        var make: () throws -> any Environment
    }

    func validate() throws {
        if config == nil && (arguments.first.map { $0.contains("=") } ?? true) {
            throw ValidationError("give an environment id (see `mbrl env list`) or --config FILE")
        }
        for setting in settings where !setting.contains("=") {
            throw ValidationError("--settings takes key=value pairs, got '\(setting)'")
        }
    }

    /// Resolves the id and settings as a config would and makes the environment
    /// once, so that a bad id or setting is an error here (naming the key and
    /// where it was set) rather than a failed check.
    func resolve() throws -> Selected {
        var overrides: [String]
        let sweep: ExperimentSweep
        if let config {
            overrides = settings.map { "env.settings." + $0 } + arguments
            sweep = try ExperimentSweep.load(file: config, overrides: overrides)
        } else {
            overrides = ["env.id=" + arguments[0]] + settings.map { "env.settings." + $0 } + arguments.dropFirst()
            sweep = try ExperimentSweep.decode(yaml: "{}", file: "<command line>", overrides: overrides)
        }
        let run = sweep.runs[0]
        let runner = ExperimentRunner(config: run.config, configFile: config, overrides: overrides, variant: run.variant,
                                      registry: MBRLCommandLine.registry)
        let env = run.config.env
        let make = { try runner.makeEnvironment() }
        _ = try make()
        let described = env.settings.keys.sorted().map { "\($0)=\(env.settings[$0]!)" }
        return Selected(id: env.id, name: described.isEmpty ? env.id : "\(env.id) (\(described.joined(separator: ", ")))",
                        make: make)
    }
}
