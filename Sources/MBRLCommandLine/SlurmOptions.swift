import ArgumentParser
import Foundation

/// The options of `mbrl sweep --launcher slurm`: what goes into the job
/// array's `#SBATCH` lines. Unset ones are left to the cluster's defaults.
struct SlurmOptions: ParsableArguments {
    @Option(help: "Slurm partition (default: the cluster's default partition).")
    var partition: String?

    @Option(help: ArgumentHelp("Time limit per run, e.g. 02:00:00 or 1-00:00:00 (default: the partition's).", valueName: "HH:MM:SS"))
    var time: String?

    @Option(help: "CPUs per run; each run uses that many BLAS and model threads (default: 1).")
    var cpusPerTask: Int?

    @Option(help: ArgumentHelp("Memory per run, e.g. 4G (default: the partition's).", valueName: "M"))
    var mem: String?

    @Option(help: ArgumentHelp("At most K runs at once (the array's %K; default: no limit).", valueName: "K"))
    var maxParallel: Int?

    @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("An extra sbatch option for the script, e.g. --sbatch-arg=--account=rl (repeatable).",
                                                        valueName: "arg"))
    var sbatchArg: [String] = []

    @Flag(help: "Print the job script and the sbatch command without submitting anything.")
    var dryRun = false

    /// The Slurm options given on the command line (to refuse them with the local launcher).
    var given: [String] {
        var names: [String] = []
        if partition != nil { names.append("--partition") }
        if time != nil { names.append("--time") }
        if cpusPerTask != nil { names.append("--cpus-per-task") }
        if mem != nil { names.append("--mem") }
        if maxParallel != nil { names.append("--max-parallel") }
        if !sbatchArg.isEmpty { names.append("--sbatch-arg") }
        if dryRun { names.append("--dry-run") }
        return names
    }

    /// Checks the values before anything is written or submitted.
    func check() throws {
        if let maxParallel, maxParallel < 1 {
            throw ValidationError("--max-parallel must be at least 1 (runs at once), got \(maxParallel)")
        }
        if let cpusPerTask, cpusPerTask < 1 { throw ValidationError("--cpus-per-task must be at least 1, got \(cpusPerTask)") }
        if let time, !Self.isSlurmTime(time) {
            throw ValidationError("--time '\(time)' is not a Slurm time limit: expected MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS")
        }
        if let mem, mem.range(of: "^[0-9]+[KMGT]?$", options: .regularExpression) == nil {
            throw ValidationError("--mem '\(mem)' is not a Slurm memory size: expected a number with an optional K, M, G or T suffix, e.g. 4G")
        }
        if let partition, partition.isEmpty || partition.contains(where: { $0.isWhitespace }) {
            throw ValidationError("--partition '\(partition)' is not a partition name")
        }
        for argument in sbatchArg where !argument.hasPrefix("-") || argument.contains("\n") {
            throw ValidationError("--sbatch-arg '\(argument)' is not an sbatch option (expected e.g. --account=rl, one option per --sbatch-arg)")
        }
    }

    /// Slurm's time formats: `M`, `M:S`, `H:M:S`, `D-H`, `D-H:M`, `D-H:M:S`.
    static func isSlurmTime(_ text: String) -> Bool {
        text.range(of: "^([0-9]+(:[0-9]{1,2}){0,2}|[0-9]+-[0-9]{1,2}(:[0-9]{1,2}){0,2})$", options: .regularExpression) != nil
    }

    /// The CPUs per run (the threads of each run).
    var cpus: Int { cpusPerTask ?? 1 }
}
