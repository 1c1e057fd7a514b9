import SeededRandom

/// Tabular Dyna-Q (Sutton & Barto, *Reinforcement Learning: An Introduction*,
/// 2nd ed., §8.2, the "Tabular Dyna-Q" box), with Q-learning (Watkins, 1989)
/// as the special case n = 0 and Dyna-Q+ (§8.3) when κ > 0. States and
/// actions are indices `0 ..< stateCount`, `0 ..< actionCount`; Q starts at 0.
///
/// **Acting** (`act`): ε-greedy — with probability ε a uniformly random
/// action, otherwise `greedyAction`: the argmax of Q(s, ·), ties broken
/// uniformly at random (as the book does; with Q initialised to 0, a fixed
/// tie-break would walk the same way forever).
///
/// **Learning** (`learn`, once per real step S, A → R, S'):
/// 1. direct RL, the Q-learning update
///
///        Q(S, A) ← Q(S, A) + α [R + γ (1 − terminated) max_a Q(S', a) − Q(S, A)]
///
///    Bootstrapping stops only at `terminated`. A step cut short by a time
///    limit (`truncated`) is an ordinary transition: pass `terminated: false`
///    and the update bootstraps from S' (house style rule 7).
/// 2. model learning: `model` stores (S, A) → (R, S', terminated) (`TabularModel`).
/// 3. planning, n = `planningSteps` times: S ← a uniformly random observed
///    state, A ← a uniformly random action previously taken in S, (R, S',
///    terminated) ← Model(S, A), and the same Q-learning update.
///
/// **Dyna-Q+** (κ = `explorationBonus` > 0, §8.3): a planned transition's
/// reward is R + κ√τ, τ the number of real steps since (S, A) was last tried;
/// and, as the book's footnote to Example 8.3 says, planning draws A among
/// *all* actions of an observed state: an action never tried there is modelled
/// as leading back to S with reward 0 (τ then counts from the first step).
/// The bonus applies to planning only, not to the real update.
///
/// Randomness comes only from the generator passed in, so a run is
/// reproducible from its seed; the learner is a value (`Codable`: Q table,
/// model, visit times and step counter form the checkpoint of a run).
///
/// Costs: `act` and the real update O(actionCount); each planning update
/// O(actionCount); memory O(stateCount × actionCount).
public struct DynaQLearner: Sendable, Codable, Equatable {
    public let stateCount: Int
    public let actionCount: Int
    /// The hyper-parameters; may be changed between steps (an ε schedule, say),
    /// and must stay valid (`DynaQConfiguration.invalidReason == nil`).
    public var configuration: DynaQConfiguration {
        didSet { Self.check(configuration) }
    }
    /// Q(s, a) at `q[s * actionCount + a]` (`stateCount × actionCount`, row-major by state).
    public private(set) var q: [Double]
    /// What the real steps taught: outcomes, observed states, last-tried times, the step counter.
    public private(set) var model: TabularModel

    /// A learner with Q = 0 and an empty model. Non-positive sizes and an
    /// invalid configuration are programmer errors (traps); the config layer
    /// checks user input with `DynaQConfiguration.invalidReason`.
    public init(stateCount: Int, actionCount: Int, configuration: DynaQConfiguration) {
        precondition(stateCount > 0 && actionCount > 0,
                     "DynaQLearner: stateCount and actionCount must be positive, got \(stateCount), \(actionCount)")
        Self.check(configuration)
        self.stateCount = stateCount
        self.actionCount = actionCount
        self.configuration = configuration
        q = Array(repeating: 0, count: stateCount * actionCount)
        model = TabularModel(stateCount: stateCount, actionCount: actionCount)
    }

    /// Real steps learned from so far.
    public var steps: Int { model.time }

    /// Q(s, a).
    public func value(state: Int, action: Int) -> Double { q[state * actionCount + action] }

    // MARK: - Acting

    /// ε-greedy: with probability ε a uniformly random action, else `greedyAction`.
    /// Draws one uniform number, then one index for a random action or a tie.
    public func act(state: Int, using generator: inout SeededGenerator) -> Int {
        precondition((0..<stateCount).contains(state), "DynaQLearner.act: state \(state) outside 0..<\(stateCount)")
        if generator.uniformDouble() < configuration.epsilon {
            return Int(generator.next(upperBound: UInt64(actionCount)))
        }
        return greedyAction(state: state, using: &generator)
    }

    /// The argmax of Q(state, ·), ties broken uniformly at random (a draw only
    /// when there is a tie). For evaluation and for `act`.
    public func greedyAction(state: Int, using generator: inout SeededGenerator) -> Int {
        precondition((0..<stateCount).contains(state), "DynaQLearner.greedyAction: state \(state) outside 0..<\(stateCount)")
        let base = state * actionCount
        var best = q[base], ties = 1, chosen = 0
        for a in 1..<actionCount {
            let v = q[base + a]
            if v > best {
                best = v; ties = 1; chosen = a
            } else if v == best {
                ties += 1
            }
        }
        guard ties > 1 else { return chosen }
        var k = Int(generator.next(upperBound: UInt64(ties)))
        for a in 0..<actionCount where q[base + a] == best {
            if k == 0 { return a }
            k -= 1
        }
        preconditionFailure("unreachable: \(ties) tied actions counted")
    }

