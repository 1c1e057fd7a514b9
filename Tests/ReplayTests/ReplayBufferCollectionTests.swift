import Environments
import SeededRandom
import XCTest
import Replay

/// A toy environment for collection tests: the observation counts steps; an
/// episode terminates when a seeded coin comes up (p = 0.1) and is truncated at 12 steps.
private struct CoinEnvironment: Environment {
    var observationSpace: Space { .box(Box(low: 0, high: 100, shape: [1])) }
    var actionSpace: Space { .discrete(Discrete(2)) }
    var t = 0
    var generator = SeededGenerator(seed: 0)

    mutating func reset(seed: UInt64?) throws -> ResetResult {
        if let seed { generator = SeededGenerator(seed: seed) }
        t = 0
        return ResetResult(observation: [0])
    }

    mutating func step(_ action: Action) throws -> StepResult {
        t += 1
        let terminated = generator.uniformFloat() < 0.1
        return StepResult(observation: [Float(t)], reward: action == .discrete(1) ? 1 : 0,
                          terminated: terminated, truncated: !terminated && t == 12)
    }

    func snapshot() -> EnvironmentSnapshot? { nil }
    mutating func restore(_ snapshot: EnvironmentSnapshot) throws { throw EnvironmentError.snapshotUnsupported(environment: "Coin") }
}

final class ReplayBufferCollectionTests: XCTestCase {
    /// Collecting with `add(observation:action:step:)` gives one stored episode per
    /// environment episode, with the environment's terminated/truncated flags.
    func testCollectingFromAnEnvironment() throws {
        var env = CoinEnvironment()
        var buffer = ReplayBuffer(capacity: 1000, observationSpace: env.observationSpace, actionSpace: env.actionSpace)
        var g = SeededGenerator(seed: 8)
        var lengths: [Int] = [], endings: [(Bool, Bool)] = []
        var observation = try env.reset(seed: 3).observation
        for _ in 0..<300 {
            let action = env.actionSpace.sample(using: &g)
            let step = try env.step(action)
            buffer.add(observation: observation, action: action, step: step)
            observation = step.observation
            if step.done {
                lengths.append(env.t)
                endings.append((step.terminated, step.truncated))
                observation = try env.reset().observation
            }
        }
        let episodes = Array(buffer.episodes)
        XCTAssertEqual(Array(episodes.map(\.length).prefix(lengths.count)), lengths)
        XCTAssertEqual(episodes.count, lengths.count + (buffer.openEpisodeID == nil ? 0 : 1))
        for (e, (terminated, truncated)) in zip(episodes, endings) {
            XCTAssertEqual(e.terminated.last, terminated)
            XCTAssertEqual(e.truncated.last, truncated)
            XCTAssertEqual(e.observations.first, 0, "each episode starts from the reset observation")
            XCTAssertEqual(Array(e.observations.dropFirst()), Array(e.nextObservations.dropLast()))
        }
        XCTAssertTrue(endings.contains { $0.0 } && endings.contains { $0.1 }, "both kinds of ending should occur")
    }
}
