import ArgumentParser
import Experiments
import Foundation

/// `mbrl sweep cancel DIR`: `scancel`s the Slurm jobs the manifest records
/// that are still queued or running, waits for their tasks to stop (each
/// stops its run between two steps, resumable from its checkpoint) and marks
/// every run not done as pending, so that the same `mbrl sweep --launcher
/// slurm` command submits exactly those again.
struct SweepCancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a Slurm sweep's jobs (scancel); rerun the sweep command to submit the runs not finished."
    )

    @Argument(help: "The sweep directory (holding manifest.json).")
    var directory: String

    @Option(help: "Seconds to wait for the cancelled tasks to stop.")
    var wait = 120

    func run() throws {
        let directory = URL(fileURLWithPath: self.directory).standardizedFileURL
        guard let manifest = try SweepManifest.load(from: directory) else {
            throw ValidationError("\(directory.path) holds no manifest.json: not a sweep directory")
        }
        let recorded = (manifest.slurmJobs ?? []).map(\.id)
        guard !recorded.isEmpty else {
            throw ValidationError("\(SweepManifest.url(in: directory).path) records no Slurm job (a local sweep stops with Ctrl-C or SIGTERM)")
        }
        let active = Set(try SlurmClient.queued(recorded).map { Self.jobID(of: $0.task) })
        let cancelled = recorded.filter(active.contains)
        if cancelled.isEmpty {
            print("no Slurm job of the sweep is queued or running (recorded: \(recorded.joined(separator: ", ")))")
        } else {
            _ = try SlurmClient.check(["scancel"] + cancelled)
            print("scancel \(cancelled.joined(separator: " ")): waiting for the tasks to stop")
            fflush(stdout)
            let deadline = Date().addingTimeInterval(TimeInterval(wait))
            while !(try SlurmClient.queued(cancelled)).isEmpty {
                guard Date() < deadline else {
                    FileHandle.standardError.write(Data("tasks of job(s) \(cancelled.joined(separator: ", ")) still in squeue after \(wait) s; marking their runs pending anyway\n".utf8))
                    break
                }
                usleep(250_000)
            }
        }
        let counts = try SweepManifest.update(in: directory) { manifest -> [SweepManifest.State: Int] in
            let now = SweepManifest.timestamp()
            for index in manifest.slurmJobs!.indices where cancelled.contains(manifest.slurmJobs![index].id) {
                manifest.slurmJobs![index].cancelled = now
            }
            for index in manifest.runs.indices where [.pending, .running].contains(manifest.runs[index].state) {
                let summary = directory.appendingPathComponent(manifest.runs[index].directory).appendingPathComponent("summary.json")
                if manifest.mode == "run" && FileManager.default.fileExists(atPath: summary.path) {
                    manifest.runs[index].state = .done   // it finished as the job was cancelled
                    manifest.runs[index].error = nil
                } else if manifest.runs[index].state == .running || manifest.runs[index].error == nil {
                    manifest.runs[index].state = .pending
                    manifest.runs[index].error = "cancelled by mbrl sweep cancel" + (cancelled.isEmpty ? "" : " (job \(cancelled.joined(separator: ", ")))")
                }
            }
            return manifest.counts
        }
        let left = (counts[.pending] ?? 0) + (counts[.failed] ?? 0)
        print("sweep \(directory.path): " + SweepManifest.State.allCases.map { "\($0.rawValue) \(counts[$0] ?? 0)" }.joined(separator: ", ")
              + (left == 0 ? "" : "; rerun the sweep command to submit the \(left) run(s) not done"))
    }

    /// `123` of `123_4` or `123_[5-7%2]`.
    static func jobID(of task: String) -> String { task.split(separator: "_").first.map(String.init) ?? task }
}
