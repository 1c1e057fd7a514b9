import ArgumentParser
import Experiments
import Foundation

/// `mbrl sweep task DIR [--index I]` (hidden): one array task of a Slurm
/// sweep. Runs the manifest's run `I` (default: `SLURM_ARRAY_TASK_ID`) as one
/// worker (`SweepJob.prepare`, `SweepWorker`: a run with a checkpoint
/// resumes) with `SLURM_CPUS_PER_TASK` threads, recording its state in the
/// shared manifest under the manifest lock. A run already done exits 0 at
/// once; a run another process holds (`locks/<id>.lock`) is refused; SIGTERM
/// (`scancel`) stops the run between two steps and leaves it pending.
struct SweepTaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task",
        abstract: "Run one run of a sweep directory's manifest (a Slurm array task).",
        shouldDisplay: false
    )

    @Argument(help: "The sweep directory (holding manifest.json).")
    var directory: String

    @Option(help: "The run's index in the manifest (default: SLURM_ARRAY_TASK_ID).")
    var index: Int?

    @Option(help: "Threads of the run (default: SLURM_CPUS_PER_TASK, else 1).")
    var threads: Int?

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let index = index ?? environment["SLURM_ARRAY_TASK_ID"].flatMap({ Int($0) }) else {
            throw ValidationError("give --index I, or run as a Slurm array task (SLURM_ARRAY_TASK_ID is not set)")
        }
        let threads = max(1, self.threads ?? environment["SLURM_CPUS_PER_TASK"].flatMap { Int($0) } ?? 1)
        let directory = URL(fileURLWithPath: self.directory).standardizedFileURL
        guard let manifest = try SweepManifest.load(from: directory) else {
            throw ValidationError("\(directory.path) holds no manifest.json: not a sweep directory")
        }
        guard manifest.runs.indices.contains(index) else {
            throw ValidationError("index \(index) is not a run of \(SweepManifest.url(in: directory).path) (it has runs 0-\(manifest.runs.count - 1))")
        }
        let job = try SweepJob(manifest: manifest, directory: directory)
        let id = manifest.runs[index].id
        let runLock = try SweepLock(run: id, in: directory)
        defer { withExtendedLifetime(runLock) {} }
        let task = environment["SLURM_ARRAY_JOB_ID"].map { "\($0)_\(index)" } ?? environment["SLURM_JOB_ID"]

        // MARK: claim the run, unless it is done
        let claimed: SweepManifest.Run? = try SweepManifest.update(in: directory) { manifest in
            var entry = manifest.runs[index]
            let summary = directory.appendingPathComponent(entry.directory).appendingPathComponent("summary.json")
            if entry.state == .done || (manifest.mode == "run" && FileManager.default.fileExists(atPath: summary.path)) {
                entry.state = .done
                entry.error = nil
                manifest.runs[index] = entry
                return nil
            }
            entry.state = .running
            entry.attempts += 1
            entry.started = SweepManifest.timestamp()
            entry.finished = nil
            entry.pid = nil
            entry.slurmTask = task
            manifest.runs[index] = entry
            return entry
        }
        guard let entry = claimed else {
            print("\(id): done already; nothing to run")
            return
        }

        // MARK: run it
        let signals = SweepSignals(forwardDelay: 3)
        let wake = signals.wake
        let worker: SweepWorker
        do {
            let arguments = try job.prepare(entry, directory: directory, threads: threads)
            worker = try SweepWorker.start(index: index, id: id, arguments: arguments, threads: threads,
                                           logs: directory.appendingPathComponent("logs")) { wake.signal() }
        } catch {
            try record(index, in: directory) { $0.state = .failed; $0.error = "could not start its worker: \(error)" }
            throw ValidationError("\(id): could not start its worker: \(error)")
        }
        print("\(id): running (index \(index), \(threads) thread(s), pid \(worker.process.processIdentifier))")
        fflush(stdout)
        signals.add(worker.process.processIdentifier)
        while worker.process.isRunning { _ = wake.wait(timeout: .now() + 0.5) }
        worker.process.waitUntilExit()
        signals.remove(worker.process.processIdentifier)

        // MARK: the outcome
        if worker.process.terminationReason == .exit && worker.process.terminationStatus == 0 {
            try record(index, in: directory) { $0.state = .done; $0.error = nil }
            print("\(id): done")
        } else if let name = signals.stopped {
            try record(index, in: directory) { $0.state = .pending; $0.error = "stopped by \(name) to its Slurm task (\(worker.failure(lines: 0)))" }
            FileHandle.standardError.write(Data("\(id): stopped by \(name); resubmit the sweep to continue it from its checkpoint\n".utf8))
            throw ExitCode(130)
        } else {
            let failure = worker.failure()
            try record(index, in: directory) { $0.state = .failed; $0.error = failure }
            FileHandle.standardError.write(Data("\(id): FAILED (\(failure.replacingOccurrences(of: "\n", with: ": ")))\n".utf8))
            throw ExitCode(1)
        }
    }

    /// Records the end of run `index` in the manifest: its finish time and what `change` sets.
    func record(_ index: Int, in directory: URL, _ change: (inout SweepManifest.Run) -> Void) throws {
        try SweepManifest.update(in: directory) { manifest in
            manifest.runs[index].finished = SweepManifest.timestamp()
            change(&manifest.runs[index])
        }
    }
}
