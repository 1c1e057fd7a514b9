import Dispatch
import Foundation

/// SIGINT and SIGTERM for `mbrl sweep`: the first one stops launching runs and
/// forwards SIGTERM to every running worker (each stops between two steps,
/// resumable), then the sweep waits for them and exits 130; another signal is
/// forwarded again (a worker's second signal ends it at once). Shared between
/// the handlers and the sweep's loop, hence a class with a lock.
///
/// A Slurm array task (`mbrl sweep task`) forwards after `forwardDelay`
/// seconds, to the workers still running then: `scancel` signals every process
/// of the job, the worker included, and a second signal at once would end it
/// without stopping between two steps.
final class SweepSignals: @unchecked Sendable {
    private let lock = NSLock()
    private var workers: Set<Int32> = []
    private var signalName: String?
    private var handlers: SignalHandlers?
    private let forwardDelay: TimeInterval
    /// Signalled when a worker ends or a stop is requested: the sweep's loop waits on it.
    let wake = DispatchSemaphore(value: 0)

    init(forwardDelay: TimeInterval = 0) {
        self.forwardDelay = forwardDelay
        handlers = SignalHandlers { [unowned self] name in self.stop(name) }
    }

    private func stop(_ name: String) {
        lock.lock()
        signalName = signalName ?? name
        let count = workers.count
        lock.unlock()
        FileHandle.standardError.write(Data("\n\(name): stopping the \(count) running worker(s); rerun the same command to continue\n".utf8))
        if forwardDelay > 0 {
            DispatchQueue.global().asyncAfter(deadline: .now() + forwardDelay) { [self] in forward() }
        } else {
            forward()
        }
        wake.signal()
    }

    /// Sends SIGTERM to every worker still recorded.
    private func forward() {
        lock.lock()
        let pids = workers
        lock.unlock()
        for pid in pids { kill(pid, SIGTERM) }
    }

    /// The signal that stopped the sweep, if any.
    var stopped: String? { lock.lock(); defer { lock.unlock() }; return signalName }

    /// Records a running worker (to forward signals to); false if a stop was requested meanwhile (the worker is sent SIGTERM).
    @discardableResult
    func add(_ pid: Int32) -> Bool {
        lock.lock(); defer { lock.unlock() }
        workers.insert(pid)
        if signalName != nil { kill(pid, SIGTERM); return false }
        return true
    }

    func remove(_ pid: Int32) { lock.lock(); workers.remove(pid); lock.unlock() }
}
