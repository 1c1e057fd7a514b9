import ArgumentParser

/// The `mbrl` command-line tool: a thin layer over the Experiments and
/// BenchmarkSuite targets.
@main
struct MBRL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mbrl",
        abstract: "Model-based reinforcement learning: environments, world models, planners.",
        version: "0.1.0",
        subcommands: [EnvCommand.self, BenchCommand.self, ReportCommand.self]
    )
}
