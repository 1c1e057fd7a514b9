import SeededRandom
import XCTest
@testable import Replay

/// `sampleRolloutStarts`: each row's start is a stored observation and its
/// history is exactly the steps before it in the same episode, right-aligned.
final class RolloutStartSamplingTests: XCTestCase {
    func testHistoriesStopAtEpisodeStartsAndAreRightAligned() throws {
        // Episodes of transitions 0...3 (terminated), 4...9 (truncated), 10...12 (open).
        var buffer = ReplayBuffer(capacity: 20, observationSize: 2, actionSize: 1)
        for k in 0..<13 { buffer.addSynthetic(k, terminated: k == 3, truncated: k == 9) }
        var g = SeededGenerator(seed: 1)
        var batch = RolloutStartBatch(observationSize: 2, actionSize: 1)
        try buffer.sampleRolloutStarts(batchSize: 300, history: 4, into: &batch, using: &g)
        let episodeStart = [0, 0, 0, 0, 4, 4, 4, 4, 4, 4, 10, 10, 10]
        var seen = Set<Int>()
        for b in 0..<300 {
            let k = Int(batch.observations[b * 2])   // the start transition (its observation encodes k)
            seen.insert(k)
            XCTAssertEqual(batch.observations[(b * 2)..<(b * 2 + 2)].map { $0 }, syntheticObservation(k))
            let expectedLength = min(4, k - episodeStart[k])
            XCTAssertEqual(batch.historyLengths[b], expectedLength, "start \(k)")
            for t in 0..<4 {
                let back = 4 - t
                let observation = Array(batch.historyObservations[((b * 4 + t) * 2)..<((b * 4 + t) * 2 + 2)])
                let action = batch.historyActions[b * 4 + t]
                if back <= expectedLength {
                    XCTAssertEqual(observation, syntheticObservation(k - back), "start \(k), entry \(t)")
                    XCTAssertEqual(action, syntheticAction(k - back)[0], "start \(k), entry \(t)")
                } else {
                    XCTAssertEqual(observation, [0, 0], "start \(k), entry \(t) lies before the history")
                }
            }
        }
        XCTAssertEqual(seen, Set(0..<13), "every stored transition can be a start")
    }

    func testHistoryStopsAtTheOldestStoredTransition() throws {
        var buffer = ReplayBuffer(capacity: 5, observationSize: 2, actionSize: 1)
        for k in 0..<8 { buffer.addSynthetic(k) }   // one episode; transitions 0...2 overwritten
        var g = SeededGenerator(seed: 2)
        var batch = RolloutStartBatch(observationSize: 2, actionSize: 1)
        try buffer.sampleRolloutStarts(batchSize: 100, history: 10, into: &batch, using: &g)
        for b in 0..<100 {
            let k = Int(batch.observations[b * 2])
            XCTAssertEqual(batch.historyLengths[b], k - 3, "start \(k): the history reaches back to transition 3 only")
        }
    }

    func testAnEmptyBufferIsAnError() {
        let buffer = ReplayBuffer(capacity: 5, observationSize: 2, actionSize: 1)
        var g = SeededGenerator(seed: 0)
        var batch = RolloutStartBatch(observationSize: 2, actionSize: 1)
        XCTAssertThrowsError(try buffer.sampleRolloutStarts(batchSize: 3, history: 2, into: &batch, using: &g)) { error in
            XCTAssertTrue("\(error)".contains("empty replay buffer"), "\(error)")
        }
    }
}
