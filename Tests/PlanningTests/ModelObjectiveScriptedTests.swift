import XCTest
import SeededRandom
import WorldModels
@testable import Planning

/// A world model whose every prediction is scripted: a 1-D observation moves
/// by the action (x' = x + a) and the reward and termination of each step are
/// functions of (particle, candidate, step), so the objective's value is known
/// in closed form for every path of `ModelObjective`.
final class ScriptedModel: WorldModel {
    struct State {
        var observations: [Float]
        var candidates: Int
        var step: Int
    }

    let observationSize = 1
    let actionSize = 1
    let ensembleSize = 1
    /// Reward of row (particle, candidate) at step t given its action; nil: the model predicts no rewards.
    let reward: ((_ particle: Int, _ candidate: Int, _ step: Int, _ action: Float) -> Float)?
    /// Termination of row (particle, candidate) at step t; nil: the model predicts no terminations.
    let termination: ((_ particle: Int, _ candidate: Int, _ step: Int) -> Bool)?

    init(reward: ((Int, Int, Int, Float) -> Float)?, termination: ((Int, Int, Int) -> Bool)?) {
        self.reward = reward
        self.termination = termination
    }

    func initialState(batch: Int) -> State { State(observations: [Float](repeating: 0, count: batch), candidates: batch, step: 0) }

    func observe(_ state: inout State, action: UnsafeBufferPointer<Float>?, observation: UnsafeBufferPointer<Float>) {
        state.observations = Array(observation)
    }

    func replicated(_ state: State, candidates: Int, particles: Int) -> State {
        State(observations: [Float](repeating: state.observations[0], count: candidates * particles), candidates: candidates, step: 0)
    }

    func imagine(_ state: inout State, actions: UnsafeBufferPointer<Float>, into prediction: inout WorldModelPrediction,
                 using generator: inout SeededGenerator) {
        let rows = state.observations.count
        prediction.resize(rows: rows, predictsStd: false, predictsReward: reward != nil, predictsTermination: termination != nil)
        for r in 0..<rows {
            let particle = r / state.candidates, candidate = r % state.candidates
            state.observations[r] += actions[r]
            prediction.nextObservations[r] = state.observations[r]
            if let reward { prediction.rewards[r] = reward(particle, candidate, state.step, actions[r]) }
            if let termination { prediction.terminated[r] = termination(particle, candidate, state.step) }
        }
        state.step += 1
    }

    func rolloutState(_ state: State, reportingMembers: Bool) -> State { state }
}

/// A known reward that reads all three of its inputs: r = 100·x + a + x', terminated when x' ≥ 2.
struct ScriptedReward: RewardFunction {
    func evaluate(observations: UnsafeBufferPointer<Float>, actions: UnsafeBufferPointer<Float>,
                  nextObservations: UnsafeBufferPointer<Float>, rows: Int,
                  rewards: UnsafeMutableBufferPointer<Float>, terminated: UnsafeMutableBufferPointer<Bool>) {
        for r in 0..<rows {
            rewards[r] = 100 * observations[r] + actions[r] + nextObservations[r]
            terminated[r] = nextObservations[r] >= 2
        }
    }
}

/// `ModelObjective` on a scripted model: particle averaging, no reward after a
/// predicted termination, non-finite values, and the known-reward path (which
/// must see the current observation, the action and the predicted next
/// observation of each step, and ignore the model's own rewards).
final class ModelObjectiveScriptedTests: XCTestCase {
    func values(_ model: ScriptedModel, actions: [Float], candidates: Int, horizon: Int, particles: Int,
                start: Float = 0, rewardFunction: (any RewardFunction)? = nil) -> [Float] {
        var state = model.initialState(batch: 1)
        [start].withUnsafeBufferPointer { model.observe(&state, action: nil, observation: $0) }
        var objective = ModelObjective(model: model, start: state, observation: [start], particles: particles,
                                       rewardFunction: rewardFunction, generator: SeededGenerator(seed: 0))
        var values = [Float](repeating: .nan, count: candidates)
        actions.withUnsafeBufferPointer { a in
            values.withUnsafeMutableBufferPointer { objective.evaluate(actions: a, horizon: horizon, values: $0) }
        }
        return values
    }

    func testParticlesAreAveragedAndNoRewardFollowsATermination() {
        // Reward 10·(p + 1) + t; candidate 1's particle 0 terminates at t = 1 (that step's reward counts).
        let model = ScriptedModel(reward: { p, _, t, _ in Float(10 * (p + 1) + t) },
                                  termination: { p, c, t in c == 1 && p == 0 && t == 1 })
        let v = values(model, actions: [Float](repeating: 0, count: 2 * 3), candidates: 2, horizon: 3, particles: 2)
        XCTAssertEqual(v[0], ((10 + 11 + 12) + (20 + 21 + 22)) / 2)   // 48
        XCTAssertEqual(v[1], ((10 + 11) + (20 + 21 + 22)) / 2)        // 42
        // A termination at the last step changes nothing; one at the first step keeps only that reward.
        let first = ScriptedModel(reward: { _, _, t, _ in Float(t + 1) }, termination: { _, c, t in c == 0 && t == 0 })
        XCTAssertEqual(values(first, actions: [0, 0, 0, 0, 0, 0], candidates: 2, horizon: 3, particles: 3), [1, 6])
    }

