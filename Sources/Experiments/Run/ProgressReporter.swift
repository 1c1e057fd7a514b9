import Foundation

/// Reports a run's progress: on a terminal, one live line rewritten in place
/// (episode, return, steps/s, ETA); otherwise plain log lines; nothing when quiet.
public struct ProgressReporter {
    public enum Mode: Sendable { case live, lines, quiet }

    public let mode: Mode
    private let start = Date()

    /// `live` when standard error is a terminal, `lines` otherwise, `quiet` if asked.
    public init(quiet: Bool) {
        if quiet { mode = .quiet } else { mode = isatty(2) != 0 ? .live : .lines }
    }

    public init(mode: Mode) { self.mode = mode }

    /// A progress update: `done` of `total` episodes, `steps` environment steps so far.
    public func update(episode done: Int, of total: Int, lastReturn: Double, steps: Int, extra: String = "") {
        guard mode != .quiet else { return }
        let elapsed = Date().timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(steps) / elapsed : 0
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let line = String(format: "episode %d/%d  return %.1f  steps %d  %.0f steps/s  ETA %@%@",
                          done, total, lastReturn, steps, rate, Self.duration(eta), extra.isEmpty ? "" : "  " + extra)
        write(mode == .live ? "\r\u{1B}[2K" + line : line + "\n")
    }

    /// A progress update of a loop that runs for `total` environment steps.
    public func update(steps: Int, of total: Int, lastReturn: Double, extra: String = "") {
        guard mode != .quiet else { return }
        let elapsed = Date().timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(steps) / elapsed : 0
        let eta = rate > 0 ? Double(total - steps) / rate : 0
        let line = String(format: "step %d/%d  return %.1f  %.0f steps/s  ETA %@%@",
                          steps, total, lastReturn, rate, Self.duration(eta), extra.isEmpty ? "" : "  " + extra)
        write(mode == .live ? "\r\u{1B}[2K" + line : line + "\n")
    }

    /// A message on its own line.
    public func message(_ text: String) {
        guard mode != .quiet else { return }
        write(mode == .live ? "\r\u{1B}[2K" + text + "\n" : text + "\n")
    }

    /// Ends the live line.
    public func finish() {
        if mode == .live { write("\n") }
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, s % 3600 / 60) : String(format: "%dm%02ds", s / 60, s % 60)
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
