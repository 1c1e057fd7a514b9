import Foundation

/// A request to stop a run early (SIGINT or SIGTERM from the command line),
/// shared between the signal handler and the running loop.
///
/// The loops look at it between environment steps, where nothing is half
/// written, and stop by throwing `RunInterrupted`; `--resume` then continues
/// from the last checkpoint (the records after it are dropped on resume, so
/// `episodes.csv` has no gap and no duplicate). A class: the handler and the
/// loop share one request (identity matters).
public final class RunInterruption: @unchecked Sendable {
    private let lock = NSLock()
    private var requested: String?

    public init() {}

    /// Asks the run to stop; `reason` names the signal (`SIGINT`). Returns
    /// false when a stop was already requested (a second Ctrl-C).
    @discardableResult
    public func request(_ reason: String) -> Bool {
        lock.lock(); defer { lock.unlock() }
        if requested != nil { return false }
        requested = reason
        return true
    }

    /// The reason of the request, if one was made.
    public var reason: String? {
        lock.lock(); defer { lock.unlock() }
        return requested
    }
}

/// A run stopped by a `RunInterruption` between two steps: where its
/// directory is and what `--resume` will continue from.
public struct RunInterrupted: Error, CustomStringConvertible {
    /// The signal or reason (`SIGINT`).
    public var reason: String
    /// The run directory.
    public var runDirectory: String
    /// Environment steps when it stopped.
    public var steps: Int
    /// Environment steps of the last checkpoint (`--resume` continues there), nil if none was written.
    public var checkpointSteps: Int?
    /// Whether the config writes checkpoints (`output.checkpoint`).
    public var checkpointsEnabled: Bool

    /// The command that continues the run.
    public var resumeCommand: String { "mbrl run --resume \(runDirectory)" }

    public var description: String {
        var lines = ["interrupted by \(reason) at step \(steps); run directory: \(runDirectory)"]
        if !checkpointsEnabled {
            lines.append("this run cannot be resumed: its config sets output.checkpoint: false")
        } else if let checkpointSteps {
            lines.append("resume with: \(resumeCommand)   (continues from step \(checkpointSteps), the last checkpoint)")
        } else {
            lines.append("resume with: \(resumeCommand)   (no checkpoint was written yet: it starts from the beginning)")
        }
        return lines.joined(separator: "\n")
    }
}
