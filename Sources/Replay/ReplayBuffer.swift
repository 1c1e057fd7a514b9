import Environments

/// A fixed-capacity ring buffer of transitions `(s, a, r, s', terminated,
/// truncated)` that remembers where episodes begin, for off-policy and
/// model-based RL: uniform transition batches for one-step models and
/// learners, windows of consecutive steps for sequence models, episode
/// iteration, and `.npz` persistence with D4RL key names.
///
/// ## Storage
/// Struct of arrays, one row per slot: `observations` and `nextObservations`
/// `[capacity, observationSize]`, `actions` `[capacity, actionSize]` (a
/// discrete action is one float holding its index, as `Action.vector`),
/// `rewards`, `terminated`, `truncated` `[capacity]` as Floats (flags exactly
/// 0 or 1, kept distinct: STYLE rule 7), and an episode id per slot. Once full,
/// each `add` overwrites the oldest transition. Positions are chronological
/// (`0` is the oldest stored transition, `count − 1` the newest);
/// `slot(ofPosition:)` maps them to storage rows.
///
/// ## Episodes
/// Episodes get consecutive ids from 0. A transition starts a new episode when
/// the previous one ended it (`terminated || truncated`), when `endEpisode()`
/// was called since (collection interrupted mid-episode), or when the buffer
/// was empty. The oldest stored episode may have lost its first steps to
/// overwriting (`EpisodeRange.isClippedAtStart`); the newest may still be
/// running (`isOpen`).
///
/// ## Sequences and episode boundaries
/// `sampleSequences` returns windows of `L` consecutive stored transitions.
/// With `.acrossEpisodes` (the default) a window may cross episode boundaries;
/// `resetMask` is 1 exactly at the steps where a new episode begins inside the
/// window, so a recurrent model resets its state there and never carries state
/// from one episode into another. With `.withinEpisode` only windows inside a
/// single episode are drawn. A window never wraps from the newest transition
/// back to the oldest.
///
/// ## Complexity (n = capacity, B = batch, L = window, E = stored episodes)
/// - `add`: O(observationSize + actionSize), no allocation (amortised O(1) episode bookkeeping).
/// - `sampleTransitions`: O(B · (2·observationSize + actionSize)); no allocation when the batch is reused.
/// - `sampleSequences`: O(B · L · (2·observationSize + actionSize)), plus O(E) for `.withinEpisode`.
/// - `episodeRanges`: O(E); `episode(_:)` O(length · size) (copies).
/// - `save(to:)` / `load(from:)`: O(count · size) time, one encoded copy of the data in memory.
/// - Memory: `capacity × ((2·observationSize + actionSize + 3) × 4 + 8)` bytes
///   (Float32 rows, three Float32 scalars, one 8-byte episode id), allocated up front.
///
/// ## Randomness
/// Sampling draws every index from the `SeededGenerator` passed in; the same
/// buffer contents and generator state give the same batch.
///
/// `ReplayBuffer` is a value type (copy-on-write arrays): a copy is a snapshot.
public struct ReplayBuffer: Sendable {
    /// Maximum number of stored transitions.
    public let capacity: Int
    /// Floats per observation.
    public let observationSize: Int
    /// Floats per action (1 for a discrete action space).
    public let actionSize: Int
    /// Number of stored transitions, at most `capacity`.
    public internal(set) var count = 0
    /// Number of transitions ever added (stored or since overwritten).
    public internal(set) var totalAdded = 0

    // Slot-indexed storage.
    var observations: [Float]
    var actions: [Float]
    var rewards: [Float]
    var nextObservations: [Float]
    var terminatedFlags: [Float]
    var truncatedFlags: [Float]
    var episodeIDs: [Int]

    // Episode bookkeeping.
    /// The id the next new episode gets.
    var nextEpisodeID = 0
    /// Whether the next `add` continues the newest episode.
    var episodeOpen = false
    /// The episode id of the most recently overwritten transition (-1: none yet).
    var lastDroppedEpisodeID = -1
    /// Stored episodes as runs in chronological order; `runs[runHead...]` are live.
    var runs: [EpisodeRun] = []
    var runHead = 0

