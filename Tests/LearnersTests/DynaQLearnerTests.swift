import Foundation
import Learners
import SeededRandom
import XCTest

/// The Q-learning update, ε-greedy action selection and the checkpoint of `DynaQLearner`.
final class DynaQLearnerTests: XCTestCase {
    func learner(states: Int = 3, actions: Int = 2, alpha: Double = 0.5, gamma: Double = 0.9, epsilon: Double = 0.1,
                 n: Int = 0, kappa: Double = 0) -> DynaQLearner {
        DynaQLearner(stateCount: states, actionCount: actions,
                     configuration: DynaQConfiguration(learningRate: alpha, gamma: gamma, epsilon: epsilon,
                                                       planningSteps: n, explorationBonus: kappa))
    }

    func testDefaultsAreTheBooksDynaMazeSettings() {
        let c = DynaQConfiguration()
        XCTAssertEqual([c.learningRate, c.gamma, c.epsilon, c.explorationBonus], [0.1, 0.95, 0.1, 0])
        XCTAssertEqual(c.planningSteps, 0)
        XCTAssertNil(c.invalidReason)
        let q = DynaQLearner(stateCount: 4, actionCount: 3, configuration: c)
        XCTAssertEqual(q.q, Array(repeating: 0, count: 12), "Q starts at 0")
        XCTAssertEqual(q.steps, 0)
    }

    func testInvalidConfigurationsAreDescribed() {
        let cases: [(DynaQConfiguration, String)] = [
            (DynaQConfiguration(learningRate: 0), "learningRate (α) must be in (0, 1], got 0.0"),
            (DynaQConfiguration(learningRate: 1.5), "learningRate (α) must be in (0, 1], got 1.5"),
            (DynaQConfiguration(gamma: .nan), "gamma (γ) must be in [0, 1], got nan"),
            (DynaQConfiguration(epsilon: -0.1), "epsilon (ε) must be in [0, 1], got -0.1"),
            (DynaQConfiguration(planningSteps: -1), "planningSteps (n) must be >= 0, got -1"),
            (DynaQConfiguration(explorationBonus: .infinity), "explorationBonus (κ) must be finite and >= 0, got inf"),
        ]
        for (configuration, reason) in cases { XCTAssertEqual(configuration.invalidReason, reason) }
    }

    /// Q(s,a) ← Q(s,a) + α[r + γ(1 − terminated) max Q(s',·) − Q(s,a)], by hand with α 0.5, γ 0.9.
    func testQLearningUpdateEqualsHandComputation() {
        var agent = learner()
        var g = SeededGenerator(seed: 0)
        agent.learn(state: 1, action: 0, reward: 2, nextState: 2, terminated: true, using: &g)
        XCTAssertEqual(agent.value(state: 1, action: 0), 1.0, accuracy: 1e-15, "0 + 0.5 (2 − 0)")
        agent.learn(state: 1, action: 1, reward: -1, nextState: 1, terminated: false, using: &g)
        XCTAssertEqual(agent.value(state: 1, action: 1), 0.5 * (-1 + 0.9 * 1.0), accuracy: 1e-15, "bootstraps from max Q(1,·) = Q(1,0)")
        agent.learn(state: 0, action: 1, reward: 0.5, nextState: 1, terminated: false, using: &g)
        XCTAssertEqual(agent.value(state: 0, action: 1), 0.5 * (0.5 + 0.9 * 1.0), accuracy: 1e-15)
        agent.learn(state: 0, action: 1, reward: 0.5, nextState: 1, terminated: false, using: &g)
        XCTAssertEqual(agent.value(state: 0, action: 1), 0.7 + 0.5 * (1.4 - 0.7), accuracy: 1e-15)
        XCTAssertEqual(agent.q, [0, 1.05, 1.0, -0.05, 0, 0], accuracy: 1e-12)
        XCTAssertEqual(agent.steps, 4)
    }

