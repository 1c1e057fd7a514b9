import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SweepManifest {
    /// Runs `body` holding an exclusive `flock(2)` on `directory/manifest.lock` (waiting for it),
    /// so that the array tasks of a Slurm sweep, `mbrl sweep cancel` and a submission, which all
    /// read, change and rewrite `manifest.json`, never lose one another's changes. A separate file
    /// from `sweep.lock`, which only keeps a second launcher out and is never waited for.
    public static func withLock<T>(in directory: URL, _ body: () throws -> T) throws -> T {
        let path = directory.appendingPathComponent("manifest.lock").path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ExperimentError.io(path: path, reason: "cannot open the manifest lock: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw ExperimentError.io(path: path, reason: "cannot lock the manifest: \(String(cString: strerror(errno)))")
            }
        }
        return try body()
    }

    /// Reads `directory`'s manifest, lets `body` change it and writes it back atomically, all under
    /// the manifest lock (`withLock`); throws naming the file when the directory has no manifest.
    @discardableResult
    public static func update<T>(in directory: URL, _ body: (inout SweepManifest) throws -> T) throws -> T {
        try withLock(in: directory) {
            guard var manifest = try load(from: directory) else {
                throw ExperimentError.io(path: url(in: directory).path, reason: "no sweep manifest here: not a sweep directory")
            }
            let result = try body(&manifest)
            try manifest.save(in: directory)
            return result
        }
    }

    /// Before (re)launching: marks every run that is not done but whose directory holds a
    /// `summary.json` (mode `run`: it finished before its launcher could record it) as done, every
    /// other unfinished one as pending, and returns the indices of those (the runs to launch).
    public mutating func settleUnfinished(in directory: URL) -> [Int] {
        var queue: [Int] = []
        for index in runs.indices where runs[index].state != .done {
            let summary = directory.appendingPathComponent(runs[index].directory).appendingPathComponent("summary.json")
            runs[index].pid = nil
            if mode == "run" && FileManager.default.fileExists(atPath: summary.path) {
                runs[index].state = .done
                runs[index].error = nil
            } else {
                runs[index].state = .pending
                queue.append(index)
            }
        }
        return queue
    }
}
