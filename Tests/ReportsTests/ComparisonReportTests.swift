import XCTest
@testable import Reports

final class ComparisonReportTests: XCTestCase {
    func testSampleStatisticsMatchNumPy() {
        // python3 -c "import numpy as np; x=np.array([200,180,150.]); print(x.mean(), x.std(ddof=1), 4.303*x.std(ddof=1)/np.sqrt(3))"
        // 176.66666666666666 25.166114784235834 62.521140513518404
        let s = SampleStatistics([200, 180, 150])
        XCTAssertEqual(s.mean, 176.66666666666666, accuracy: 1e-9)
        XCTAssertEqual(s.standardDeviation, 25.166114784235834, accuracy: 1e-9)
        XCTAssertEqual(s.confidence95, 62.521140513518404, accuracy: 1e-9)
        XCTAssertEqual(s.median, 180)
        XCTAssertEqual(SampleStatistics([3]).confidence95, 0)
    }

    func testNiceTicksCoverTheRange() {
        let ticks = LinePlot.niceTicks(low: 3, high: 197)
        XCTAssertEqual(ticks.first, 0)
        XCTAssertGreaterThanOrEqual(ticks.last!, 197)
        XCTAssertEqual(ticks[1] - ticks[0], 50)
    }

    func makeRun(_ root: URL, name: String, backbone: String, seed: Int, returns: [Double]) throws -> URL {
        let dir = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try #"{"seed": \#(seed), "config": {"model.backbone": "\#(backbone)"}}"#.write(to: dir.appendingPathComponent("run.json"), atomically: true, encoding: .utf8)
        let lines = returns.enumerated().map { #"{"step": \#($0.offset * 200), "train/episode_return": \#($0.element)}"# }
        try (lines.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("metrics.jsonl"), atomically: true, encoding: .utf8)
        return dir
    }

    func testReportGroupsRunsAndSummarisesFinalValues() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("reports-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let runs = try [
            makeRun(root, name: "a0", backbone: "mlp", seed: 0, returns: [10, 100, 200]),
            makeRun(root, name: "a1", backbone: "mlp", seed: 1, returns: [20, 120, 180]),
            makeRun(root, name: "b0", backbone: "gru", seed: 0, returns: [5, 50, 90]),
        ].map { try RunRecord(directory: $0) }
        let report = try ComparisonReport(runs: runs, groupBy: "model.backbone", metric: "train/episode_return")
        XCTAssertEqual(report.rows.map(\.group), ["gru", "mlp"])
        XCTAssertEqual(report.rows[1].statistics.mean, 190)
        XCTAssertEqual(report.rows[1].statistics.count, 2)
        XCTAssertTrue(report.markdown().contains("| mlp | 2 | 190.00 | 14.14 |"))
        XCTAssertTrue(report.csv().hasPrefix("model.backbone,runs,mean,std,ci95,min,max\ngru,1,90.0,"))
        let svg = report.plot.svg()
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 2)
        XCTAssertTrue(report.html().contains("<svg"))
    }

    func testCurvesAgainstStepsAverageTheStepsEveryRunLogged() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("reports-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let runs = try [
            makeRun(root, name: "a0", backbone: "mlp", seed: 0, returns: [10, 100, 200]),     // steps 0, 200, 400
            makeRun(root, name: "a1", backbone: "mlp", seed: 1, returns: [20, 120]),          // steps 0, 200
            makeRun(root, name: "b0", backbone: "gru", seed: 0, returns: [5, 50, 90, 95]),    // steps 0 ... 600
        ].map { try RunRecord(directory: $0) }
        let report = try ComparisonReport(runs: runs, groupBy: "model.backbone", metric: "train/episode_return", xAxis: .step)
        let mlp = try XCTUnwrap(report.plot.series.first { $0.label.hasPrefix("mlp") })
        XCTAssertEqual(mlp.x, [0, 200])
        XCTAssertEqual(mlp.y, [15, 110])
        XCTAssertEqual(report.plot.series.first { $0.label.hasPrefix("gru") }?.x, [0, 200, 400, 600])
        XCTAssertEqual(report.plot.xLabel, "environment steps")
    }

    func testMissingMetricNamesTheAvailableOnes() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("reports-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let run = try RunRecord(directory: makeRun(root, name: "a", backbone: "mlp", seed: 0, returns: [1]))
        XCTAssertThrowsError(try ComparisonReport(runs: [run], groupBy: "model.backbone", metric: "model/val_nll")) { error in
            XCTAssertEqual("\(error)", "no run logged metric 'model/val_nll'; metrics present: train/episode_return")
        }
    }

    func testUnreadableRunNamesTheFile() {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("missing-\(UUID().uuidString)")
        XCTAssertThrowsError(try RunRecord(directory: dir)) { error in
            XCTAssertTrue("\(error)".contains("run.json: cannot read it; expected a JSON object written by `mbrl run`"), "\(error)")
        }
    }
}
