import Foundation
import SeededRandom
import XCTest
@testable import Replay

final class ReplayBufferPersistenceTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws { directory = try makeTemporaryDirectory() }
    override func tearDownWithError() throws { try FileManager.default.removeItem(at: directory) }

    /// A wrapped buffer with every kind of boundary, an open episode and awkward floats.
    private func makeBuffer() -> ReplayBuffer {
        var buffer = ReplayBuffer(capacity: 7, observationSize: 3, actionSize: 2)
        for k in 0..<17 {
            buffer.addSynthetic(k, terminated: k == 4, truncated: k == 9)
            if k == 12 { buffer.endEpisode() }
        }
        buffer.add(observation: [-0.0, .nan, .infinity], action: [.leastNonzeroMagnitude, -.greatestFiniteMagnitude],
                   reward: .ulpOfOne, nextObservation: [Float.leastNormalMagnitude / 4, -.infinity, 3], terminated: false, truncated: false)
        return buffer
    }

    func testSaveLoadRoundTripIsBitwise() throws {
        let url = directory.appendingPathComponent("buffer.npz")
        let buffer = makeBuffer()
        XCTAssertTrue(buffer.episodeRanges.first!.isClippedAtStart)
        XCTAssertTrue(buffer.episodeRanges.last!.isOpen)
        try buffer.save(to: url)
        var loaded = try ReplayBuffer.load(from: url)
        assertBitwiseEqual(buffer, loaded)

        // Same generator, same batches.
        var g1 = SeededGenerator(seed: 4), g2 = SeededGenerator(seed: 4)
        XCTAssertEqual(bits(try buffer.sampleSequences(batchSize: 5, length: 3, using: &g1).observations),
                       bits(try loaded.sampleSequences(batchSize: 5, length: 3, using: &g2).observations))
        // The bookkeeping continues identically: the open episode goes on, then ids continue.
        var original = buffer
        for k in 100..<106 {
            original.addSynthetic(k, terminated: k == 102)
            loaded.addSynthetic(k, terminated: k == 102)
        }
        assertBitwiseEqual(original, loaded)
    }

    func testPartlyFilledAndEmptyBuffersRoundTrip() throws {
        var buffer = ReplayBuffer(capacity: 10, observationSize: 2, actionSize: 1)
        let url = directory.appendingPathComponent("b.npz")
        try buffer.save(to: url)
        assertBitwiseEqual(buffer, try ReplayBuffer.load(from: url))
        for k in 0..<4 { buffer.addSynthetic(k, terminated: k == 1) }
        try buffer.save(to: url)   // overwrites atomically
        assertBitwiseEqual(buffer, try ReplayBuffer.load(from: url))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        XCTAssertEqual(leftovers, ["b.npz"], "temporary files left behind")
    }

    func testSavedBufferIsAD4RLDataset() throws {
        let url = directory.appendingPathComponent("buffer.npz")
        let buffer = makeBuffer()
        try buffer.save(to: url)
        // The layout is D4RL's; as a dataset file its NaN row is refused (a buffer checkpoint may hold one).
        let dataset = try OfflineDataset(archive: NPZArchive.read(from: url))
        XCTAssertEqual(datasetError { try OfflineDataset.load(from: url) }?.description,
                       "\(url.path): array 'observations' row 6 column 1 is nan; dataset values must be finite")
        XCTAssertEqual(dataset.count, 7)
        XCTAssertEqual(bits(dataset.observations), bits(buffer.dataset().observations))
        XCTAssertEqual(dataset.terminals, buffer.dataset().terminals)
        XCTAssertEqual(dataset.timeouts, buffer.dataset().timeouts)
        XCTAssertEqual(dataset.observations[0], 11)   // 18 added, 7 kept: the oldest is k = 11
    }

    func testDatasetImportSplitsEpisodesAtTerminalsAndTimeouts() throws {
        var source = ReplayBuffer(capacity: 20, observationSize: 2, actionSize: 1)
        for k in 0..<10 { source.addSynthetic(k, terminated: k == 2, truncated: k == 6) }
        let dataset = source.dataset()
        let imported = ReplayBuffer(dataset: dataset)
        XCTAssertEqual(imported.capacity, 10)
        XCTAssertEqual(imported.episodeRanges.map(\.length), [3, 4, 3])
        XCTAssertFalse(imported.episodeRanges.last!.isOpen, "a loaded dataset's last episode is closed")
        XCTAssertEqual(imported.dataset(), dataset)

        var small = ReplayBuffer(capacity: 4, observationSize: 2, actionSize: 1)
        try small.add(contentsOf: dataset)
        XCTAssertEqual((0..<4).map { small.transition(at: $0).observation[0] }, [6, 7, 8, 9])

        var wrong = ReplayBuffer(capacity: 4, observationSize: 3, actionSize: 1)
        XCTAssertThrowsError(try wrong.add(contentsOf: dataset)) {
            XCTAssertEqual("\($0)", "dataset has observations of 2 floats and actions of 1; the replay buffer stores 3 and 1")
        }
    }

    func testLoadingADatasetAsABufferNamesTheMissingState() throws {
        let url = directory.appendingPathComponent("plain.npz")
        try makeBuffer().dataset().save(to: url)
        let error = datasetError { try ReplayBuffer.load(from: url) }
        XCTAssertEqual(error?.description, "\(url.path): missing array 'replay_state': not a saved replay buffer "
                       + "(to load a plain dataset use OfflineDataset.load and ReplayBuffer(dataset:capacity:))")
    }

    func testInconsistentBookkeepingIsAnError() throws {
        let url = directory.appendingPathComponent("bad.npz")
        let buffer = makeBuffer()
        try buffer.save(to: url)
        var archive = try NPZArchive.read(from: url)
        // Claim a capacity smaller than the stored rows.
        var state = archive["replay_state"]!.int64Values!
        state[1] = 3
        archive.set("replay_state", NumPyArray(state, shape: [8]))
        try archive.write(to: url)
        XCTAssertEqual(datasetError { try ReplayBuffer.load(from: url) }?.description,
                       "\(url.path): array 'replay_state' gives capacity 3 and 18 transitions added; inconsistent with 7 stored transitions")
        // Episode ids that run backwards.
        archive = try NPZArchive.read(from: url)
        state[1] = 7
        archive.set("replay_state", NumPyArray(state, shape: [8]))
        archive.set("episode_ids", NumPyArray([Int64](repeating: 3, count: 6) + [1], shape: [7]))
        try archive.write(to: url)
        XCTAssertEqual(datasetError { try ReplayBuffer.load(from: url) }?.kind, .invalidArray)
        XCTAssertTrue(datasetError { try ReplayBuffer.load(from: url) }?.message.hasPrefix("array 'episode_ids' is inconsistent at row") ?? false)
    }

    /// Any value in any bookkeeping field either loads into a consistent buffer or
    /// is a `DatasetError`; none traps, now or when the loaded buffer is used.
    func testArbitraryBookkeepingValuesNeverTrap() throws {
        let url = directory.appendingPathComponent("fuzz.npz")
        try makeBuffer().save(to: url)
        let original = try NPZArchive.read(from: url)
        let state = original["replay_state"]!.int64Values!
        let values: [Int64] = [.min, -2, -1, 0, 1, 2, 3, 6, 7, 8, 17, 18, 19, 1 << 40, .max]
        var loadedCount = 0
        for field in 0..<8 {
            for v in values {
                var edited = state
                edited[field] = v
                var archive = original
                archive.set("replay_state", NumPyArray(edited, shape: [8]))
                try archive.write(to: url)
                do {
                    var buffer = try ReplayBuffer.load(from: url)
                    loadedCount += 1
                    var g = SeededGenerator(seed: 1)
                    _ = try buffer.sampleSequences(batchSize: 4, length: 3, using: &g)
                    _ = try buffer.sampleSequences(batchSize: 4, length: 1, mode: .withinEpisode, using: &g)
                    _ = Array(buffer.episodes)
                    for k in 0..<10 { buffer.addSynthetic(k, terminated: k == 5) }
                } catch is DatasetError {
                }
            }
        }
        XCTAssertGreaterThan(loadedCount, 7, "the unedited values must still load")
    }
}
