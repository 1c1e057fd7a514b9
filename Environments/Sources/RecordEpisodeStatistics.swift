/// Adds the episode's return and length to `info` on the step that ends it
/// (Gymnasium's `RecordEpisodeStatistics`, whose `info["episode"]` holds `r` and
/// `l`): keys `"episode_return"` (`.double`, the undiscounted sum of rewards) and
/// `"episode_length"` (`.int`, steps). The last `returnQueue`/`lengthQueue`-style
/// history is kept in `completedReturns`/`completedLengths` (up to `bufferLength`).
/// Cost: O(1) per step.
public struct RecordEpisodeStatistics<Inner: Environment>: Environment {
    public static var returnKey: String { "episode_return" }
    public static var lengthKey: String { "episode_length" }

    public var inner: Inner
    public let bufferLength: Int
    public private(set) var episodeReturn = 0.0
    public private(set) var episodeLength = 0
    public private(set) var completedReturns: [Double] = []
    public private(set) var completedLengths: [Int] = []

    public init(_ inner: Inner, bufferLength: Int = 100) {
        self.inner = inner
        self.bufferLength = max(1, bufferLength)
    }

    public var observationSpace: Space { inner.observationSpace }
    public var actionSpace: Space { inner.actionSpace }

    public mutating func reset(seed: UInt64?) throws -> ResetResult {
        let result = try inner.reset(seed: seed)
        episodeReturn = 0
        episodeLength = 0
        return result
    }

    public mutating func step(_ action: Action) throws -> StepResult {
        var result = try inner.step(action)
        episodeReturn += result.reward
        episodeLength += 1
        if result.done {
            result.info[Self.returnKey] = .double(episodeReturn)
            result.info[Self.lengthKey] = .int(episodeLength)
            completedReturns.append(episodeReturn)
            completedLengths.append(episodeLength)
            if completedReturns.count > bufferLength {
                completedReturns.removeFirst()
                completedLengths.removeFirst()
            }
        }
        return result
    }

    struct State {
        var inner: EnvironmentSnapshot
        var episodeReturn: Double
        var episodeLength: Int
    }

    /// The wrapped state plus the running episode return and length (not the history).
    public func snapshot() -> EnvironmentSnapshot? {
        guard let inner = inner.snapshot() else { return nil }
        return EnvironmentSnapshot(State(inner: inner, episodeReturn: episodeReturn, episodeLength: episodeLength))
    }

    public mutating func restore(_ snapshot: EnvironmentSnapshot) throws {
        let state = try snapshot.value(as: State.self, environment: "RecordEpisodeStatistics<\(Inner.self)>")
        try inner.restore(state.inner)
        episodeReturn = state.episodeReturn
        episodeLength = state.episodeLength
    }
}
