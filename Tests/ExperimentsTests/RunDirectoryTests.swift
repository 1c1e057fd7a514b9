import XCTest
@testable import Experiments

final class RunDirectoryTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("run-directory-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func testNameFollowsTheConvention() {
        let date = Date(timeIntervalSince1970: 1_764_085_000.25)
        XCTAssertEqual(RunDirectory.name(environment: "CartPole-v1", experiment: "pets cart/pole", seed: 3, date: date),
                       "CartPole-v1__pets-cart-pole__3__20251125-153640-250")
    }

    func testAnExistingDirectoryIsRefusedUnlessResumed() throws {
        let url = root.appendingPathComponent("run")
        _ = try RunDirectory(url: url)
        XCTAssertThrowsError(try RunDirectory(url: url)) { error in
            XCTAssertEqual("\(error)", "run directory \(url.path) already exists; pass --resume to continue it, or choose another --out")
        }
        XCTAssertNoThrow(try RunDirectory(url: url, resume: true))
    }

    func testAtomicWritesReplaceWholeFilesAndLeaveNoTemporaries() throws {
        let directory = try RunDirectory(url: root.appendingPathComponent("run"))
        try directory.write("first\n", to: "metrics.jsonl")
        try directory.write("second\n", to: "metrics.jsonl")
        XCTAssertEqual(try String(contentsOf: directory.file("metrics.jsonl"), encoding: .utf8), "second\n")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.url.path).sorted()
        XCTAssertEqual(names, ["checkpoints", "metrics.jsonl"])
    }

    func testAnUnwritableLocationIsAnErrorNamingIt() throws {
        let file = root.appendingPathComponent("plain-file")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try "x".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try RunDirectory.writeAtomically(Array("y".utf8), to: file.appendingPathComponent("inside.txt"))) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(file.path)/inside.txt: cannot create a temporary file in \(file.path): "), "\(error)")
        }
    }

    func testMetricsLogWritesSortedJSONLines() {
        var log = MetricsLog()
        log.log(step: 200, ["train/episode_return": 41, "model/val_mse": 0.25])
        log.log(step: 400, ["train/episode_return": .nan])
        XCTAssertEqual(log.jsonLines(), """
        {"step": 200, "model/val_mse": 0.25, "train/episode_return": 41}
        {"step": 400, "train/episode_return": null}

        """)
        XCTAssertEqual(log.series("train/episode_return").count, 2)
        XCTAssertEqual(log.last("model/val_mse"), 0.25)
    }
}
