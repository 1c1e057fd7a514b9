import ArgumentParser
import Environments
import Experiments

/// The `mbrl` command-line tool: a thin layer over the Experiments and
/// BenchmarkSuite targets. `MBRLCommandLine.main(registry:)` runs it over any
/// environment registry, so a user's package gets every command with its own
/// environments added.
public struct MBRLCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mbrl",
        abstract: "Model-based reinforcement learning: environments, world models, planners.",
        version: MBRLVersion.string,
        subcommands: [RunCommand.self, SweepCommand.self, EvalModelCommand.self, EnvCommand.self, ReportCommand.self, BenchCommand.self, DatasetCommand.self]
    )

    public init() {}
}
