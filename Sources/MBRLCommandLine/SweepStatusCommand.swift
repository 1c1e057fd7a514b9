import ArgumentParser
import Experiments
import Foundation

/// `mbrl sweep status DIR`: the sweep's manifest as a table (id, state,
/// attempts, directory, error) and the number of runs in each state; for a
/// Slurm sweep also its recorded jobs and what `squeue` (tasks queued or
/// running) and `sacct` (finished tasks, where accounting is enabled) say.
struct SweepStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print a sweep directory's runs and their states (and its Slurm jobs' state)."
    )

    @Argument(help: "The sweep directory (holding manifest.json).")
    var directory: String

    func run() throws {
        guard let manifest = try SweepManifest.load(from: URL(fileURLWithPath: directory)) else {
            throw ValidationError("\(directory) holds no manifest.json: not a sweep directory")
        }
        print(manifest.statusTable(), terminator: "")
        if let jobs = manifest.slurmJobs, !jobs.isEmpty { print(slurmLines(manifest, jobs: jobs), terminator: "") }
    }

    /// The Slurm section: each job, then each queued or running array task with its run.
    func slurmLines(_ manifest: SweepManifest, jobs: [SweepManifest.SlurmJob]) -> String {
        var lines = jobs.map { job in
            "slurm job \(job.id): runs \(job.indices.map(String.init).joined(separator: ",")), submitted \(job.submitted)"
                + (job.cancelled.map { ", cancelled \($0)" } ?? "")
        }
        let ids = jobs.map(\.id)
        do {
            if SlurmClient.find("squeue") == nil {
                lines.append("squeue: not on PATH (the states above are the manifest's)")
            } else {
                let tasks = try SlurmClient.queued(ids)
                lines.append("squeue: " + (tasks.isEmpty ? "no task of these jobs queued or running" : "\(tasks.count) task(s) queued or running"))
                for (task, state) in tasks {
                    let index = task.split(separator: "_").dropFirst().first.flatMap { Int($0) }
                    let run = index.flatMap { manifest.runs.indices.contains($0) ? manifest.runs[$0].id : nil }
                    lines.append("  \(task)  \(state)" + (run.map { "  \($0)" } ?? ""))
                }
            }
        } catch {
            lines.append("squeue: \(error)".replacingOccurrences(of: "\n", with: " "))
        }
        if SlurmClient.find("sacct") != nil, let output = try? SlurmClient.run(["sacct", "-n", "-X", "-P", "-j", ids.joined(separator: ","), "-o", "JobID,State,ExitCode"]) {
            if output.status == 0 {
                let rows = output.stdout.split(separator: "\n").map { "  " + $0.replacingOccurrences(of: "|", with: "  ") }
                lines.append("sacct: \(rows.count) task(s)")
                lines += rows
            } else {
                lines.append("sacct: " + (output.stderr.split(separator: "\n").first.map(String.init) ?? "exit status \(output.status)"))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