    /// A terminal transition does not bootstrap; a truncated one (time limit,
    /// `terminated` false) does, whatever the episode loop does next.
    func testTerminatedStopsBootstrappingTruncatedDoesNot() {
        var primed = learner(gamma: 0.9)
        var g = SeededGenerator(seed: 1)
        primed.learn(state: 2, action: 1, reward: 4, nextState: 0, terminated: true, using: &g)   // Q(2,1) = 2
        var terminal = primed, truncated = primed
        // The same step into state 2 with reward 1: the episode's end is terminal in one case, a time limit in the other.
        terminal.learn(state: 0, action: 0, reward: 1, nextState: 2, terminated: true, using: &g)
        truncated.learn(state: 0, action: 0, reward: 1, nextState: 2, terminated: false, using: &g)
        XCTAssertEqual(terminal.value(state: 0, action: 0), 0.5 * 1, accuracy: 1e-15)
        XCTAssertEqual(truncated.value(state: 0, action: 0), 0.5 * (1 + 0.9 * 2), accuracy: 1e-15)
        // The model keeps the flag: planning repeats the same distinction.
        XCTAssertEqual(terminal.model.outcome(state: 0, action: 0)?.terminated, true)
        XCTAssertEqual(truncated.model.outcome(state: 0, action: 0)?.terminated, false)
    }

    /// Q(5, ·) = [0, 1, 1, 0.5]: actions 1 and 2 tie for the max.
    func tiedLearner(epsilon: Double) -> DynaQLearner {
        var agent = learner(states: 6, actions: 4, alpha: 1, gamma: 0, epsilon: epsilon)
        var g = SeededGenerator(seed: 2)
        agent.learn(state: 5, action: 1, reward: 1, nextState: 0, terminated: true, using: &g)
        agent.learn(state: 5, action: 2, reward: 1, nextState: 0, terminated: true, using: &g)
        agent.learn(state: 5, action: 3, reward: 0.5, nextState: 0, terminated: true, using: &g)
        XCTAssertEqual(Array(agent.q[20..<24]), [0, 1, 1, 0.5])
        return agent
    }

    func counts(_ draw: (inout SeededGenerator) -> Int, draws: Int, seed: UInt64) -> [Int] {
        var g = SeededGenerator(seed: seed)
        var counts = [0, 0, 0, 0]
        for _ in 0..<draws { counts[draw(&g)] += 1 }
        return counts
    }

    func testGreedyBreaksTiesUniformlyAtRandom() {
        let agent = tiedLearner(epsilon: 0)
        for draw in [{ (g: inout SeededGenerator) in agent.act(state: 5, using: &g) },
                     { (g: inout SeededGenerator) in agent.greedyAction(state: 5, using: &g) }] {
            let c = counts(draw, draws: 2000, seed: 3)
            XCTAssertEqual(c[0] + c[3], 0, "ε = 0: only the tied greedy actions, got \(c)")
            XCTAssertEqual(Double(c[1]) / 2000, 0.5, accuracy: 0.04, "both tied actions, about half each: \(c)")
        }
        // All-zero Q (a fresh state): every action is tied.
        let fresh = counts({ agent.greedyAction(state: 0, using: &$0) }, draws: 4000, seed: 4)
        XCTAssertTrue(fresh.allSatisfy { abs(Double($0) / 4000 - 0.25) < 0.03 }, "\(fresh)")
        // A unique max draws nothing and always wins.
        var g = SeededGenerator(seed: 5)
        var unique = learner(states: 1, actions: 3, alpha: 1, gamma: 0)
        unique.learn(state: 0, action: 2, reward: 1, nextState: 0, terminated: true, using: &g)
        let before = g
        XCTAssertEqual(unique.greedyAction(state: 0, using: &g), 2)
        XCTAssertEqual(g, before, "no draw without a tie")
    }

    func testEpsilonOneIsUniformAndEpsilonMixes() {
        let random = tiedLearner(epsilon: 1)
        let uniform = counts({ random.act(state: 5, using: &$0) }, draws: 8000, seed: 6)
        XCTAssertTrue(uniform.allSatisfy { abs(Double($0) / 8000 - 0.25) < 0.02 }, "ε = 1: uniform, got \(uniform)")
        // ε = 0.2: action 0 (not greedy) has probability ε/4 = 0.05; each tied action 0.4 + 0.05.
        let agent = tiedLearner(epsilon: 0.2)
        let mixed = counts({ agent.act(state: 5, using: &$0) }, draws: 8000, seed: 7)
        XCTAssertEqual(Double(mixed[0]) / 8000, 0.05, accuracy: 0.012, "\(mixed)")
        XCTAssertEqual(Double(mixed[1] + mixed[2]) / 8000, 0.9, accuracy: 0.015, "\(mixed)")
    }

