import SeededRandom
import XCTest
@testable import Replay

final class SequenceSamplingTests: XCTestCase {
    /// A wrapped buffer of capacity 50 after 137 transitions in random-length
    /// episodes, ended by terminated, truncated or `endEpisode()`.
    private func makeBuffer(seed: UInt64 = 1) -> ReplayBuffer {
        var buffer = ReplayBuffer(capacity: 50, observationSize: 2, actionSize: 1)
        var g = SeededGenerator(seed: seed)
        for k in 0..<137 {
            let u = g.uniformFloat()
            buffer.addSynthetic(k, terminated: u < 0.08, truncated: u >= 0.08 && u < 0.14)
            if u >= 0.14 && u < 0.18 { buffer.endEpisode() }
        }
        return buffer
    }

    /// Property: over many windows, the reset mask is 1 exactly where the
    /// episode id changes inside the window, and windows are consecutive
    /// stored transitions that never wrap from the newest to the oldest.
    func testResetMaskMarksExactlyTheEpisodeChanges() throws {
        let buffer = makeBuffer()
        XCTAssertGreaterThan(buffer.episodeRanges.count, 4, "the stream should hold several episodes")
        var g = SeededGenerator(seed: 2)
        var batch = SequenceBatch(observationSize: 2, actionSize: 1)
        let L = 9
        var ones = 0, steps = 0
        for _ in 0..<100 {
            try buffer.sampleSequences(batchSize: 16, length: L, into: &batch, using: &g)
            for b in 0..<16 {
                let start = batch.startIndices[b]
                let k0 = Int(batch.observations[(b * L) * 2])
                XCTAssertGreaterThanOrEqual(k0, 137 - 50)
                XCTAssertLessThanOrEqual(k0 + L, 137, "window runs past the newest transition")
                for t in 0..<L {
                    let i = b * L + t
                    XCTAssertEqual(batch.observations[i * 2], Float(k0 + t), "window not consecutive")
                    XCTAssertEqual(batch.rewards[i], Float(k0 + t) * 10)
                    XCTAssertEqual(batch.actions[i], syntheticAction(k0 + t)[0])
                    let idChanges = t > 0 && buffer.episodeID(atSlot: (start + t) % 50)
                        != buffer.episodeID(atSlot: (start + t - 1) % 50)
                    XCTAssertEqual(batch.resetMask[i], idChanges ? 1 : 0, "window \(b) step \(t)")
                    // A new episode begins exactly after a step that ended one (flag or endEpisode()).
                    if t > 0 && batch.terminated[i - 1] + batch.truncated[i - 1] > 0 {
                        XCTAssertEqual(batch.resetMask[i], 1)
                    }
                    ones += Int(batch.resetMask[i]); steps += 1
                }
            }
        }
        XCTAssertGreaterThan(ones, steps / 50, "windows should often cross episode boundaries")
    }

    func testWithinEpisodeWindowsNeverCrossABoundaryAndCoverEveryStart() throws {
        let buffer = makeBuffer()
        let L = 4
        // Every valid start (window inside one episode), by first transition index k.
        let oldest = buffer.totalAdded - buffer.count
        var valid = Set<Int>()
        for r in buffer.episodeRanges where r.length >= L {
            for s in r.start...(r.start + r.length - L) { valid.insert(oldest + s) }
        }
        var g = SeededGenerator(seed: 3)
        var seen = Set<Int>()
        var batch = SequenceBatch(observationSize: 2, actionSize: 1)
        for _ in 0..<200 {
            try buffer.sampleSequences(batchSize: 16, length: L, mode: .withinEpisode, into: &batch, using: &g)
            XCTAssertEqual(batch.resetMask, [Float](repeating: 0, count: 16 * L))
            for b in 0..<16 {
                let ids = (0..<L).map { buffer.episodeID(atSlot: (batch.startIndices[b] + $0) % 50) }
                XCTAssertEqual(Set(ids).count, 1, "window \(ids) crosses an episode boundary")
                seen.insert(Int(batch.observations[b * L * 2]))
            }
        }
        XCTAssertEqual(seen, valid)
    }

    func testSequenceSamplingIsDeterministicGivenTheSeed() throws {
        let buffer = makeBuffer()
        for mode in SequenceSampling.allCases {
            var g1 = SeededGenerator(seed: 9), g2 = SeededGenerator(seed: 9), g3 = SeededGenerator(seed: 10)
            let a = try buffer.sampleSequences(batchSize: 8, length: 3, mode: mode, using: &g1)
            let b = try buffer.sampleSequences(batchSize: 8, length: 3, mode: mode, using: &g2)
            let c = try buffer.sampleSequences(batchSize: 8, length: 3, mode: mode, using: &g3)
            XCTAssertEqual(a, b, "\(mode)")
            XCTAssertNotEqual(a.startIndices, c.startIndices, "\(mode)")
        }
    }

    /// A window that wraps around the end of storage (slots 3, 4, 0, 1) is copied in order.
    func testWindowsWrapAroundStorage() throws {
        var buffer = ReplayBuffer(capacity: 5, observationSize: 1, actionSize: 1)
        for k in 0..<8 { buffer.addSynthetic(k) }   // stores 3...7 in slots 3, 4, 0, 1, 2
        var g = SeededGenerator(seed: 0)
        let batch = try buffer.sampleSequences(batchSize: 50, length: 4, using: &g)
        for b in 0..<50 {
            let window = Array(batch.observations[(b * 4)..<(b * 4 + 4)])
            XCTAssert(window == [3, 4, 5, 6] || window == [4, 5, 6, 7], "\(window)")
            XCTAssertEqual(Array(batch.nextObservations[(b * 4)..<(b * 4 + 4)]), window.map { $0 + 1 })
        }
        XCTAssertEqual(Set(batch.startIndices), [3, 4])
    }

    func testWindowsLongerThanTheDataAreErrors() {
        var buffer = ReplayBuffer(capacity: 10, observationSize: 1, actionSize: 1)
        for k in 0..<6 { buffer.addSynthetic(k, terminated: k == 2) }
        var g = SeededGenerator(seed: 0)
        XCTAssertThrowsError(try buffer.sampleSequences(batchSize: 2, length: 7, using: &g)) {
            XCTAssertEqual("\($0)", "cannot sample windows of 7 steps: the replay buffer holds 6 transitions")
        }
        XCTAssertThrowsError(try buffer.sampleSequences(batchSize: 2, length: 4, mode: .withinEpisode, using: &g)) {
            XCTAssertEqual("\($0)", "cannot sample windows of 4 steps inside one episode: the longest stored episode has 3 transitions")
        }
        XCTAssertNoThrow(try buffer.sampleSequences(batchSize: 2, length: 3, mode: .withinEpisode, using: &g))
    }
}
