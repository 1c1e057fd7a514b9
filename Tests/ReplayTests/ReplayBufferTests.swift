import Environments
import SeededRandom
import XCTest
@testable import Replay

final class ReplayBufferTests: XCTestCase {
    /// Capacity 5, 12 transitions in episodes of 3 (terminated), 5 (truncated) and 4 (open):
    /// transitions 7...11 remain, the oldest first.
    func testWrapAroundDropsOldestAndKeepsEpisodeBookkeeping() {
        var buffer = ReplayBuffer(capacity: 5, observationSize: 2, actionSize: 1)
        for k in 0..<12 { buffer.addSynthetic(k, terminated: k == 2, truncated: k == 7) }
        XCTAssertEqual(buffer.count, 5)
        XCTAssertTrue(buffer.isFull)
        XCTAssertEqual(buffer.totalAdded, 12)
        XCTAssertEqual(buffer.position, 2)
        XCTAssertEqual((0..<5).map { buffer.transition(at: $0).observation[0] }, [7, 8, 9, 10, 11])
        XCTAssertEqual((0..<5).map { buffer.transition(at: $0).reward }, [70, 80, 90, 100, 110])
        XCTAssertEqual((0..<5).map { buffer.slot(ofPosition: $0) }, [2, 3, 4, 0, 1])
        XCTAssertTrue(buffer.transition(at: 0).truncated)
        XCTAssertFalse(buffer.transition(at: 0).terminated)
        XCTAssertEqual(buffer.episodeRanges, [
            EpisodeRange(id: 1, start: 0, length: 1, isClippedAtStart: true, isOpen: false),
            EpisodeRange(id: 2, start: 1, length: 4, isClippedAtStart: false, isOpen: true),
        ])
        XCTAssertEqual(buffer.openEpisodeID, 2)

        // Ending episode 2 overwrites transition 7: episode 1 is gone entirely.
        buffer.addSynthetic(12, terminated: true)
        XCTAssertEqual(buffer.episodeRanges, [EpisodeRange(id: 2, start: 0, length: 5, isClippedAtStart: false, isOpen: false)])
        XCTAssertNil(buffer.openEpisodeID)
        // A new episode begins; episode 2 loses its first step.
        buffer.addSynthetic(13)
        XCTAssertEqual(buffer.episodeRanges, [
            EpisodeRange(id: 2, start: 0, length: 4, isClippedAtStart: true, isOpen: false),
            EpisodeRange(id: 3, start: 4, length: 1, isClippedAtStart: false, isOpen: true),
        ])
        XCTAssertEqual((0..<5).map { buffer.episodeID(atSlot: buffer.slot(ofPosition: $0)) }, [2, 2, 2, 2, 3])
    }

    func testEpisodesIterateInOrderWithTheirSteps() {
        var buffer = ReplayBuffer(capacity: 20, observationSize: 3, actionSize: 2)
        for k in 0..<4 { buffer.addSynthetic(k, terminated: k == 3) }
        for k in 4..<6 { buffer.addSynthetic(k) }
        buffer.endEpisode()                          // collection interrupted: no flag, but a boundary
        for k in 6..<9 { buffer.addSynthetic(k, truncated: k == 8) }
        let episodes = Array(buffer.episodes)
        XCTAssertEqual(episodes.map(\.id), [0, 1, 2])
        XCTAssertEqual(episodes.map(\.length), [4, 2, 3])
        XCTAssertEqual(episodes[1].observations, syntheticObservation(4, size: 3) + syntheticObservation(5, size: 3))
        XCTAssertEqual(episodes[1].actions, syntheticAction(4, size: 2) + syntheticAction(5, size: 2))
        XCTAssertEqual(episodes[1].nextObservations, syntheticObservation(5, size: 3) + syntheticObservation(6, size: 3))
        XCTAssertEqual(episodes[0].terminated, [false, false, false, true])
        XCTAssertEqual(episodes[1].terminated, [false, false])
        XCTAssertEqual(episodes[2].truncated, [false, false, true])
        XCTAssertEqual(episodes[2].terminated, [false, false, false])
        XCTAssertEqual(episodes[0].totalReward, 0 + 10 + 20 + 30)
        XCTAssertFalse(episodes.contains { $0.range.isOpen || $0.range.isClippedAtStart })
    }