    /// A checkpoint taken after k steps, decoded and continued with the same
    /// generator, ends with exactly the Q table (and model) of an uninterrupted run.
    func testCodableRoundTripContinuesExactly() throws {
        let configuration = DynaQConfiguration(learningRate: 0.2, gamma: 0.9, epsilon: 0.3, planningSteps: 5, explorationBonus: 0.01)
        let chain = Chain(length: 5)
        func run(_ agent: inout DynaQLearner, steps: Int, state: inout Int, _ g: inout SeededGenerator) {
            for _ in 0..<steps {
                let a = agent.act(state: state, using: &g)
                let t = chain.step(state, a)
                agent.learn(state: state, action: a, reward: t.reward, nextState: t.next, terminated: t.terminated, using: &g)
                state = t.terminated ? 0 : t.next
            }
        }
        var straight = DynaQLearner(stateCount: chain.stateCount, actionCount: 2, configuration: configuration)
        var g1 = SeededGenerator(seed: 9), s1 = 0
        run(&straight, steps: 300, state: &s1, &g1)

        var first = DynaQLearner(stateCount: chain.stateCount, actionCount: 2, configuration: configuration)
        var g2 = SeededGenerator(seed: 9), s2 = 0
        run(&first, steps: 120, state: &s2, &g2)
        let data = try JSONEncoder().encode(first)
        var resumed = try JSONDecoder().decode(DynaQLearner.self, from: data)
        XCTAssertEqual(resumed, first)
        run(&resumed, steps: 180, state: &s2, &g2)
        XCTAssertEqual(resumed.q, straight.q)
        XCTAssertEqual(resumed, straight, "Q, model, visit times and step counter")
        XCTAssertEqual(resumed.steps, 300)
        XCTAssertTrue(straight.q.contains { $0 != 0 })
    }

    func testCorruptCheckpointsAreErrors() throws {
        var agent = learner(states: 2, actions: 2)
        var g = SeededGenerator(seed: 0)
        agent.learn(state: 0, action: 1, reward: 1, nextState: 1, terminated: false, using: &g)
        let json = String(decoding: try JSONEncoder().encode(agent), as: UTF8.self)
        let edits: [(String, String)] = [
            ("\"stateCount\":2", "\"stateCount\":3"),           // Q table of the wrong size
            ("\"learningRate\":0.5", "\"learningRate\":2"),     // configuration out of range
            ("\"nextState\":1", "\"nextState\":7"),             // model transition to an unknown state
        ]
        for (old, new) in edits {
            XCTAssertTrue(json.contains(old), "\(old) not in \(json)")
            let broken = json.replacingOccurrences(of: old, with: new)
            XCTAssertThrowsError(try JSONDecoder().decode(DynaQLearner.self, from: Data(broken.utf8)), new) { error in
                XCTAssertTrue("\(error)".contains("DynaQLearner") || "\(error)".contains("TabularModel"), "\(error)")
            }
        }
    }
}

/// A deterministic chain of `length` states, 0 ... length − 1, then a terminal
/// goal (index `length`): action 1 moves right, 0 moves left (state 0 stays);
/// stepping right from the last state reaches the goal with reward 1, every other
/// step gives 0. From state s the goal is `length − s` steps away.
struct Chain {
    var length: Int
    var stateCount: Int { length + 1 }

    func step(_ state: Int, _ action: Int) -> (next: Int, reward: Double, terminated: Bool) {
        let next = action == 1 ? state + 1 : max(state - 1, 0)
        return (next, next == length ? 1 : 0, next == length)
    }
}

func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, _ message: String = "",
                    file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, message, file: file, line: line)
    for (x, y) in zip(a, b) where abs(x - y) > accuracy {
        XCTFail("\(a) differs from \(b) by more than \(accuracy) \(message)", file: file, line: line)
        return
    }
}
