import Foundation

/// One worker process of `mbrl sweep`: the same executable with a command
/// line for one run, `OPENBLAS_NUM_THREADS` set to its share of the cores
/// (every other variable inherited), stdout and stderr appended to
/// `logs/<id>.stdout` and `.stderr` in the sweep directory.
struct SweepWorker {
    /// The manifest index of the run.
    var index: Int
    var process: Process
    /// Where the stderr log stood when the worker started (its lines are the ones after).
    var stderrURL: URL
    var stderrOffset: UInt64

    /// The absolute path of this executable.
    static var executable: URL {
        if let path = Bundle.main.executablePath { return URL(fileURLWithPath: path).standardizedFileURL }
        return URL(fileURLWithPath: CommandLine.arguments[0], relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            .standardizedFileURL
    }

    /// Starts `arguments` for run `index`, calling `onExit` (on another thread) when it ends.
    static func start(index: Int, id: String, arguments: [String], threads: Int, logs: URL,
                      onExit: @escaping @Sendable () -> Void) throws -> SweepWorker {
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        func log(_ suffix: String) throws -> (FileHandle, URL, UInt64) {
            let url = logs.appendingPathComponent("\(id).\(suffix)")
            if !FileManager.default.fileExists(atPath: url.path) { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
            let handle = try FileHandle(forWritingTo: url)
            let offset = try handle.seekToEnd()
            return (handle, url, offset)
        }
        let (out, _, _) = try log("stdout")
        let (err, errURL, errOffset) = try log("stderr")
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_NUM_THREADS"] = String(threads)
        process.environment = environment
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        process.terminationHandler = { _ in onExit() }
        try process.run()
        try? out.close()
        try? err.close()
        return SweepWorker(index: index, process: process, stderrURL: errURL, stderrOffset: errOffset)
    }

    /// Why the worker failed: its exit status or signal and the last lines it wrote to stderr.
    func failure(lines: Int = 6) -> String {
        let status = process.terminationReason == .uncaughtSignal
            ? "killed by signal \(process.terminationStatus)" : "exit status \(process.terminationStatus)"
        var tail: [Substring] = []
        if let handle = try? FileHandle(forReadingFrom: stderrURL) {
            try? handle.seek(toOffset: stderrOffset)
            let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
            try? handle.close()
            tail = Array(text.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.suffix(lines))
        }
        return ([status] + tail.map(String.init)).joined(separator: "\n")
    }
}
