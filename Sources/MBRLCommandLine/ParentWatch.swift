import Experiments
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps a worker of `mbrl sweep` from running on as an orphan: a background
/// thread compares `getppid()` with the sweep's pid every 200 ms; once the
/// parent is gone (killed, even by SIGKILL) it asks the run to stop through
/// its `RunInterruption` (the run stops between two steps, its directory
/// resumable from the last checkpoint) and ends the process after a grace
/// period, or at once when there is no run to interrupt.
enum ParentWatch {
    /// Seconds a run has to stop between two steps before the process ends anyway.
    static let grace: TimeInterval = 5

    /// Starts watching for `parent` to go away.
    static func start(parent: Int32, interruption: RunInterruption?) {
        let thread = Thread {
            while getppid() == parent { Thread.sleep(forTimeInterval: 0.2) }
            if let interruption, interruption.request("the parent sweep (pid \(parent)) exiting") {
                FileHandle.standardError.write(Data("parent sweep \(parent) is gone: stopping after the current step\n".utf8))
                Thread.sleep(forTimeInterval: grace)
            }
            _exit(130)
        }
        thread.start()
    }
}
