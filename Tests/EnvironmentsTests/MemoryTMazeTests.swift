import XCTest
@testable import Environments

/// The memory T-maze needs memory: a policy that sees only the current
/// observation cannot beat chance at the junction, a policy that remembers
/// the first observation's cue always succeeds.
final class MemoryTMazeTests: XCTestCase {
    static let corridor = 16
    static let episodes = 2000

    /// Runs `episodes` episodes; `policy(observation, memory)` may write to `memory` (reset each episode).
    func successRate(_ env: inout GridWorld, policy: ([Float], inout Int) -> Action,
                     junctionObservations: inout Set<[Float]>) throws -> (rate: Double, meanReward: Double) {
        var successes = 0
        var totalReward = 0.0
        for episode in 0..<Self.episodes {
            var observation = episode == 0 ? try env.reset(seed: 2024).observation : try env.reset().observation
            var memory = 0
            var steps = 0
            while true {
                if env.state.x == Self.corridor + 3 && env.state.direction == .east { junctionObservations.insert(observation) }
                let result = try env.step(policy(observation, &memory))
                steps += 1
                observation = result.observation
                if result.done {
                    XCTAssertTrue(result.terminated, "episodes end at an arm, not by truncation")
                    XCTAssertEqual(steps, Self.corridor + 4, "shortest path: forward to the junction, turn, forward")
                    if result.info["success"] == .bool(true) { successes += 1 }
                    totalReward += result.reward
                    break
                }
            }
        }
        return (Double(successes) / Double(Self.episodes), totalReward / Double(Self.episodes))
    }

    func testMemorylessPolicyIsAtChanceAndMemoryPolicyIsPerfect() throws {
        let width = Self.corridor + 5
        let cueIndex = 2 * width + 2
        var env = try XCTUnwrap(try EnvironmentRegistry.builtin.make("GridWorld-MemoryTMaze-v0") as? GridWorld)
        XCTAssertEqual(env.configuration.map.width, width, "default corridor_length is 16")

        // Optimal given only the current full observation: walk to the junction (x, y and heading
        // are observed), then take an arm. The junction observation is the same for both cues
        // (asserted below), so no memoryless rule can do better than choosing one arm.
        var memorylessJunction = Set<[Float]>()
        let memoryless = try successRate(&env, policy: { observation, _ in
            let x = Int(observation[observation.count - 4]), heading = Int(observation[observation.count - 2])
            if x == Self.corridor + 3 && heading == 0 { return .discrete(0) }   // turn left (north)
            return .discrete(2)
        }, junctionObservations: &memorylessJunction)

        // Remembers the cue from the first observation (code 7 up, 8 down).
        var memoryJunction = Set<[Float]>()
        let withMemory = try successRate(&env, policy: { observation, memory in
            let cue = Int(observation[cueIndex])
            if cue == 7 || cue == 8 { memory = cue }
            let x = Int(observation[observation.count - 4]), heading = Int(observation[observation.count - 2])
            if x == Self.corridor + 3 && heading == 0 { return .discrete(memory == 7 ? 0 : 1) }
            return .discrete(2)
        }, junctionObservations: &memoryJunction)

        print("T-maze corridor \(Self.corridor), \(Self.episodes) episodes: memoryless success \(memoryless.rate) (mean reward \(memoryless.meanReward)), with memory \(withMemory.rate)")
        XCTAssertEqual(memorylessJunction.count, 1, "the junction observation must not reveal the cue")
        XCTAssertGreaterThanOrEqual(memoryless.rate, 0.45)
        XCTAssertLessThanOrEqual(memoryless.rate, 0.55)
        XCTAssertEqual(memoryless.meanReward, 2 * memoryless.rate - 1, accuracy: 1e-9, "+1 right arm, -1 wrong arm")
        XCTAssertEqual(withMemory.rate, 1.0)
    }

    func testCueVisibleOnlyInFirstPartialObservation() throws {
        var env = try GridWorld.tMaze(corridorLength: 4, observation: .partial, viewSize: 3)
        var sawUp = false, sawDown = false
        for episode in 0..<40 {
            let first = episode == 0 ? try env.reset(seed: 9) : try env.reset()
            let cue = first.observation[1 * 3 + 1]   // one cell ahead, centre column
            XCTAssertTrue(cue == 7 || cue == 8, "cue in the first view, got \(cue)")
            if cue == 7 { sawUp = true } else { sawDown = true }
            let next = try env.step(.discrete(2))
            XCTAssertFalse(next.observation.contains(7) || next.observation.contains(8), "the cue is gone after the first step")
            // Remembering the cue solves it from the partial view too.
            var result = next
            while !result.done {
                let wallAhead = result.observation[1 * 3 + 1] == 1
                let heading = result.observation[9]
                let action: Action = wallAhead && heading == 0 ? .discrete(cue == 7 ? 0 : 1) : .discrete(2)
                result = try env.step(action)
            }
            XCTAssertEqual(result.reward, 1, "episode \(episode)")
        }
        XCTAssertTrue(sawUp && sawDown, "both cues occur")
    }
}
