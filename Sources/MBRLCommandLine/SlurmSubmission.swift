import ArgumentParser
import Experiments
import Foundation

/// `mbrl sweep CONFIG --launcher slurm`: checks what can be checked before
/// anything is submitted (the options, `sbatch` on `PATH`, a writable sweep
/// directory, no job of the sweep still queued), settles the manifest (the
/// same one the local launcher keeps), writes `DIR/slurm.sh` for the runs not
/// finished, submits it with `sbatch --parsable`, records the job id in the
/// manifest and returns. With `--dry-run` it prints the script and writes nothing.
struct SlurmSubmission {
    var job: SweepJob
    var directory: URL
    var options: SlurmOptions
    var quiet: Bool

    var scriptURL: URL { directory.appendingPathComponent("slurm.sh") }

    func run() throws {
        if options.dryRun {
            var manifest = try job.manifest(in: directory)
            let script = self.script(indices: manifest.settleUnfinished(in: directory), runCount: manifest.runs.count)
            print(script.text, terminator: "")
            print("# \(script.settings)\n# would run: sbatch --parsable \(SlurmScript.shellQuoted(scriptURL.path))")
            return
        }
        guard SlurmClient.find("sbatch") != nil else { throw ValidationError(SlurmClient.missing("sbatch")) }
        try SweepJob.createDirectory(directory)
        try checkWritable()
        let lock = try SweepLock(directory: directory)
        defer { withExtendedLifetime(lock) {} }
        let submitted: (id: String, script: SlurmScript)? = try SweepManifest.withLock(in: directory) {
            var manifest = try job.manifest(in: directory)
            try SlurmClient.refuseActiveJobs(of: manifest, in: directory)
            let indices = manifest.settleUnfinished(in: directory)
            try manifest.save(in: directory)
            guard !indices.isEmpty else { return nil }
            let script = self.script(indices: indices, runCount: manifest.runs.count)
            progress("sweep \(directory.path): \(manifest.runs.count) runs (\(manifest.runs.count - indices.count) done)")
            progress(script.settings)
            try RunDirectory.writeAtomically(Array(script.text.utf8), to: scriptURL)
            // Submitted while the manifest is locked: the tasks record their runs after the job id.
            let output = try SlurmClient.check(["sbatch", "--parsable", scriptURL.path])
            let id = String(output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first ?? "")
            guard !id.isEmpty, id.allSatisfy(\.isNumber) else {
                throw ValidationError("sbatch --parsable \(scriptURL.path) printed '\(output)', not a job id; check squeue before submitting again")
            }
            manifest.slurmJobs = (manifest.slurmJobs ?? []) + [SweepManifest.SlurmJob(id: id, indices: indices)]
            for index in indices { manifest.runs[index].error = nil }
            try manifest.save(in: directory)
            return (id, script)
        }
        guard let submitted else {
            print("sweep \(directory.path): every run is done; nothing to submit")
            return
        }
        print("submitted Slurm job \(submitted.id) (array \(submitted.script.arraySpec)), script \(scriptURL.path)")
        progress("status: mbrl sweep status \(directory.path); cancel: mbrl sweep cancel \(directory.path); "
                 + "resubmit the runs not finished: the same command")
    }

    func script(indices: [Int], runCount: Int) -> SlurmScript {
        SlurmScript(executable: SweepWorker.executable, directory: directory, jobName: "mbrl-\(job.sweep.name)", indices: indices,
                    options: options, runCount: runCount,
                    description: "mbrl sweep of \(job.configURL.path)" + (job.overrides.isEmpty ? "" : " " + job.overrides.joined(separator: " "))
                        + " (mode \(job.mode.rawValue))")
    }

    /// The tasks write runs, logs and the manifest here: a file must be creatable (checked as
    /// this user, on this machine, before anything is submitted).
    func checkWritable() throws {
        let probe = directory.appendingPathComponent("logs/.write-test-\(getpid())")
        do {
            try RunDirectory.writeAtomically(Array("probe\n".utf8), to: probe)
            try FileManager.default.removeItem(at: probe)
        } catch {
            throw ExperimentError.io(path: directory.path, reason: "the sweep directory is not writable (the array tasks write their runs, logs and the manifest there): \(error)")
        }
    }

    func progress(_ line: String) {
        if !quiet { print(line); fflush(stdout) }
    }
}