    func testRewardsDependOnEachCandidatesOwnActions() {
        // Candidate c's actions are all c; reward = the action: value = horizon · c.
        let model = ScriptedModel(reward: { _, _, _, a in a }, termination: nil)
        let actions: [Float] = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]
        XCTAssertEqual(values(model, actions: actions, candidates: 3, horizon: 4, particles: 2), [0, 4, 8])
    }

    func testNonFiniteValuesBecomeTheWorstValueAndLeaveOthersAlone() {
        // Candidate 1's particle 1 predicts NaN at t = 2, candidate 2's particle 0 +inf at t = 0; candidate 0 is finite.
        let model = ScriptedModel(reward: { p, c, t, _ in
            if c == 1 && p == 1 && t == 2 { return .nan }
            if c == 2 && p == 0 && t == 0 { return .infinity }
            return 1
        }, termination: nil)
        let v = values(model, actions: [Float](repeating: 0, count: 3 * 3), candidates: 3, horizon: 3, particles: 2)
        XCTAssertEqual(v, [3, -1e10, -1e10])
        // A NaN after the row terminated is never added.
        let late = ScriptedModel(reward: { _, _, t, _ in t == 2 ? .nan : 1 }, termination: { _, _, t in t == 1 })
        XCTAssertEqual(values(late, actions: [0, 0, 0], candidates: 1, horizon: 3, particles: 2), [2])
    }

    func testKnownRewardFunctionSeesObservationActionAndNextObservation() {
        // The model's own rewards (1000) and terminations (never) must be ignored.
        let model = ScriptedModel(reward: { _, _, _, _ in 1000 }, termination: { _, _, _ in false })
        // Start x = 0.5. Candidate 0 pushes +1: x = 0.5 → 1.5 → 2.5 (terminates: x' ≥ 2) → ...
        //   t0: 100·0.5 + 1 + 1.5 = 52.5; t1: 100·1.5 + 1 + 2.5 = 153.5, then nothing: 206.
        // Candidate 1 stays: every step 100·0.5 + 0 + 0.5 = 50.5: 151.5.
        let actions: [Float] = [1, 1, 1, 0, 0, 0]
        let v = values(model, actions: actions, candidates: 2, horizon: 3, particles: 2, start: 0.5, rewardFunction: ScriptedReward())
        XCTAssertEqual(v[0], 206, accuracy: 1e-4)
        XCTAssertEqual(v[1], 151.5, accuracy: 1e-4)
    }

    func testEvaluatingTwiceGivesTheSameValues() {
        // Buffers are reused across calls: a second call starts afresh from the start state.
        let model = ScriptedModel(reward: { _, _, t, _ in Float(t) }, termination: { _, c, t in c == 0 && t == 0 })
        var state = model.initialState(batch: 1)
        [Float(0)].withUnsafeBufferPointer { model.observe(&state, action: nil, observation: $0) }
        var objective = ModelObjective(model: model, start: state, observation: [0], particles: 2,
                                       rewardFunction: nil, generator: SeededGenerator(seed: 0))
        let actions: [Float] = [0, 0, 0, 0, 0, 0]
        var first = [Float](repeating: 0, count: 2), second = first
        actions.withUnsafeBufferPointer { a in
            first.withUnsafeMutableBufferPointer { objective.evaluate(actions: a, horizon: 3, values: $0) }
            second.withUnsafeMutableBufferPointer { objective.evaluate(actions: a, horizon: 3, values: $0) }
        }
        XCTAssertEqual(first, [0, 3])
        XCTAssertEqual(second, first)
    }

    func testAPlanWhoseEveryValueIsNonFiniteIsReportedAsDiverged() {
        // One NaN candidate is an ordinary bad candidate; every candidate NaN is a diverged model.
        func agent(_ reward: @escaping (Int, Int, Int, Float) -> Float) -> MPCAgent<ScriptedModel> {
            let model = ScriptedModel(reward: reward, termination: nil)
            let planner = RandomShootingPlanner(horizon: 3, bounds: ActionBounds(lower: [-1], upper: [1]), population: 8)
            let agent = MPCAgent(model: model, planner: planner, particles: 2, rewardFunction: nil, generator: SeededGenerator(seed: 1))
            agent.reset(observation: [0])
            _ = agent.act(observation: [0])
            return agent
        }
        XCTAssertFalse(agent { _, _, _, a in a }.lastPlanDiverged)
        XCTAssertFalse(agent { _, c, _, a in c == 3 ? .nan : a }.lastPlanDiverged)
        XCTAssertTrue(agent { _, _, t, a in t == 2 ? .nan : a }.lastPlanDiverged)
    }
}
