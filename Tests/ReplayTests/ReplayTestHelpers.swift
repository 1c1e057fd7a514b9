import Foundation
import XCTest
@testable import Replay

/// Transition `k` of the synthetic streams used by the tests: every field
/// encodes `k`, so a sampled row tells which transition it came from.
func syntheticObservation(_ k: Int, size: Int = 2) -> [Float] { (0..<size).map { Float(k) + Float($0) * 0.25 } }
func syntheticAction(_ k: Int, size: Int = 1) -> [Float] { (0..<size).map { -Float(k) - Float($0) * 0.5 } }

extension ReplayBuffer {
    /// Adds synthetic transition `k` (next observation = observation of `k + 1`).
    mutating func addSynthetic(_ k: Int, terminated: Bool = false, truncated: Bool = false) {
        add(observation: syntheticObservation(k, size: observationSize), action: syntheticAction(k, size: actionSize),
            reward: Float(k) * 10, nextObservation: syntheticObservation(k + 1, size: observationSize),
            terminated: terminated, truncated: truncated)
    }
}

/// Bit patterns, so NaN and -0 compare exactly.
func bits(_ x: [Float]) -> [UInt32] { x.map(\.bitPattern) }

/// Asserts two buffers hold the same state bit for bit (storage, counters, episodes).
func assertBitwiseEqual(_ a: ReplayBuffer, _ b: ReplayBuffer, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.capacity, b.capacity, "capacity", file: file, line: line)
    XCTAssertEqual(a.observationSize, b.observationSize, file: file, line: line)
    XCTAssertEqual(a.actionSize, b.actionSize, file: file, line: line)
    XCTAssertEqual(a.count, b.count, "count", file: file, line: line)
    XCTAssertEqual(a.totalAdded, b.totalAdded, "totalAdded", file: file, line: line)
    XCTAssertEqual(a.position, b.position, "position", file: file, line: line)
    XCTAssertEqual(bits(a.observations), bits(b.observations), "observations", file: file, line: line)
    XCTAssertEqual(bits(a.nextObservations), bits(b.nextObservations), "nextObservations", file: file, line: line)
    XCTAssertEqual(bits(a.actions), bits(b.actions), "actions", file: file, line: line)
    XCTAssertEqual(bits(a.rewards), bits(b.rewards), "rewards", file: file, line: line)
    XCTAssertEqual(bits(a.terminatedFlags), bits(b.terminatedFlags), "terminated", file: file, line: line)
    XCTAssertEqual(bits(a.truncatedFlags), bits(b.truncatedFlags), "truncated", file: file, line: line)
    XCTAssertEqual(a.episodeIDs, b.episodeIDs, "episodeIDs", file: file, line: line)
    XCTAssertEqual(a.nextEpisodeID, b.nextEpisodeID, "nextEpisodeID", file: file, line: line)
    XCTAssertEqual(a.episodeOpen, b.episodeOpen, "episodeOpen", file: file, line: line)
    XCTAssertEqual(a.lastDroppedEpisodeID, b.lastDroppedEpisodeID, "lastDroppedEpisodeID", file: file, line: line)
    XCTAssertEqual(a.episodeRanges, b.episodeRanges, "episodeRanges", file: file, line: line)
}

/// A fresh directory under the system temporary directory, removed by the caller.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ReplayTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The `DatasetError` `body` throws, failing the test if it throws nothing or something else.
func datasetError<T>(_ body: () throws -> T, file: StaticString = #filePath, line: UInt = #line) -> DatasetError? {
    do {
        _ = try body()
        XCTFail("expected a DatasetError, got success", file: file, line: line)
    } catch let error as DatasetError {
        return error
    } catch {
        XCTFail("expected a DatasetError, got \(error)", file: file, line: line)
    }
    return nil
}