    func testDiscreteActionIsStoredAsItsIndex() throws {
        var buffer = ReplayBuffer(capacity: 4, observationSpace: .box(Box(low: -1, high: 1, shape: [2])),
                                  actionSpace: .discrete(Discrete(3)))
        XCTAssertEqual(buffer.actionSize, 1)
        buffer.add(observation: [0, 0], action: .discrete(2), reward: 1, nextObservation: [1, 1],
                   terminated: false, truncated: false)
        buffer.add(observation: [1, 1], action: Action.discrete(1), reward: 1, nextObservation: [2, 2],
                   terminated: true, truncated: false)
        XCTAssertEqual(buffer.transition(at: 0).action, Action.discrete(2).vector)
        XCTAssertEqual(buffer.transition(at: 1).action, [1])
    }

    func testTransitionSamplingIsDeterministicGivenTheSeed() throws {
        var buffer = ReplayBuffer(capacity: 64, observationSize: 3, actionSize: 2)
        for k in 0..<100 { buffer.addSynthetic(k, terminated: k % 7 == 6, truncated: k % 11 == 10) }
        var g1 = SeededGenerator(seed: 5), g2 = SeededGenerator(seed: 5), g3 = SeededGenerator(seed: 6)
        let a = try buffer.sampleTransitions(batchSize: 32, using: &g1)
        let b = try buffer.sampleTransitions(batchSize: 32, using: &g2)
        let c = try buffer.sampleTransitions(batchSize: 32, using: &g3)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a.indices, c.indices)
        // Each row is a consistent stored transition (fields agree on k) among the 64 newest.
        for row in 0..<32 {
            let k = Int(a.observations[row * 3])
            XCTAssert((36..<100).contains(k), "sampled overwritten transition \(k)")
            XCTAssertEqual(Array(a.observations[(row * 3)..<(row * 3 + 3)]), syntheticObservation(k, size: 3))
            XCTAssertEqual(Array(a.nextObservations[(row * 3)..<(row * 3 + 3)]), syntheticObservation(k + 1, size: 3))
            XCTAssertEqual(Array(a.actions[(row * 2)..<(row * 2 + 2)]), syntheticAction(k, size: 2))
            XCTAssertEqual(a.rewards[row], Float(k) * 10)
            XCTAssertEqual(a.terminated[row], k % 7 == 6 ? 1 : 0)
            XCTAssertEqual(a.truncated[row], k % 11 == 10 ? 1 : 0)
            XCTAssertEqual(buffer.transition(at: k - 36).observation[0], Float(k))
        }
        // Reusing a batch gives the same rows as a fresh one.
        var reused = TransitionBatch(batchSize: 32, observationSize: 3, actionSize: 2)
        var g4 = SeededGenerator(seed: 5)
        try buffer.sampleTransitions(batchSize: 32, into: &reused, using: &g4)
        XCTAssertEqual(reused, a)
    }

    func testTransitionSamplingIsUniform() throws {
        var buffer = ReplayBuffer(capacity: 10, observationSize: 1, actionSize: 1)
        for k in 0..<25 { buffer.addSynthetic(k) }
        var g = SeededGenerator(seed: 11)
        var hits = [Int](repeating: 0, count: 25)
        var batch = TransitionBatch(observationSize: 1, actionSize: 1)
        for _ in 0..<200 {
            try buffer.sampleTransitions(batchSize: 100, into: &batch, using: &g)
            for x in batch.observations { hits[Int(x)] += 1 }
        }
        XCTAssertEqual(hits[0..<15].reduce(0, +), 0)
        // 20,000 draws over 10 slots: expected 2000 each, std ≈ 42; allow 5 std.
        for k in 15..<25 { XCTAssertEqual(Double(hits[k]), 2000, accuracy: 212, "transition \(k)") }
    }

    func testSamplingAnEmptyBufferIsAnError() {
        let buffer = ReplayBuffer(capacity: 3, observationSize: 1, actionSize: 1)
        var g = SeededGenerator(seed: 0)
        XCTAssertThrowsError(try buffer.sampleTransitions(batchSize: 4, using: &g)) { error in
            XCTAssertEqual("\(error)", "cannot sample 4 transitions from an empty replay buffer; collect data first")
        }
    }

    func testMemoryLayoutMatchesTheDocumentedFootprint() {
        let buffer = ReplayBuffer(capacity: 100, observationSize: 7, actionSize: 3)
        let floats = buffer.observations.count + buffer.nextObservations.count + buffer.actions.count
            + buffer.rewards.count + buffer.terminatedFlags.count + buffer.truncatedFlags.count
        XCTAssertEqual(floats * 4 + buffer.episodeIDs.count * 8, 100 * ((2 * 7 + 3 + 3) * 4 + 8))
    }
}
