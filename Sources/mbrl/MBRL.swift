import ArgumentParser
import Experiments

/// The `mbrl` command-line tool: a thin layer over the Experiments and
/// BenchmarkSuite targets.
@main
struct MBRL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mbrl",
        abstract: "Model-based reinforcement learning: environments, world models, planners.",
        version: MBRLVersion.string,
        subcommands: [RunCommand.self, EvalModelCommand.self, EnvCommand.self, ReportCommand.self, BenchCommand.self, DatasetCommand.self]
    )
}
