/// The deterministic tabular model of Dyna-Q (Sutton & Barto, 2nd ed., §8.2,
/// "Tabular Dyna-Q", step (e): `Model(S, A) ← R, S'`), with the bookkeeping
/// planning needs: which states were observed, which actions were tried in
/// each, and when each pair was last tried in the real environment (Dyna-Q+'s
/// τ, §8.3).
///
/// - `record` stores the *latest* real outcome of (s, a): exact for
///   deterministic environments, as the book assumes; with stochastic dynamics
///   (a slippery maze) the model keeps the most recent sample.
/// - An observed state is one in which an action was taken (terminal states
///   reached but never acted from are not observed), kept in first-visit order.
/// - Time counts recorded real steps; `stepsSinceTried(state:action:)` is
///   τ = time − (the step at which (s, a) was last tried), and for a pair never
///   tried the whole time so far (as if tried at step 0).
///
/// Storage: `stateCount × actionCount` outcomes and times, row-major by state.
/// `record` is O(actionCount) (the observed-state check); `outcome` and
/// `stepsSinceTried` are O(1), the tried-action queries O(actionCount).
public struct TabularModel: Sendable, Equatable, Codable {
    /// What (s, a) led to the last time it was tried.
    public struct Outcome: Sendable, Equatable, Codable {
        public var reward: Double
        public var nextState: Int
        public var terminated: Bool

        public init(reward: Double, nextState: Int, terminated: Bool) {
            self.reward = reward
            self.nextState = nextState
            self.terminated = terminated
        }
    }

    public let stateCount: Int
    public let actionCount: Int
    /// `stateCount × actionCount` outcomes, row-major by state; `nil` = never tried.
    public private(set) var outcomes: [Outcome?]
    /// The real step (1, 2, ...) at which each pair was last tried; 0 = never.
    public private(set) var lastTried: [Int]
    /// States in which an action was taken, in first-visit order.
    public private(set) var observedStates: [Int]
    /// Real steps recorded.
    public private(set) var time = 0

    /// An empty model over `stateCount` states and `actionCount` actions (both > 0).
    public init(stateCount: Int, actionCount: Int) {
        precondition(stateCount > 0 && actionCount > 0,
                     "TabularModel: stateCount and actionCount must be positive, got \(stateCount), \(actionCount)")
        self.stateCount = stateCount
        self.actionCount = actionCount
        outcomes = Array(repeating: nil, count: stateCount * actionCount)
        lastTried = Array(repeating: 0, count: stateCount * actionCount)
        observedStates = []
    }

    /// Stores the real transition (s, a) → (r, s', terminated), marks (s, a)
    /// tried now, and adds s to the observed states on its first visit.
    public mutating func record(state: Int, action: Int, reward: Double, nextState: Int, terminated: Bool) {
        time += 1
        if triedActionCount(state: state) == 0 { observedStates.append(state) }
        outcomes[state * actionCount + action] = Outcome(reward: reward, nextState: nextState, terminated: terminated)
        lastTried[state * actionCount + action] = time
    }

    /// The last real outcome of (s, a), or `nil` if it was never tried.
    public func outcome(state: Int, action: Int) -> Outcome? { outcomes[state * actionCount + action] }

    /// The actions tried in `state`, ascending.
    public func triedActions(state: Int) -> [Int] {
        (0..<actionCount).filter { outcomes[state * actionCount + $0] != nil }
    }

    /// How many actions were tried in `state`.
    public func triedActionCount(state: Int) -> Int {
        var count = 0
        for a in 0..<actionCount where outcomes[state * actionCount + a] != nil { count += 1 }
        return count
    }

    /// The `k`-th action tried in `state`, ascending (`0 ≤ k < triedActionCount(state:)`).
    public func triedAction(state: Int, at k: Int) -> Int {
        var remaining = k
        for a in 0..<actionCount where outcomes[state * actionCount + a] != nil {
            if remaining == 0 { return a }
            remaining -= 1
        }
        preconditionFailure("TabularModel: state \(state) has fewer than \(k + 1) tried actions")
    }

    /// τ: real steps since (s, a) was last tried (the whole time so far if never).
    public func stepsSinceTried(state: Int, action: Int) -> Int { time - lastTried[state * actionCount + action] }

    // MARK: - Codable (a checkpoint is user input: inconsistent sizes are errors)

    enum CodingKeys: String, CodingKey { case stateCount, actionCount, outcomes, lastTried, observedStates, time }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        stateCount = try c.decode(Int.self, forKey: .stateCount)
        actionCount = try c.decode(Int.self, forKey: .actionCount)
        outcomes = try c.decode([Outcome?].self, forKey: .outcomes)
        lastTried = try c.decode([Int].self, forKey: .lastTried)
        observedStates = try c.decode([Int].self, forKey: .observedStates)
        time = try c.decode(Int.self, forKey: .time)
        func corrupt(_ what: String) -> DecodingError {
            .dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "TabularModel: \(what)"))
        }
        guard stateCount > 0, actionCount > 0 else { throw corrupt("stateCount and actionCount must be positive") }
        let pairs = stateCount * actionCount
        guard outcomes.count == pairs, lastTried.count == pairs else {
            throw corrupt("\(outcomes.count) outcomes and \(lastTried.count) times for \(pairs) state-action pairs")
        }
        guard outcomes.allSatisfy({ $0.map { (0..<stateCount).contains($0.nextState) && $0.reward.isFinite } ?? true }),
              observedStates.allSatisfy({ (0..<stateCount).contains($0) }),
              time >= 0, lastTried.allSatisfy({ $0 >= 0 && $0 <= time }) else {
            throw corrupt("a state index, reward or step time is out of range")
        }
    }
}
