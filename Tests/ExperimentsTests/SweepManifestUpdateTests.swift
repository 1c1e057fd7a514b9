import Foundation
import XCTest
@testable import Experiments

/// `SweepManifest.update`: concurrent read-modify-writes of one manifest (the array tasks of a
/// Slurm sweep) lose no update; `settleUnfinished` picks the runs to launch.
final class SweepManifestUpdateTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mbrl-manifest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func manifest(runs: Int) -> SweepManifest {
        SweepManifest(configFile: "/c.yaml", configChecksum: "0", overrides: [], mode: "run",
                      runs: (0..<runs).map { SweepManifest.Run(id: "r\($0)", variant: nil, seed: $0, overrides: [], directory: "runs/r\($0)") })
    }

    func testConcurrentUpdatesAreNotLost() throws {
        try manifest(runs: 4).save(in: directory)
        // 8 writers (each its own lock descriptor, as separate processes have) x 25 increments, spread over 4 runs.
        DispatchQueue.concurrentPerform(iterations: 8) { writer in
            for _ in 0..<25 {
                do {
                    try SweepManifest.update(in: directory) { (manifest: inout SweepManifest) in manifest.runs[writer % 4].attempts += 1 }
                } catch {
                    XCTFail("\(error)")
                }
            }
        }
        let result = try XCTUnwrap(try SweepManifest.load(from: directory))
        XCTAssertEqual(result.runs.map(\.attempts), [50, 50, 50, 50])
    }

    func testUpdateOfADirectoryWithoutAManifestNamesTheFile() {
        XCTAssertThrowsError(try SweepManifest.update(in: directory) { _ in }) { error in
            XCTAssertTrue("\(error)".contains("\(directory.path)/manifest.json") && "\(error)".contains("not a sweep directory"), "\(error)")
        }
    }

    func testSettleUnfinishedMarksFinishedRunsDoneAndReturnsTheRest() throws {
        var manifest = manifest(runs: 4)
        manifest.runs[0].state = .done
        manifest.runs[1].state = .running
        manifest.runs[1].pid = 12
        manifest.runs[2].state = .failed
        let finished = directory.appendingPathComponent("runs/r3")
        try FileManager.default.createDirectory(at: finished, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: finished.appendingPathComponent("summary.json"))
        XCTAssertEqual(manifest.settleUnfinished(in: directory), [1, 2])
        XCTAssertEqual(manifest.runs.map(\.state), [.done, .pending, .pending, .done])
        XCTAssertNil(manifest.runs[1].pid)
    }

    func testOldManifestsWithoutSlurmFieldsStillLoad() throws {
        let encoder = JSONEncoder()
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: try encoder.encode(manifest(runs: 1))) as? [String: Any])
        object["slurmJobs"] = nil
        try JSONSerialization.data(withJSONObject: object).write(to: SweepManifest.url(in: directory))
        let loaded = try XCTUnwrap(try SweepManifest.load(from: directory))
        XCTAssertNil(loaded.slurmJobs)
        XCTAssertNil(loaded.runs[0].slurmTask)
    }
}
