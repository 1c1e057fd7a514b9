import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock(2)` on `sweep.lock` in a sweep directory, held while
/// the sweep runs, so two sweeps never run in one directory. The kernel drops
/// it when the process ends (even by SIGKILL); the descriptor is close-on-exec,
/// so worker processes do not inherit it. A class: it owns the descriptor.
public final class SweepLock {
    private let descriptor: Int32

    /// Takes the lock of `directory`, or throws naming the directory when another process holds it.
    public init(directory: URL) throws {
        let path = directory.appendingPathComponent("sweep.lock").path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ExperimentError.io(path: path, reason: "cannot open the sweep lock: \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno == EWOULDBLOCK
                ? "another mbrl sweep is running in \(directory.path) (it holds this lock); wait for it or use another --out"
                : "cannot lock: \(String(cString: strerror(errno)))"
            close(fd)
            throw ExperimentError.io(path: path, reason: reason)
        }
        descriptor = fd
    }

    deinit { close(descriptor) }
}