    /// A maximal stretch of stored transitions from one episode.
    struct EpisodeRun: Equatable, Sendable {
        var id: Int
        /// Index (in add order, counting from 0) of the first stored transition.
        var first: Int
        var length: Int
    }

    /// An empty buffer for `capacity` transitions of the given sizes
    /// (`capacity > 0`, sizes ≥ 0; a programmer error otherwise).
    public init(capacity: Int, observationSize: Int, actionSize: Int) {
        precondition(capacity > 0, "ReplayBuffer: capacity must be positive, got \(capacity)")
        precondition(observationSize >= 0 && actionSize >= 0,
                     "ReplayBuffer: negative size (observation \(observationSize), action \(actionSize))")
        self.capacity = capacity
        self.observationSize = observationSize
        self.actionSize = actionSize
        observations = [Float](repeating: 0, count: capacity * observationSize)
        actions = [Float](repeating: 0, count: capacity * actionSize)
        rewards = [Float](repeating: 0, count: capacity)
        nextObservations = [Float](repeating: 0, count: capacity * observationSize)
        terminatedFlags = [Float](repeating: 0, count: capacity)
        truncatedFlags = [Float](repeating: 0, count: capacity)
        episodeIDs = [Int](repeating: -1, count: capacity)
    }

    /// An empty buffer sized for an environment's spaces (`Space.flatSize`).
    public init(capacity: Int, observationSpace: Space, actionSpace: Space) {
        self.init(capacity: capacity, observationSize: observationSpace.flatSize, actionSize: actionSpace.flatSize)
    }

    // MARK: - Positions

    /// Whether `count == capacity` (the next `add` overwrites the oldest transition).
    public var isFull: Bool { count == capacity }

    /// Whether nothing is stored.
    public var isEmpty: Bool { count == 0 }

    /// The slot the next `add` writes.
    public var position: Int { totalAdded % capacity }

    /// The storage slot of chronological position `p` (0 = oldest, `count − 1` = newest).
    @inline(__always) public func slot(ofPosition p: Int) -> Int {
        precondition(p >= 0 && p < count, "ReplayBuffer: position \(p) outside 0..<\(count)")
        return (totalAdded - count + p) % capacity
    }

    /// The episode id of the transition in `slot` (-1 for a slot never written).
    public func episodeID(atSlot slot: Int) -> Int { episodeIDs[slot] }

    /// The id of the episode the next `add` continues, or `nil` if it starts a new one.
    public var openEpisodeID: Int? { episodeOpen ? nextEpisodeID - 1 : nil }

    // MARK: - Adding

    /// Stores one transition, overwriting the oldest when full. Lengths must be
    /// `observationSize` / `actionSize` (a programmer error otherwise).
    public mutating func add(observation: [Float], action: [Float], reward: Float, nextObservation: [Float],
                             terminated: Bool, truncated: Bool) {
        precondition(action.count == actionSize,
                     "ReplayBuffer.add: action has \(action.count) floats, buffer stores \(actionSize)")
        let width = actionSize
        append(observation: observation, reward: reward, nextObservation: nextObservation,
               terminated: terminated, truncated: truncated) { row in
            action.withUnsafeBufferPointer { row.update(from: $0.baseAddress!, count: width) }
        }
    }

    /// Stores one transition with an environment `Action` (a discrete action is
    /// stored as one float holding its index, as `Action.vector`).
    public mutating func add(observation: [Float], action: Action, reward: Float, nextObservation: [Float],
                             terminated: Bool, truncated: Bool) {
        switch action {
        case .continuous(let v):
            add(observation: observation, action: v, reward: reward, nextObservation: nextObservation,
                terminated: terminated, truncated: truncated)
        case .discrete(let index):
            precondition(actionSize == 1, "ReplayBuffer.add: discrete action given, buffer stores \(actionSize) action floats")
            append(observation: observation, reward: reward, nextObservation: nextObservation,
                   terminated: terminated, truncated: truncated) { row in row[0] = Float(index) }
        }
    }

