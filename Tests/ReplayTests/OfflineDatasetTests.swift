import Foundation
import Environments
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

    // MARK: - Metadata, dtypes, finiteness, environment shapes

    private func sampleMetadata(_ d: OfflineDataset) -> DatasetMetadata {
        DatasetMetadata(envID: "Pendulum-v1", envSettings: ["g": "9.81"], maxEpisodeSteps: 200, policy: "random: uniform",
                        level: .random, seed: 7, steps: d.count, episodes: d.episodeReturns, sources: ["ünïcode ✓"])
    }

    func testMetadataRoundTripsAsOneUnicodeString() throws {
        let url = directory.appendingPathComponent("dataset.npz")
        var dataset = sampleDataset()
        dataset.metadata = sampleMetadata(dataset)
        try dataset.save(to: url)
        let read = try OfflineDataset.load(from: url)
        XCTAssertEqual(read, dataset)
        let array = try NPZArchive.read(from: url).array("metadata")
        XCTAssertEqual(array.shape, [])
        XCTAssertEqual(array.dtypeName, "str")
        XCTAssertTrue(array.npyBytes().starts(with: [0x93] + Array("NUMPY".utf8) + [1, 0]))
        XCTAssertEqual(read.metadata?.episodes.count, 15)   // 10 terminals + 5 timeouts
    }

    func testEpisodeReturnsSplitAtTerminalsAndTimeouts() {
        let s = EpisodeReturnSummary(rewards: [1, 1, 1, 2, 2, 5, 7], terminals: [false, false, true, false, false, false, false],
                                     timeouts: [false, false, false, false, true, true, false])
        XCTAssertEqual(s.count, 3)
        XCTAssertEqual(s.terminated, 1)
        XCTAssertEqual(s.incompleteSteps, 1)
        XCTAssertEqual(s.mean, 4)
        XCTAssertEqual(s.std!, (2.0 / 3.0).squareRoot(), accuracy: 1e-12)   // returns 3, 4, 5
        XCTAssertEqual(s.min, 3)
        XCTAssertEqual(s.max, 5)
        XCTAssertEqual(s.returnsDescription, "mean 4.00, std 0.82, min 3.00, max 5.00")
        XCTAssertEqual(EpisodeReturnSummary(rewards: [1], terminals: [false], timeouts: [false]).returnsDescription, "no complete episode")
    }

    func testWrongDTypesNameTheArray() throws {
        XCTAssertEqual(try loadError { $0.set("rewards", NumPyArray((0..<1000).map { _ in true }, shape: [1000])) }?.message,
                       "array 'rewards' has dtype bool; expected float32 (float64 and integers are also read)")
        XCTAssertEqual(try loadError { $0.set("observations", NumPyArray((0..<3000).map { "\($0)" }, shape: [1000, 3])) }?.message,
                       "array 'observations' has dtype str; expected float32 (float64 and integers are also read)")
        XCTAssertEqual(try loadError { $0.set("terminals", NumPyArray((0..<1000).map { _ in "no" }, shape: [1000])) }?.message,
                       "array 'terminals' has dtype str; expected bool")
        XCTAssertEqual(try loadError { $0.set("timeouts", NumPyArray((0..<1000).map { Float($0 == 5 ? 2 : 0) }, shape: [1000])) }?.message,
                       "array 'timeouts' row 5 holds 2.0; expected bool (or numbers 0 and 1)")
        XCTAssertEqual(try loadError { $0.set("metadata", NumPyArray([1, 2] as [Float], shape: [2])) }?.message,
                       "array 'metadata' has dtype float32 and shape [2]; expected one JSON string (dtype <U, shape [] or [1])")
        XCTAssertEqual(try loadError { $0.set("metadata", NumPyArray(["{\"env_id\": 3}"], shape: [])) }?.message.prefix(34),
                       "array 'metadata' lacks the key 'fo")
    }

    func testNaNAndInfinityNameTheArrayAndRow() throws {
        var d = sampleDataset()
        d.observations[17 * 3 + 2] = .nan
        let url = directory.appendingPathComponent("nan.npz")
        try d.save(to: url)
        XCTAssertEqual(datasetError { try OfflineDataset.load(from: url) }?.description,
                       "\(url.path): array 'observations' row 17 column 2 is nan; dataset values must be finite")
        d = sampleDataset()
        d.rewards[999] = -.infinity
        try d.save(to: url)
        XCTAssertEqual(datasetError { try OfflineDataset.load(from: url) }?.message,
                       "array 'rewards' row 999 is -inf; dataset values must be finite")
    }

    func testValidationAgainstAnEnvironmentNamesBothShapes() throws {
        let d = sampleDataset()   // observations [1000, 3], actions [1000, 1] holding 0 ... 3
        let pendulum = try EnvironmentRegistry.builtin.make("Pendulum-v1")
        XCTAssertNoThrow(try d.validate(observationSpace: pendulum.observationSpace, actionSpace: .discrete(Discrete(4)),
                                        environment: "Pendulum-v1", file: "d.npz"))
        let cartPole = try EnvironmentRegistry.builtin.make("CartPole-v1")
        XCTAssertEqual(datasetError { try d.validate(observationSpace: cartPole.observationSpace, actionSpace: cartPole.actionSpace,
                                                     environment: "CartPole-v1", file: "d.npz") }?.description,
                       "d.npz: array 'observations' has rows of shape [3] (dataset shape [1000, 3]); CartPole-v1's observation space "
                       + "\(cartPole.observationSpace) has shape [4]")
        XCTAssertEqual(datasetError { try d.validate(observationSpace: pendulum.observationSpace, actionSpace: .box(Box(low: -1, high: 1, shape: [2])),
                                                     environment: "X-v0", file: "d.npz") }?.message,
                       "array 'actions' has rows of shape [1] (dataset shape [1000, 1]); X-v0's action space "
                       + "\(Space.box(Box(low: -1, high: 1, shape: [2]))) has shape [2]")
        XCTAssertEqual(datasetError { try d.validate(observationSpace: pendulum.observationSpace, actionSpace: cartPole.actionSpace,
                                                     environment: "CartPole-v1", file: "d.npz") }?.message,
                       "array 'actions' row 2 is 2.0; CartPole-v1's action space Discrete(2) holds the indices 0 ... 1")
    }
}
