import ArgumentParser

/// `mbrl sweep`: run a config's (variant × point × seed) runs in parallel
/// worker processes (`SweepRunCommand`, the default), or show a sweep
/// directory's manifest (`SweepStatusCommand`).
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a config's variants x sweep points x seeds in parallel worker processes; resumable.",
        subcommands: [SweepRunCommand.self, SweepStatusCommand.self],
        defaultSubcommand: SweepRunCommand.self
    )
}