    /// Stores the transition from `observation` under `action` to the result of
    /// `Environment.step` (its observation, reward as Float, terminated, truncated).
    public mutating func add(observation: [Float], action: Action, step: StepResult) {
        add(observation: observation, action: action, reward: Float(step.reward), nextObservation: step.observation,
            terminated: step.terminated, truncated: step.truncated)
    }

    /// Ends the newest episode without a `terminated`/`truncated` flag (e.g.
    /// collection stopped mid-episode and the environment was reset): the next
    /// `add` starts a new episode. No effect if the newest episode already ended.
    public mutating func endEpisode() { episodeOpen = false }

    mutating func append<Observation: Collection<Float>>(observation: Observation, reward: Float, nextObservation: Observation,
                                 terminated: Bool, truncated: Bool,
                                 writeAction: (UnsafeMutablePointer<Float>) -> Void) {
        precondition(observation.count == observationSize && nextObservation.count == observationSize,
                     "ReplayBuffer.add: observation has \(observation.count) floats and nextObservation "
                     + "\(nextObservation.count), buffer stores \(observationSize)")
        let slot = position
        if count == capacity { dropOldest(slot: slot) }
        let id: Int
        if episodeOpen {
            id = nextEpisodeID - 1
        } else {
            id = nextEpisodeID
            nextEpisodeID += 1
        }
        if runHead < runs.count, runs[runs.count - 1].id == id {
            runs[runs.count - 1].length += 1
        } else {
            runs.append(EpisodeRun(id: id, first: totalAdded, length: 1))
        }
        let o = observationSize
        for (i, value) in observation.enumerated() { observations[slot * o + i] = value }
        for (i, value) in nextObservation.enumerated() { nextObservations[slot * o + i] = value }
        if actionSize > 0 {
            actions.withUnsafeMutableBufferPointer { writeAction($0.baseAddress! + slot * actionSize) }
        }
        rewards[slot] = reward
        terminatedFlags[slot] = terminated ? 1 : 0
        truncatedFlags[slot] = truncated ? 1 : 0
        episodeIDs[slot] = id
        episodeOpen = !(terminated || truncated)
        totalAdded += 1
        count = min(count + 1, capacity)
    }

    /// Forgets the oldest transition (in `slot`) before it is overwritten.
    private mutating func dropOldest(slot: Int) {
        lastDroppedEpisodeID = episodeIDs[slot]
        runs[runHead].first += 1
        runs[runHead].length -= 1
        if runs[runHead].length == 0 {
            runHead += 1
            // Compact now and then so `runs` stays O(stored episodes); amortised O(1).
            if runHead >= 64 && runHead * 2 >= runs.count {
                runs.removeFirst(runHead)
                runHead = 0
            }
        }
    }
}

extension ReplayBuffer {
    /// Stores rows of a batch of transitions (e.g. imagined ones) in order,
    /// each as a one-step episode fragment; `include[r] == false` skips row `r`.
    /// Shapes: `observations`, `nextObservations` `[rows, observationSize]`,
    /// `actions` `[rows, actionSize]`, `rewards`, `terminated`, `include` `[rows]`.
    /// The rows are not flagged truncated; the newest episode is left closed.
    public mutating func add(observations: [Float], actions: [Float], rewards: [Float], nextObservations: [Float],
                             terminated: [Bool], include: [Bool]) {
        let rows = rewards.count, o = observationSize, a = actionSize
        precondition(observations.count == rows * o && nextObservations.count == rows * o && actions.count == rows * a
                     && terminated.count == rows && include.count == rows,
                     "ReplayBuffer.add(batch): arrays disagree with \(rows) rows of observation \(o), action \(a)")
        for r in 0..<rows where include[r] {
            endEpisode()
            append(observation: observations[(r * o)..<(r * o + o)], reward: rewards[r],
                   nextObservation: nextObservations[(r * o)..<(r * o + o)], terminated: terminated[r], truncated: false) { row in
                for j in 0..<a { row[j] = actions[r * a + j] }
            }
        }
        endEpisode()
    }
}
