import ArgumentParser
import Experiments
import Foundation

/// `mbrl sweep CONFIG [overrides] --workers N [--out DIR] [--mode run|eval-model]`:
/// every run of the config (`ExperimentSweep`: variant × sweep point × seed)
/// in up to N worker processes of this executable, each given `--threads T`
/// and `OPENBLAS_NUM_THREADS=T` with T = max(1, cores / N).
///
/// The sweep directory holds `manifest.json` (`SweepManifest`), `runs/<id>/`
/// (mode run: one run directory each, its resolved `config.yaml` written
/// first; mode eval-model: one output directory per seed, or per sweep point and seed) and `logs/`.
/// Rerunning the same command skips done runs, resumes half-finished ones
/// from their checkpoints and retries the rest; `sweep.lock` keeps a second
/// sweep out of the directory. `--launcher slurm` submits the unfinished runs
/// as one Slurm job array instead (`SlurmSubmission`) and returns.
struct SweepRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a sweep (the default subcommand: mbrl sweep CONFIG ...).",
        discussion: """
        Examples:
          mbrl sweep Configs/dyna-maze.yaml --workers 2 --out runs/dyna-sweep
          mbrl sweep status runs/dyna-sweep
          mbrl sweep Configs/dyna-maze.yaml --launcher slurm --time 01:00:00 --max-parallel 8
          mbrl sweep cancel runs/sweep-dyna-maze
        Runs every (variant x sweep point x seed) of the config as its own worker process;
        a failed run does not stop the others (the sweep exits 1 at the end, naming them).
        Rerun the same command to continue after a crash, a kill or Ctrl-C.
        --launcher slurm writes DIR/slurm.sh (one array task per unfinished run),
        submits it with sbatch --parsable, records the job id in the manifest and
        returns; rerun the same command to submit the runs not finished. The mbrl
        executable and the sweep directory must be on a filesystem the nodes share.
        """
    )

    @Argument(help: "The config file (YAML).")
    var config: String

    @Argument(help: "Overrides, each key.path=value.")
    var overrides: [String] = []

    @Option(help: "Worker processes (default: sweep.workers, else the number of active processors).")
    var workers: Int?

    @Option(help: "The sweep directory (default: {output.dir}/sweep-{name}).")
    var out: String?

    @Option(help: "run: one `mbrl run` per run; eval-model: one `mbrl eval-model` (every variant on the same data) per seed, or per sweep point and seed.")
    var mode: SweepJob.Mode = .run

    @Option(help: "local: worker processes on this machine; slurm: one Slurm job array (the Slurm options).")
    var launcher: Launcher = .local

    @OptionGroup(title: "Slurm (--launcher slurm)")
    var slurm: SlurmOptions

    @Flag(help: "No progress lines.")
    var quiet = false

    /// Where the runs run.
    enum Launcher: String, ExpressibleByArgument, CaseIterable {
        case local, slurm
    }

    func validate() throws {
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1, got \(workers)") }
        switch launcher {
        case .local:
            if let option = slurm.given.first { throw ValidationError("\(option) applies to --launcher slurm (the local launcher takes --workers)") }
        case .slurm:
            if workers != nil { throw ValidationError("--workers applies to the local launcher; with --launcher slurm use --max-parallel") }
            try slurm.check()
        }
    }

    func run() throws {
        let job = try SweepJob(config: config, overrides: overrides, mode: mode)
        let directory = URL(fileURLWithPath: out ?? job.defaultDirectory).standardizedFileURL
        if launcher == .slurm {
            try SlurmSubmission(job: job, directory: directory, options: slurm, quiet: quiet).run()
            return
        }
        let sweep = job.sweep
        let workerCount = workers ?? sweep.workers ?? ProcessInfo.processInfo.activeProcessorCount
        let threads = max(1, ProcessInfo.processInfo.activeProcessorCount / workerCount)
        try SweepJob.createDirectory(directory)
        let lock = try SweepLock(directory: directory)
        defer { withExtendedLifetime(lock) {} }

        // MARK: the manifest: this command's, or the one a previous run of it left
        var manifest = try job.manifest(in: directory)
        try SlurmClient.refuseActiveJobs(of: manifest, in: directory)
        for index in manifest.runs.indices where manifest.runs[index].state == .running && manifest.runs[index].slurmTask == nil {
            try waitForEarlierWorker(of: manifest.runs[index], in: directory)
        }
        let signals = SweepSignals()
        var queue = manifest.settleUnfinished(in: directory)
        try manifest.save(in: directory)
        let skipped = manifest.runs.count - queue.count
        progress("sweep \(directory.path): \(manifest.runs.count) runs (\(skipped) done), \(workerCount) workers x \(threads) threads")

        // MARK: run the queue
        var running: [SweepWorker] = []
        var finishedCount = skipped
        while true {
            while signals.stopped == nil && running.count < workerCount && !queue.isEmpty {
                let index = queue.removeFirst()
                let entry = manifest.runs[index]
                let wake = signals.wake
                manifest.runs[index].attempts += 1
                let worker: SweepWorker
                do {
                    let arguments = try job.prepare(entry, directory: directory, threads: threads)
                    worker = try SweepWorker.start(index: index, id: entry.id, arguments: arguments, threads: threads,
                                                   logs: directory.appendingPathComponent("logs")) { wake.signal() }
                } catch {
                    manifest.runs[index].state = .failed
                    manifest.runs[index].error = "could not start its worker: \(error)"
                    manifest.runs[index].finished = SweepManifest.timestamp()
                    finishedCount += 1
                    progress("[\(finishedCount)/\(manifest.runs.count)] \(entry.id): FAILED (could not start its worker: \(error))")
                    try manifest.save(in: directory)
                    continue
                }
                signals.add(worker.process.processIdentifier)
                manifest.runs[index].state = .running
                manifest.runs[index].pid = worker.process.processIdentifier
                manifest.runs[index].started = SweepManifest.timestamp()
                manifest.runs[index].finished = nil
                try manifest.save(in: directory)
                running.append(worker)
            }
            if running.isEmpty { break }
            _ = signals.wake.wait(timeout: .now() + 0.5)
            for worker in running where !worker.process.isRunning {
                running.removeAll { $0.index == worker.index }
                signals.remove(worker.process.processIdentifier)
                let index = worker.index
                manifest.runs[index].pid = nil
                manifest.runs[index].finished = SweepManifest.timestamp()
                if worker.process.terminationReason == .exit && worker.process.terminationStatus == 0 {
                    manifest.runs[index].state = .done
                    manifest.runs[index].error = nil
                    finishedCount += 1
                    progress("[\(finishedCount)/\(manifest.runs.count)] \(manifest.runs[index].id): done")
                } else if let name = signals.stopped {
                    manifest.runs[index].state = .pending
                    manifest.runs[index].error = "stopped by \(name) to the sweep (\(worker.failure(lines: 0)))"
                } else {
                    manifest.runs[index].state = .failed
                    manifest.runs[index].error = worker.failure()
                    finishedCount += 1
                    progress("[\(finishedCount)/\(manifest.runs.count)] \(manifest.runs[index].id): FAILED (\(worker.failure(lines: 1).replacingOccurrences(of: "\n", with: ": ")))")
                }
                try manifest.save(in: directory)
            }
        }

        // MARK: the outcome
        let counts = manifest.counts
        print("sweep \(directory.path): " + SweepManifest.State.allCases.map { "\($0.rawValue) \(counts[$0] ?? 0)" }.joined(separator: ", "))
        if let name = signals.stopped {
            FileHandle.standardError.write(Data("stopped by \(name); continue with the same command\n".utf8))
            throw ExitCode(130)
        }
        let failed = manifest.runs.filter { $0.state == .failed }
        if !failed.isEmpty {
            var text = "\(failed.count) run(s) failed (logs in \(directory.path)/logs):\n"
            for run in failed { text += "  \(run.id): " + (run.error ?? "").replacingOccurrences(of: "\n", with: "\n    ") + "\n" }
            FileHandle.standardError.write(Data(text.utf8))
            throw ExitCode(1)
        }
    }

    func progress(_ line: String) {
        if !quiet { print(line); fflush(stdout) }
    }

    /// After the sweep was killed, its workers stop within moments (`ParentWatch`): wait for the one
    /// that ran `entry` (its pid, while it still runs this sweep's directory) before touching its directory.
    func waitForEarlierWorker(of entry: SweepManifest.Run, in directory: URL) throws {
        guard let pid = entry.pid else { return }
        let runPath = directory.appendingPathComponent(entry.directory).path
        func alive() -> Bool {
            #if os(Linux)
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: data, as: UTF8.self).contains(runPath)
            #else
            return kill(pid, 0) == 0
            #endif
        }
        let deadline = Date().addingTimeInterval(ParentWatch.grace + 10)
        while alive() {
            guard Date() < deadline else {
                throw ValidationError("the worker of \(entry.id) from an earlier sweep (pid \(pid)) is still running; stop it first")
            }
            usleep(100_000)
        }
    }
}
