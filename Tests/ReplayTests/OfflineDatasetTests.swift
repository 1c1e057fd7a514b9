import Foundation
import XCTest
@testable import Replay

final class OfflineDatasetTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws { directory = try makeTemporaryDirectory() }
    override func tearDownWithError() throws { try FileManager.default.removeItem(at: directory) }

    private func sampleDataset(count n: Int = 1000) -> OfflineDataset {
        OfflineDataset(observationSize: 3, actionSize: 1,
                       observations: (0..<(n * 3)).map { Float($0) * 0.5 }, actions: (0..<n).map { Float($0 % 4) },
                       rewards: (0..<n).map { Float($0) / 7 }, nextObservations: (0..<(n * 3)).map { Float($0) * 0.5 + 1.5 },
                       terminals: (0..<n).map { $0 % 97 == 96 }, timeouts: (0..<n).map { $0 % 200 == 199 })
    }

    func testNPZRoundTrip() throws {
        let url = directory.appendingPathComponent("dataset.npz")
        let dataset = sampleDataset()
        try dataset.save(to: url)
        XCTAssertEqual(try OfflineDataset.load(from: url), dataset)
        let archive = try NPZArchive.read(from: url)
        XCTAssertEqual(archive.keys, ["observations", "actions", "rewards", "next_observations", "terminals", "timeouts"])
        XCTAssertEqual(archive["observations"]?.shape, [1000, 3])
        XCTAssertEqual(archive["terminals"]?.dtypeName, "bool")
    }

    /// Write the dataset with some arrays replaced, and return the load error.
    private func loadError(_ edit: (inout NPZArchive) -> Void) throws -> DatasetError? {
        let url = directory.appendingPathComponent("dataset.npz")
        var archive = sampleDataset().archive
        edit(&archive)
        try archive.write(to: url)
        return datasetError { try OfflineDataset.load(from: url) }
    }

    func testWrongKeyIsNamed() throws {
        let error = try loadError { archive in
            archive = NPZArchive(archive.keys.map { ($0 == "rewards" ? "reward" : $0, archive[$0]!) })
        }
        XCTAssertEqual(error?.message, "missing array 'rewards' (arrays present: 'observations', 'actions', 'reward', "
                       + "'next_observations', 'terminals', 'timeouts')")
        XCTAssertEqual(error?.kind, .missingKey)
        XCTAssertEqual(error?.file, directory.appendingPathComponent("dataset.npz").path)
    }

    func testInconsistentLengthsNameTheKey() throws {
        XCTAssertEqual(try loadError { $0.set("actions", NumPyArray([Float](repeating: 0, count: 999), shape: [999, 1])) }?.message,
                       "array 'actions' has 999 rows (shape [999, 1]); expected 1000, the length of 'rewards'")
        XCTAssertEqual(try loadError { $0.set("terminals", NumPyArray([Bool](repeating: false, count: 10), shape: [10])) }?.message,
                       "array 'terminals' has 10 rows; expected 1000, the length of 'rewards'")
        XCTAssertEqual(try loadError { $0.set("next_observations", NumPyArray([Float](repeating: 0, count: 2000), shape: [1000, 2])) }?.message,
                       "array 'next_observations' has shape [1000, 2]; expected [1000, 3], the shape of 'observations'")
        XCTAssertEqual(try loadError { $0.set("rewards", NumPyArray([Float](repeating: 0, count: 2000), shape: [1000, 2])) }?.message,
                       "array 'rewards' has shape [1000, 2]; expected [N] or [N, 1]")
        XCTAssertEqual(try loadError { $0.set("observations", NumPyArray([Float(1)], shape: [])) }?.message,
                       "array 'observations' is a scalar; expected shape [N, size] with N = 1000 (the length of 'rewards')")
    }

    func testTruncatedDatasetFile() throws {
        let url = directory.appendingPathComponent("dataset.npz")
        let archive = NPZArchive([("rewards", NumPyArray([Float](repeating: 1, count: 1000), shape: [1000]))])
        let bytes = try archive.encoded()
        let entry = NPZArchive.localEntries(bytes)[0]
        let header = archive["rewards"]!.npyBytes().count - 4000
        try Data(bytes[0..<(entry.dataStart + header + 512 * 4)]).write(to: url)
        XCTAssertEqual(datasetError { try OfflineDataset.load(from: url) }?.description,
                       "\(url.path): array 'rewards' header says 1000 float32 values, file ends after 512")
    }

    /// D4RL variants: `[N, 1]` rewards, float terminals, no timeouts, 1-D observations.
    func testAcceptsD4RLVariants() throws {
        let archive = NPZArchive([
            ("observations", NumPyArray([1, 2, 3] as [Float], shape: [3])),
            ("actions", NumPyArray([0, 1, 2] as [Int64], shape: [3])),
            ("rewards", NumPyArray([0.5, 1, 2] as [Float], shape: [3, 1])),
            ("next_observations", NumPyArray([2, 3, 4] as [Float], shape: [3])),
            ("terminals", NumPyArray([0, 0, 1] as [Float], shape: [3])),
            ("infos/qpos", NumPyArray([0, 0, 0] as [Float], shape: [3])),
        ])
        let d = try OfflineDataset(archive: archive)
        XCTAssertEqual(d.observationSize, 1)
        XCTAssertEqual(d.actionSize, 1)
        XCTAssertEqual(d.actions, [0, 1, 2])
        XCTAssertEqual(d.rewards, [0.5, 1, 2])
        XCTAssertEqual(d.terminals, [false, false, true])
        XCTAssertEqual(d.timeouts, [false, false, false])
    }
}
