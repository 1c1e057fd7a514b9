import Environments
import Learners
import SeededRandom

/// Sutton & Barto's Figure 8.2 experiment (2nd ed., Example 8.1): Dyna-Q agents
/// with n planning steps learn the Dyna maze (`DynaMaze-v0`) from Q = 0 with
/// ε-greedy actions (ties at random); the curve is the number of steps of each
/// episode averaged over independent repetitions. The book: 30 repetitions,
/// 50 episodes, n ∈ {0, 5, 50}, α 0.1, γ 0.95, ε 0.1.
///
/// Test support, not library API: the library's experiment loop lives in
/// `Experiments` (configs, run directories, checkpoints); this is the
/// figure's protocol written out, to measure the learner against the book.
/// Repetition r draws from the r-th child of `SeededGenerator(seed:)` (`split`),
/// so every n sees the same repetition seeds.
///
/// Episodes are unbounded, as in the book; a repetition that needs more than
/// `stepBudget` real steps in all (a working learner needs about 8,000 for
/// 50 episodes) throws `BudgetExceeded`, so a broken learner fails a test
/// instead of hanging it.
struct DynaMazeExperiment {
    var repetitions = 30
    var episodes = 50
    var configuration = DynaQConfiguration(learningRate: 0.1, gamma: 0.95, epsilon: 0.1)
    var seed: UInt64 = 0
    var stepBudget = 100_000

    struct BudgetExceeded: Error, CustomStringConvertible {
        var planningSteps: Int, episode: Int, budget: Int
        var description: String {
            "n = \(planningSteps): more than \(budget) real steps in all before the end of episode \(episode + 1)"
        }
    }

    /// Steps of each episode: `[repetition][episode]`.
    func run(planningSteps: Int) throws -> [[Int]] {
        var root = SeededGenerator(seed: seed)
        var configuration = configuration
        configuration.planningSteps = planningSteps
        return try root.split(into: repetitions).map { generator in
            var generator = generator
            var env = try GridMaze.dynaMaze()
            var agent = DynaQLearner(stateCount: env.rows * env.columns, actionCount: 4, configuration: configuration)
            var lengths: [Int] = []
            var total = 0
            for episode in 0..<episodes {
                var state = Int(try env.reset().observation[0])
                var steps = 0
                while true {
                    let action = agent.act(state: state, using: &generator)
                    let result = try env.step(.discrete(action))
                    let next = Int(result.observation[0])
                    agent.learn(state: state, action: action, reward: result.reward, nextState: next,
                                terminated: result.terminated, using: &generator)
                    steps += 1
                    total += 1
                    if result.done { break }
                    if total > stepBudget { throw BudgetExceeded(planningSteps: planningSteps, episode: episode, budget: stepBudget) }
                    state = next
                }
                lengths.append(steps)
            }
            return lengths
        }
    }

    /// The mean over repetitions of each episode's steps.
    static func meanSteps(_ runs: [[Int]]) -> [Double] {
        (0..<(runs.first?.count ?? 0)).map { e in Double(runs.reduce(0) { $0 + $1[e] }) / Double(runs.count) }
    }

    /// The expected episode length of the ε-greedy policy on the true optimal
    /// Q* of the Dyna maze (γ 0.95; greedy ties split evenly): what a learner
    /// whose greedy policy is optimal still averages while exploring with ε.
    /// Computed from the environment's own dynamics (`setSimulatorState`, `step`):
    /// value iteration for Q*, then iterative evaluation of the expected steps.
    static func epsilonGreedyOptimalLength(epsilon: Double, gamma: Double = 0.95) throws -> Double {
        var env = try GridMaze.dynaMaze()
        let states = env.rows * env.columns
        // The deterministic transition table (next state, terminated) of every free cell.
        var table = [(next: Int, terminated: Bool)?](repeating: nil, count: states * 4)
        for s in 0..<states {
            let p = env.position(ofCell: s)
            guard env.cell(row: p.row, column: p.column) == .floor else { continue }
            for a in 0..<4 {
                try env.setSimulatorState([Double(s)])
                let r = try env.step(.discrete(a))
                table[s * 4 + a] = (Int(r.observation[0]), r.terminated)
            }
        }
        var q = [Double](repeating: 0, count: states * 4)
        for _ in 0..<1000 {
            for i in q.indices {
                guard let t = table[i] else { continue }
                q[i] = t.terminated ? 1 : gamma * q[(t.next * 4)..<(t.next * 4 + 4)].max()!
            }
        }
        // π(a | s) of the ε-greedy policy on Q*, then T(s) = 1 + Σ_a π(a | s) T(s') to convergence.
        var policy = [Double](repeating: 0, count: states * 4)
        for s in 0..<states where table[s * 4] != nil {
            let best = q[(s * 4)..<(s * 4 + 4)].max()!
            let greedy = (0..<4).filter { abs(q[s * 4 + $0] - best) < 1e-12 }
            for a in 0..<4 { policy[s * 4 + a] = epsilon / 4 + (greedy.contains(a) ? (1 - epsilon) / Double(greedy.count) : 0) }
        }
        var length = [Double](repeating: 0, count: states)
        var change = Double.infinity
        while change > 1e-10 {
            change = 0
            for s in 0..<states where table[s * 4] != nil {
                var expected = 1.0
                for a in 0..<4 {
                    let t = table[s * 4 + a]!
                    if !t.terminated { expected += policy[s * 4 + a] * length[t.next] }
                }
                change = max(change, abs(expected - length[s]))
                length[s] = expected
            }
        }
        return length[env.startCell]
    }
}
