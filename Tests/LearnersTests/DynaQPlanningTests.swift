import Foundation
import Learners
import SeededRandom
import XCTest

/// Dyna-Q's planning (Sutton & Barto §8.2) and Dyna-Q+'s exploration bonus (§8.3).
final class DynaQPlanningTests: XCTestCase {
    static let chain = Chain(length: 6)

    /// Runs `episodes` episodes of the chain from state 0 with ε-greedy actions; returns the learner.
    static func trainOnChain(planningSteps n: Int, episodes: Int, seed: UInt64) -> DynaQLearner {
        let chain = Self.chain
        var agent = DynaQLearner(stateCount: chain.stateCount, actionCount: 2,
                                 configuration: DynaQConfiguration(learningRate: 0.5, gamma: 0.9, epsilon: 0.1, planningSteps: n))
        var g = SeededGenerator(seed: seed)
        for _ in 0..<episodes {
            var state = 0
            for _ in 0..<10_000 {
                let action = agent.act(state: state, using: &g)
                let t = chain.step(state, action)
                agent.learn(state: state, action: action, reward: t.reward, nextState: t.next, terminated: t.terminated, using: &g)
                if t.terminated { break }
                state = t.next
            }
        }
        return agent
    }

    /// Whether the greedy action is unique and "right" (1) in every non-terminal state.
    static func greedyIsOptimalEverywhere(_ agent: DynaQLearner) -> Bool {
        (0..<Self.chain.length).allSatisfy { agent.value(state: $0, action: 1) > agent.value(state: $0, action: 0) }
    }

    /// Q*(s, right) = γ^(L−1−s); Q*(s, left) = γ · Q*(max(s−1, 0), right).
    func optimalQ(gamma: Double) -> [Double] {
        let length = Self.chain.length
        var q: [Double] = []
        for s in 0..<length {
            let right = pow(gamma, Double(length - 1 - s))
            let left = gamma * pow(gamma, Double(length - 1 - max(s - 1, 0)))
            q += [left, right]
        }
        return q + [0, 0]
    }

    /// With n = 10, five episodes give the optimal greedy policy in every state
    /// and V(s) = Q(s, right) within 0.01 of γ^k (k the steps to the goal); with
    /// n = 0 the same budget does not (one-step Q-learning carries the reward back
    /// about one state per episode: over 20 seeds it needs 6 episodes, Dyna-Q 3).
    /// Q never exceeds Q* (it starts at 0 below it and every update is a contraction towards it).
    func testDynaQSolvesTheChainWhereQLearningCannotYet() {
        let optimal = optimalQ(gamma: 0.9)
        for seed: UInt64 in 0..<5 {
            let dyna = Self.trainOnChain(planningSteps: 10, episodes: 5, seed: seed)
            XCTAssertTrue(Self.greedyIsOptimalEverywhere(dyna), "seed \(seed): Q \(dyna.q)")
            for s in 0..<Self.chain.length {
                XCTAssertEqual(dyna.value(state: s, action: 1), optimal[2 * s + 1], accuracy: 0.01, "seed \(seed), state \(s)")
            }
            XCTAssertTrue(zip(dyna.q, optimal).allSatisfy { $0 <= $1 + 1e-12 }, "seed \(seed): Q \(dyna.q) above Q* \(optimal)")
            let plain = Self.trainOnChain(planningSteps: 0, episodes: 5, seed: seed)
            XCTAssertFalse(Self.greedyIsOptimalEverywhere(plain), "seed \(seed): Q \(plain.q)")
        }
    }

    /// Planning touches only observed states and actions tried in them (Dyna-Q).
    func testPlanningUsesOnlyObservedStatesAndTriedActions() {
        var agent = DynaQLearner(stateCount: 4, actionCount: 3,
                                 configuration: DynaQConfiguration(learningRate: 0.5, gamma: 0.9, planningSteps: 20))
        var g = SeededGenerator(seed: 1)
        agent.learn(state: 1, action: 2, reward: 1, nextState: 3, terminated: true, using: &g)
        // 21 updates of Q(1,2) towards 1: 1 − 0.5^21.
        XCTAssertEqual(agent.value(state: 1, action: 2), 1 - pow(0.5, 21), accuracy: 1e-12)
        XCTAssertEqual(agent.q.filter { $0 != 0 }.count, 1, "\(agent.q)")
        XCTAssertEqual(agent.model.observedStates, [1])
        agent.learn(state: 0, action: 0, reward: 0, nextState: 1, terminated: false, using: &g)
        XCTAssertEqual(agent.model.observedStates, [1, 0])
        XCTAssertGreaterThan(agent.value(state: 0, action: 0), 0.4, "planning propagated the value of state 1 back")
        XCTAssertEqual(agent.q.filter { $0 != 0 }.count, 2, "\(agent.q)")
    }