    /// max_a Q(state, a).
    public func maxValue(state: Int) -> Double {
        let base = state * actionCount
        var best = q[base]
        for a in 1..<actionCount where q[base + a] > best { best = q[base + a] }
        return best
    }

    // MARK: - Learning

    /// One real step (S, A) → (R, S', terminated): the Q-learning update, the
    /// model update, then `planningSteps` planning updates drawn with `generator`.
    /// `terminated` only — a truncated step passes `false` (see the type's documentation).
    public mutating func learn(state: Int, action: Int, reward: Double, nextState: Int, terminated: Bool,
                               using generator: inout SeededGenerator) {
        precondition((0..<stateCount).contains(state) && (0..<stateCount).contains(nextState),
                     "DynaQLearner.learn: state \(state) or next state \(nextState) outside 0..<\(stateCount)")
        precondition((0..<actionCount).contains(action), "DynaQLearner.learn: action \(action) outside 0..<\(actionCount)")
        precondition(reward.isFinite, "DynaQLearner.learn: reward must be finite, got \(reward)")
        // Direct RL.
        update(state: state, action: action, reward: reward, nextState: nextState, terminated: terminated)
        // Model learning.
        model.record(state: state, action: action, reward: reward, nextState: nextState, terminated: terminated)
        // Planning.
        let plus = configuration.explorationBonus > 0
        for _ in 0..<configuration.planningSteps {
            let observed = model.observedStates
            let s = observed[Int(generator.next(upperBound: UInt64(observed.count)))]
            let a = plus
                ? Int(generator.next(upperBound: UInt64(actionCount)))
                : model.triedAction(state: s, at: Int(generator.next(upperBound: UInt64(model.triedActionCount(state: s)))))
            planningUpdate(state: s, action: a)
        }
    }

    /// One planning update on a chosen (s, a) (step (f) of the book's box with S
    /// and A given): the Q-learning update on the model's transition, its reward
    /// plus κ√τ. An untried pair leads back to `state` with reward 0, which is
    /// only planned with a bonus κ > 0 (Dyna-Q+); without one it is a programmer error.
    public mutating func planningUpdate(state: Int, action: Int) {
        precondition((0..<stateCount).contains(state) && (0..<actionCount).contains(action),
                     "DynaQLearner.planningUpdate: (\(state), \(action)) outside 0..<\(stateCount) × 0..<\(actionCount)")
        let κ = configuration.explorationBonus
        let outcome = model.outcome(state: state, action: action)
        precondition(outcome != nil || κ > 0,
                     "DynaQLearner.planningUpdate: (\(state), \(action)) was never tried and there is no exploration bonus")
        let modelled = outcome ?? TabularModel.Outcome(reward: 0, nextState: state, terminated: false)
        let bonus = κ > 0 ? κ * Double(model.stepsSinceTried(state: state, action: action)).squareRoot() : 0
        update(state: state, action: action, reward: modelled.reward + bonus, nextState: modelled.nextState,
               terminated: modelled.terminated)
    }

    /// Q(s, a) ← Q(s, a) + α [r + γ (1 − terminated) max_a' Q(s', a') − Q(s, a)].
    mutating func update(state: Int, action: Int, reward: Double, nextState: Int, terminated: Bool) {
        let target = reward + (terminated ? 0 : configuration.gamma * maxValue(state: nextState))
        let i = state * actionCount + action
        q[i] += configuration.learningRate * (target - q[i])
    }

    static func check(_ configuration: DynaQConfiguration) {
        if let reason = configuration.invalidReason { preconditionFailure("DynaQLearner: \(reason)") }
    }

    // MARK: - Codable (a checkpoint is user input: inconsistent contents are errors)

    enum CodingKeys: String, CodingKey { case stateCount, actionCount, configuration, q, model }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        stateCount = try c.decode(Int.self, forKey: .stateCount)
        actionCount = try c.decode(Int.self, forKey: .actionCount)
        configuration = try c.decode(DynaQConfiguration.self, forKey: .configuration)
        q = try c.decode([Double].self, forKey: .q)
        model = try c.decode(TabularModel.self, forKey: .model)
        func corrupt(_ what: String) -> DecodingError {
            .dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "DynaQLearner: \(what)"))
        }
        if let reason = configuration.invalidReason { throw corrupt(reason) }
        guard stateCount > 0, actionCount > 0, q.count == stateCount * actionCount, q.allSatisfy(\.isFinite) else {
            throw corrupt("\(q.count) Q values for \(stateCount) states × \(actionCount) actions (or a non-finite value)")
        }
        guard model.stateCount == stateCount, model.actionCount == actionCount else {
            throw corrupt("model of \(model.stateCount) × \(model.actionCount) for a learner of \(stateCount) × \(actionCount)")
        }
    }
}
