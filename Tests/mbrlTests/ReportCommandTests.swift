import Foundation
import XCTest

/// `mbrl report` end to end: files written atomically into --out, and clear errors for bad input.
final class ReportCommandTests: XCTestCase {
    var temporary: URL!

    override func setUpWithError() throws {
        temporary = FileManager.default.temporaryDirectory.appendingPathComponent("mbrl-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: temporary) }

    /// Two backbones × two seeds of a `run.json` + `metrics.jsonl` + `summary.json` run, under `runs/`.
    func writeRuns() throws -> URL {
        let root = temporary.appendingPathComponent("runs")
        for (b, backbone) in ["mlp", "gru"].enumerated() {
            for seed in 0..<2 {
                let directory = root.appendingPathComponent("\(backbone)-\(seed)")
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                try #"{"seed": \#(seed), "config": {"model.backbone": "\#(backbone)", "seed": \#(seed), "name": "x\#(seed)"}}"#
                    .write(to: directory.appendingPathComponent("run.json"), atomically: true, encoding: .utf8)
                let lines = (1...5).map { #"{"step": \#($0 * 100), "train/episode_return": \#(Double($0 * 10 + b * 50 + seed))}"# }
                try (lines.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("metrics.jsonl"), atomically: true, encoding: .utf8)
                try #"{"wall_seconds": 2, "updates": 100}"#.write(to: directory.appendingPathComponent("summary.json"), atomically: true, encoding: .utf8)
            }
        }
        return root
    }

    func testReportWritesItsFilesAndPrintsTheScores() throws {
        let runs = try writeRuns()
        let out = temporary.appendingPathComponent("report")
        let result = try mbrl(["report", runs.path, "--out", out.path, "--resamples", "200"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("| group | runs | mean [95% CI] | median [95% CI] | IQM [95% CI] |"), result.stdout)
        XCTAssertTrue(result.stdout.contains("| mlp | 2 | 50.50 [50.00, 51.00] |"), result.stdout)
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        XCTAssertEqual(files, ["curve-train-episode-return.svg", "report.csv", "report.html", "report.md"])
    }

    func testGroupByAKeyNoRunHasListsTheKeys() throws {
        let runs = try writeRuns()
        let result = try mbrl(["report", runs.path, "--group-by", "model.backbone,planner.kind", "--out", temporary.appendingPathComponent("r").path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("--group-by: no run has config key 'planner.kind'; keys that differ between the runs: model.backbone; all keys: model.backbone, name, seed"), result.stderr)
    }

    func testNoRunsIsAnErrorNamingThePaths() throws {
        let empty = temporary.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let result = try mbrl(["report", empty.path, "--out", temporary.appendingPathComponent("r").path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("no runs to report: none of \(empty.path) holds a usable run directory"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: temporary.appendingPathComponent("r").path))
    }
}
