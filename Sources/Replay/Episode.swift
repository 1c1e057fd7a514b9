/// Where one stored episode lies in a `ReplayBuffer`: chronological positions
/// `start ..< start + length` (0 = the oldest stored transition).
public struct EpisodeRange: Equatable, Hashable, Sendable {
    /// The episode id (consecutive from 0 in the order episodes began).
    public var id: Int
    /// Chronological position of the first stored step.
    public var start: Int
    /// Number of stored steps.
    public var length: Int
    /// Whether the episode's first steps were overwritten (only the oldest stored episode can be).
    public var isClippedAtStart: Bool
    /// Whether the episode is still being collected (only the newest can be).
    public var isOpen: Bool

    public init(id: Int, start: Int, length: Int, isClippedAtStart: Bool, isOpen: Bool) {
        self.id = id
        self.start = start
        self.length = length
        self.isClippedAtStart = isClippedAtStart
        self.isOpen = isOpen
    }
}

/// The stored steps of one episode, copied out of a `ReplayBuffer`, in flat
/// row-major arrays: `observations`, `nextObservations` `[length, observationSize]`,
/// `actions` `[length, actionSize]`, `rewards`, `terminated`, `truncated` `[length]`.
/// A complete episode ends with `terminated` or `truncated` set on its last
/// step, unless it was ended by `ReplayBuffer.endEpisode()` or is still open.
public struct Episode: Equatable, Sendable {
    public var range: EpisodeRange
    public var observationSize: Int
    public var actionSize: Int
    public var observations: [Float]
    public var actions: [Float]
    public var rewards: [Float]
    public var nextObservations: [Float]
    public var terminated: [Bool]
    public var truncated: [Bool]

    public init(range: EpisodeRange, observationSize: Int, actionSize: Int, observations: [Float], actions: [Float],
                rewards: [Float], nextObservations: [Float], terminated: [Bool], truncated: [Bool]) {
        self.range = range
        self.observationSize = observationSize
        self.actionSize = actionSize
        self.observations = observations
        self.actions = actions
        self.rewards = rewards
        self.nextObservations = nextObservations
        self.terminated = terminated
        self.truncated = truncated
    }

    public var id: Int { range.id }
    public var length: Int { rewards.count }
    /// Undiscounted sum of the stored rewards.
    public var totalReward: Float { rewards.reduce(0, +) }
}
