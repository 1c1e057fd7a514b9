import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock(2)` on `sweep.lock` in a sweep directory, held while
/// the sweep runs (or is submitted), so two sweeps never run in one directory;
/// or on `locks/<id>.lock`, held by the Slurm array task running run `id`. The kernel drops
/// it when the process ends (even by SIGKILL); the descriptor is close-on-exec,
/// so worker processes do not inherit it. A class: it owns the descriptor.
public final class SweepLock {
    private let descriptor: Int32

    /// Takes the lock of `directory`, or throws naming the directory when another process holds it.
    public convenience init(directory: URL) throws {
        try self.init(path: directory.appendingPathComponent("sweep.lock").path,
                      busy: "another mbrl sweep is running in \(directory.path) (it holds this lock); wait for it or use another --out")
    }

    /// Takes the lock of run `id` in `directory` (`locks/<id>.lock`), held by the Slurm array task
    /// running it, or throws when another process runs it.
    public convenience init(run id: String, in directory: URL) throws {
        let locks = directory.appendingPathComponent("locks")
        try? FileManager.default.createDirectory(at: locks, withIntermediateDirectories: true)
        try self.init(path: locks.appendingPathComponent("\(id).lock").path,
                      busy: "run \(id) of the sweep in \(directory.path) is being run by another process (it holds this lock)")
    }

    /// Takes an exclusive lock of `path` (created when missing) without waiting; `busy` is the reason when it is held.
    init(path: String, busy: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ExperimentError.io(path: path, reason: "cannot open the lock: \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno == EWOULDBLOCK ? busy : "cannot lock: \(String(cString: strerror(errno)))"
            close(fd)
            throw ExperimentError.io(path: path, reason: reason)
        }
        descriptor = fd
    }

    deinit { close(descriptor) }
}
