import Foundation

/// The batch script of a Slurm sweep (`DIR/slurm.sh`): `#SBATCH` lines for
/// the job array — one task per given manifest index, at most `maxParallel`
/// at once (`%K`), output to `DIR/logs/slurm-%A_%a.out`, started in `DIR` —
/// and one command, `mbrl sweep task DIR`, which runs the run whose index is
/// `SLURM_ARRAY_TASK_ID`. Every path is absolute.
struct SlurmScript {
    var executable: URL
    var directory: URL
    var jobName: String
    /// The manifest indices to run, ascending.
    var indices: [Int]
    var options: SlurmOptions
    /// The runs in the manifest, and a line saying what the sweep is (a comment of the script).
    var runCount: Int
    var description: String

    /// `--array` of `indices`: consecutive ones as ranges (`0-3,5,7-8`), then `%K`.
    var arraySpec: String {
        var parts: [String] = []
        var start = 0
        while start < indices.count {
            var end = start
            while end + 1 < indices.count && indices[end + 1] == indices[end] + 1 { end += 1 }
            parts.append(end == start ? String(indices[start]) : "\(indices[start])-\(indices[end])")
            start = end + 1
        }
        return parts.joined(separator: ",") + (options.maxParallel.map { "%\($0)" } ?? "")
    }

    /// The script's text.
    var text: String {
        var lines = ["#!/bin/bash",
                     "# \(description)",
                     "# One array task per run of manifest.json (\(indices.count) of its \(runCount) runs): each runs the run whose",
                     "# index is SLURM_ARRAY_TASK_ID with SLURM_CPUS_PER_TASK threads, writing into this sweep directory.",
                     "# Written by mbrl sweep --launcher slurm; rerun that command to submit the runs not finished.",
                     "#SBATCH --job-name=\(jobName)",
                     "#SBATCH --array=\(arraySpec)",
                     "#SBATCH --cpus-per-task=\(options.cpus)"]
        if let partition = options.partition { lines.append("#SBATCH --partition=\(partition)") }
        if let time = options.time { lines.append("#SBATCH --time=\(time)") }
        if let mem = options.mem { lines.append("#SBATCH --mem=\(mem)") }
        lines.append("#SBATCH --chdir=\(directory.path)")
        lines.append("#SBATCH --output=\(directory.appendingPathComponent("logs").path)/slurm-%A_%a.out")
        lines += options.sbatchArg.map { "#SBATCH \($0)" }
        lines.append("export OPENBLAS_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}")
        lines.append("exec \(Self.shellQuoted(executable.path)) sweep task \(Self.shellQuoted(directory.path))")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The defaults and choices, printed before submission.
    var settings: String {
        let limit = options.maxParallel.map { "at most \($0) at once" } ?? "no limit on runs at once (--max-parallel K sets one)"
        return "slurm: array \(arraySpec) (\(indices.count) runs, \(limit)); "
            + "partition \(options.partition ?? "(the cluster's default)"), time \(options.time ?? "(the partition's default)"), "
            + "\(options.cpus) CPU(s) per run\(options.cpusPerTask == nil ? " (default)" : ""), mem \(options.mem ?? "(the partition's default)")"
            + (options.sbatchArg.isEmpty ? "" : ", extra: \(options.sbatchArg.joined(separator: " "))")
    }

    /// `text` quoted for a POSIX shell when it holds anything but `[A-Za-z0-9_./=:,%+-]`.
    static func shellQuoted(_ text: String) -> String {
        let plain = !text.isEmpty && text.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) && $0.isASCII || "_./=:,%+-@".unicodeScalars.contains($0)
        }
        return plain ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
