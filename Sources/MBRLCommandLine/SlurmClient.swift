import ArgumentParser
import Experiments
import Foundation

/// The Slurm client tools (`sbatch`, `squeue`, `sacct`, `scancel`), found on
/// `PATH` and run as child processes; a failure carries the command line and
/// the tool's own stderr.
enum SlurmClient {
    /// What a tool printed and returned.
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// A tool that failed: the command that was run, its exit status and its stderr.
    struct Failure: Error, CustomStringConvertible {
        var command: [String]
        var output: Output
        var description: String {
            let message = output.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            return "\(command[0]) failed (exit status \(output.status))" + (message.isEmpty ? "" : ":\n\(message)")
                + "\ncommand: " + command.map(SlurmScript.shellQuoted).joined(separator: " ")
        }
    }

    /// A tool's stderr, filled by the thread reading it.
    private final class ErrorText: @unchecked Sendable {
        let done = DispatchSemaphore(value: 0)
        private(set) var text = ""
        func set(_ data: Data) { text = String(decoding: data, as: UTF8.self) }
    }

    /// `name`'s path on `PATH`, or nil.
    static func find(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let url = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    /// Runs `command` (`command[0]` looked up on `PATH`); nil when the tool is not installed.
    static func run(_ command: [String]) throws -> Output? {
        guard let executable = find(command[0]) else { return nil }
        let process = Process()
        process.executableURL = executable
        process.arguments = Array(command.dropFirst())
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // stderr read on another thread, so that neither pipe fills while the other is read.
        let stderr = ErrorText()
        let reader = Thread { stderr.set(err.fileHandleForReading.readDataToEndOfFile()); stderr.done.signal() }
        reader.start()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        stderr.done.wait()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: stderr.text)
    }

    /// Runs `command` and returns its stdout; throws `Failure` on a non-zero exit and a clear
    /// error when the tool is not on `PATH`.
    static func check(_ command: [String]) throws -> String {
        guard let output = try run(command) else { throw ValidationError(missing(command[0])) }
        guard output.status == 0 else { throw Failure(command: command, output: output) }
        return output.stdout
    }

    /// The error for a tool not on `PATH`.
    static func missing(_ tool: String) -> String {
        "\(tool) not found on PATH: --launcher slurm needs the Slurm client tools (sbatch, squeue, scancel) of a cluster; "
            + "to run the sweep on this machine instead, leave out --launcher slurm (the local launcher, e.g. --workers 2)"
    }

    /// The array tasks of `jobs` that Slurm still has queued or running (`squeue -r`): task id
    /// (`JOBID_INDEX`, or `JOBID_[list]` for tasks not yet split off) to state.
    static func queued(_ jobs: [String]) throws -> [(task: String, state: String)] {
        guard !jobs.isEmpty else { return [] }
        let command = ["squeue", "-h", "-r", "-j", jobs.joined(separator: ","), "-o", "%i %T"]
        guard let output = try run(command) else { throw ValidationError(missing("squeue")) }
        // Older Slurm versions reject ids of jobs already purged from the controller: none queued.
        if output.status != 0 && output.stderr.contains("Invalid job id") { return [] }
        guard output.status == 0 else { throw Failure(command: command, output: output) }
        let text = output.stdout
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            return fields.count == 2 ? (String(fields[0]), String(fields[1])) : nil
        }
    }

    /// Throws when a job array recorded in `manifest` still has tasks queued or running: launching
    /// its runs again would run them twice. Without `squeue` there is nothing to check.
    static func refuseActiveJobs(of manifest: SweepManifest, in directory: URL) throws {
        let jobs = (manifest.slurmJobs ?? []).map(\.id)
        guard !jobs.isEmpty, find("squeue") != nil else { return }
        let active = Set(try queued(jobs).map { SweepCancelCommand.jobID(of: $0.task) })
        guard active.isEmpty else {
            throw ValidationError("Slurm job(s) \(active.sorted().joined(separator: ", ")) of the sweep in \(directory.path) are still queued or running; "
                                  + "wait for them (mbrl sweep status \(directory.path)) or cancel them (mbrl sweep cancel \(directory.path)) first")
        }
    }
}
