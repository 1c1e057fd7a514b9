import Foundation
import XCTest
@testable import Replay

/// Files the `.npz` fuzzing (`NPZFuzzTests`) found mishandled, pinned as
/// regular tests: each is a `DatasetError` naming the file and the array.
final class NPZRegressionTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws { directory = try makeTemporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// An empty dataset whose `observations` rows claim `width` floats each (`[0, ...dims]`).
    private func emptyDataset(observationDims: [Int], replayState: [Int64]? = nil) throws -> URL {
        var arrays: [(key: String, array: NumPyArray)] = [
            ("observations", NumPyArray([Float](), shape: [0] + observationDims)),
            ("actions", NumPyArray([Float](), shape: [0, 1])),
            ("rewards", NumPyArray([Float](), shape: [0])),
            ("next_observations", NumPyArray([Float](), shape: [0] + observationDims)),
            ("terminals", NumPyArray([Bool](), shape: [0])),
        ]
        if let replayState {
            arrays.append(("episode_ids", NumPyArray([Int64](), shape: [0])))
            arrays.append((ReplayBuffer.stateKey, NumPyArray(replayState, shape: [8])))
        }
        let url = directory.appendingPathComponent("empty.npz")
        try NPZArchive(arrays).write(to: url)
        return url
    }

    /// Before: a `<U n>` dtype with 4·n past `Int.max` overflowed computing the item size and trapped.
    func testUnicodeDTypeWhoseByteWidthOverflowsIsUnsupported() throws {
        let header = "{'descr': '<U4611686018427387904', 'fortran_order': False, 'shape': (), }"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0]
        bytes += Array(header.utf8)
        let error = datasetError { try NumPyArray.decode(bytes, range: 0..<bytes.count, name: "metadata", file: "d.npz") }
        XCTAssertEqual(error?.kind, .unsupported)
        XCTAssertEqual(error?.description.hasPrefix("d.npz: array 'metadata' has dtype '<U4611686018427387904'"), true, "\(String(describing: error))")
    }

    /// Before: rows of 2⁶² × 2⁶² floats in an empty dataset overflowed computing the row width and trapped.
    func testEmptyDatasetWhoseRowWidthOverflowsIsRejected() throws {
        let url = try emptyDataset(observationDims: [1 << 62, 1 << 62])
        let error = datasetError { try OfflineDataset.load(from: url) }
        XCTAssertEqual(error?.kind, .invalidArray)
        XCTAssertEqual(error?.file, url.path)
        XCTAssertEqual(error?.message.hasPrefix("array 'observations' has rows of shape [4611686018427387904, 4611686018427387904]"), true,
                       "\(String(describing: error))")
    }

    /// Before: an empty saved buffer whose observation rows claim 2⁶² floats overflowed computing the row size and trapped.
    func testEmptyReplayBufferWhoseRowSizeOverflowsIsRejected() throws {
        let url = try emptyDataset(observationDims: [1 << 62], replayState: [1, 4, 1 << 62, 1, 0, 0, 0, -1])
        let error = datasetError { try ReplayBuffer.load(from: url) }
        XCTAssertEqual(error?.file, url.path)
        XCTAssertEqual(error?.message.hasPrefix("array 'observations' has rows of shape [4611686018427387904]"), true,
                       "\(String(describing: error))")
    }

    /// Before: a saved buffer whose `replay_state` claims a capacity of 2³² rows (172 GB) was allocated up
    /// front and the process was killed for lack of memory.
    func testReplayBufferCapacityBeyondMemoryIsRejected() throws {
        let url = try emptyDataset(observationDims: [3], replayState: [1, 1 << 32, 3, 1, 0, 0, 0, -1])
        let error = datasetError { try ReplayBuffer.load(from: url) }
        XCTAssertEqual(error?.file, url.path)
        XCTAssertEqual(error?.message.hasPrefix("array 'replay_state' gives capacity 4294967296: rows of 10 floats would need 206.2 GB"),
                       true, "\(String(describing: error))")
    }
}