    /// Dyna-Q+: a planning update on (s, a) last tried τ real steps ago uses the
    /// reward r + κ√τ (here γ = 0 and α = 1, so Q becomes exactly that reward).
    func testDynaQPlusBonusGrowsWithTheSquareRootOfTimeSinceTried() {
        let kappa = 0.3
        var agent = DynaQLearner(stateCount: 3, actionCount: 2,
                                 configuration: DynaQConfiguration(learningRate: 1, gamma: 0, planningSteps: 0, explorationBonus: kappa))
        var g = SeededGenerator(seed: 0)
        agent.learn(state: 0, action: 1, reward: 2, nextState: 1, terminated: false, using: &g)   // step 1
        XCTAssertEqual(agent.value(state: 0, action: 1), 2, "the real update has no bonus")
        agent.planningUpdate(state: 0, action: 1)
        XCTAssertEqual(agent.value(state: 0, action: 1), 2, "τ = 0 right after trying it")
        for _ in 0..<8 { agent.learn(state: 1, action: 0, reward: 0, nextState: 2, terminated: false, using: &g) }   // steps 2–9
        XCTAssertEqual(agent.model.stepsSinceTried(state: 0, action: 1), 8)
        agent.planningUpdate(state: 0, action: 1)
        XCTAssertEqual(agent.value(state: 0, action: 1), 2 + kappa * 8.0.squareRoot(), accuracy: 1e-12)
        // An action never tried from a visited state: back to the same state, reward 0, τ = all 9 steps.
        XCTAssertNil(agent.model.outcome(state: 0, action: 0))
        agent.planningUpdate(state: 0, action: 0)
        XCTAssertEqual(agent.value(state: 0, action: 0), kappa * 9.0.squareRoot(), accuracy: 1e-12)
        // With γ > 0 the untried action bootstraps from its own state: Q(0,0) ← κ√τ + γ max Q(0, ·).
        var discounted = agent
        discounted.configuration.gamma = 0.5
        discounted.configuration.learningRate = 0.5
        let before = discounted.value(state: 0, action: 0), maxQ0 = discounted.maxValue(state: 0)
        discounted.planningUpdate(state: 0, action: 0)
        XCTAssertEqual(discounted.value(state: 0, action: 0),
                       before + 0.5 * (kappa * 3 + 0.5 * maxQ0 - before), accuracy: 1e-12)
    }

    /// With κ > 0, the n planning updates after a step reach untried actions of
    /// observed states (and never unobserved states); with κ = 0 they do not.
    func testDynaQPlusPlansUntriedActions() {
        func afterOneStep(kappa: Double) -> DynaQLearner {
            var agent = DynaQLearner(stateCount: 5, actionCount: 4,
                                     configuration: DynaQConfiguration(planningSteps: 200, explorationBonus: kappa))
            var g = SeededGenerator(seed: 2)
            for _ in 0..<3 { agent.learn(state: 2, action: 1, reward: 0, nextState: 3, terminated: false, using: &g) }
            return agent
        }
        let plus = afterOneStep(kappa: 0.1)
        for a in [0, 2, 3] { XCTAssertGreaterThan(plus.value(state: 2, action: a), 0, "untried action \(a) planned with its bonus") }
        XCTAssertEqual(Set(plus.q.indices.filter { plus.q[$0] != 0 }.map { $0 / 4 }), [2], "only the observed state 2 is planned")
        let plain = afterOneStep(kappa: 0)
        XCTAssertEqual(plain.q, Array(repeating: 0, count: 20), "Dyna-Q plans (2, 1) only, whose reward is 0")
    }
}
