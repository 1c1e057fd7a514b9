import ArgumentParser

/// `mbrl sweep`: run a config's (variant × point × seed) runs in parallel
/// worker processes or as a Slurm job array (`SweepRunCommand`, the default),
/// show a sweep directory's manifest (`SweepStatusCommand`), cancel its Slurm
/// jobs (`SweepCancelCommand`); `SweepTaskCommand` is the hidden array task.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a config's variants x sweep points x seeds in parallel worker processes or on Slurm; resumable.",
        subcommands: [SweepRunCommand.self, SweepStatusCommand.self, SweepCancelCommand.self, SweepTaskCommand.self],
        defaultSubcommand: SweepRunCommand.self
    )
}
