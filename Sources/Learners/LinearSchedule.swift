/// A value that moves linearly from `start` to `end` over the first `duration`
/// steps and then stays at `end` (CleanRL's `linear_schedule`; SB3's
/// `exploration_fraction` × total steps as `duration`), for DQN's ε.
///
///     value(t) = start + (end − start) · min(t / duration, 1)
///
/// `duration` 0 means `end` from the first step.
public struct LinearSchedule: Sendable, Equatable, Codable {
    public var start: Double
    public var end: Double
    /// Steps over which the value moves from `start` to `end` (≥ 0).
    public var duration: Int

    public init(start: Double, end: Double, duration: Int) {
        precondition(duration >= 0, "LinearSchedule: duration must be >= 0, got \(duration)")
        self.start = start
        self.end = end
        self.duration = duration
    }

    /// The value at step `t` (t ≥ 0).
    public func value(at t: Int) -> Double {
        guard duration > 0 else { return end }
        let fraction = min(Double(max(t, 0)) / Double(duration), 1)
        return start + (end - start) * fraction
    }
}
