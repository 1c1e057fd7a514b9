import Foundation
import XCTest
@testable import Reports

/// Renders reports in headless Chromium (screenshot and DOM) and checks what a reader sees: every figure is an
/// `<svg>` with one non-empty line per group, the final-score table has a row per group, the page loads without
/// console errors. Skipped when Chromium is missing, unless `MBRL_REQUIRE_CHROMIUM=1` (CI). With
/// `MBRL_REPORT_PNG=/abs/path.png` the fixture report's screenshot is copied there (for docs/).
final class ReportBrowserTests: XCTestCase {
    /// Real runs committed by the sweep (run dirs with run.json, metrics.jsonl, summary.json); optional.
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/backbone-sweep")

    func testSyntheticRunsRenderInChromium() throws {
        let chromium = try Self.chromiumOrSkip()
        let runs = try SyntheticRuns()
        defer { try? FileManager.default.removeItem(at: runs.root) }
        _ = try runs.halfWrittenCopy()
        let report = try ExperimentReport(paths: [runs.root.path])
        let groups = try XCTUnwrap(report.grouping).groups.map(\.label)
        XCTAssertEqual(groups, ["gru", "mlp", "s4wm"])
        let png = try check(report, chromium: chromium, expectedScoreRows: 3)
        try? FileManager.default.removeItem(at: png.deletingLastPathComponent())
    }

    func testCommittedFixtureRendersInChromium() throws {
        guard FileManager.default.fileExists(atPath: Self.fixture.path) else {
            throw XCTSkip("no committed fixture at \(Self.fixture.path); only the synthetic report is rendered")
        }
        let chromium = try Self.chromiumOrSkip()
        let report = try ExperimentReport(paths: [Self.fixture.path])
        let grouping = try XCTUnwrap(report.grouping, "the fixture holds no usable run")
        let png = try check(report, chromium: chromium, expectedScoreRows: grouping.groups.count)
        if let destination = ProcessInfo.processInfo.environment["MBRL_REPORT_PNG"], !destination.isEmpty {
            let target = URL(fileURLWithPath: destination)
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.copyItem(at: png, to: target)
        }
        try? FileManager.default.removeItem(at: png.deletingLastPathComponent())
    }

    // MARK: - Rendering and checks

    /// Writes the report, renders it, checks screenshot and DOM; returns the PNG's URL (in a temporary directory).
    func check(_ report: ExperimentReport, chromium: String, expectedScoreRows: Int,
               file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("report-html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        for item in report.files() { try Data(item.contents.utf8).write(to: out.appendingPathComponent(item.name)) }
        let page = out.appendingPathComponent("report.html")
        let png = out.appendingPathComponent("report.png")
        let rows = report.tables.map { $0.rows.count + 3 }.reduce(0, +)
        let height = 500 + 560 * report.figures.count + 34 * rows

        let shot = try Self.run(chromium, ["--screenshot=\(png.path)", "--window-size=1200,\(height)", page.absoluteString])
        XCTAssertEqual(shot.status, 0, "chromium --screenshot failed: \(shot.stderr)", file: file, line: line)
        Self.assertNoConsoleErrors(shot.stderr, file: file, line: line)
        let bytes = try Data(contentsOf: png)
        XCTAssertGreaterThan(bytes.count, 20_000, "the screenshot is suspiciously small", file: file, line: line)
        XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "not a PNG", file: file, line: line)

        let dump = try Self.run(chromium, ["--dump-dom", "--window-size=1200,\(height)", page.absoluteString])
        XCTAssertEqual(dump.status, 0, "chromium --dump-dom failed: \(dump.stderr)", file: file, line: line)
        Self.assertNoConsoleErrors(dump.stderr, file: file, line: line)
        let dom = dump.stdout
        let figures = Self.blocks(dom, open: "<figure", close: "</figure>")
        XCTAssertEqual(figures.count, report.figures.count, "one <figure> per figure", file: file, line: line)
        XCTAssertEqual(Self.count("<svg", in: dom), figures.count, "one <svg> per figure", file: file, line: line)
        for (figure, expected) in zip(figures, report.figures) {
            XCTAssertEqual(Self.count("<svg", in: figure), 1, expected.id, file: file, line: line)
            let lines = Self.blocks(figure, open: "<polyline", close: ">")
            XCTAssertEqual(lines.count, expected.plot.series.count, "one line per group in \(expected.id)", file: file, line: line)
            for polyline in lines {
                let points = polyline.components(separatedBy: "points=\"").dropFirst().first?.prefix { $0 != "\"" } ?? ""
                XCTAssertGreaterThanOrEqual(points.split(separator: " ").count, 1, "empty line in \(expected.id)", file: file, line: line)
                XCTAssertFalse(points.contains("nan"), "NaN coordinates in \(expected.id)", file: file, line: line)
            }
            XCTAssertTrue(figure.contains("<text"), "axis labels in \(expected.id)", file: file, line: line)
        }
        let scores = try XCTUnwrap(Self.blocks(dom, open: "<table id=\"scores-train-episode-return\"", close: "</table>").first,
                                   "no final-score table", file: file, line: line)
        let body = try XCTUnwrap(Self.blocks(scores, open: "<tbody", close: "</tbody>").first, file: file, line: line)
        XCTAssertEqual(Self.count("<tr", in: body), expectedScoreRows, "one final-score row per group", file: file, line: line)
        XCTAssertTrue(dom.contains("<h2>Skipped</h2>"), file: file, line: line)
        return png
    }

    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    /// The substrings from each `open` to the next `close` (inclusive).
    static func blocks(_ text: String, open: String, close: String) -> [String] {
        var result: [String] = []
        var rest = text[...]
        while let start = rest.range(of: open) {
            guard let end = rest[start.upperBound...].range(of: close) else { break }
            result.append(String(rest[start.lowerBound..<end.upperBound]))
            rest = rest[end.upperBound...]
        }
        return result
    }

    /// Console messages and renderer errors Chromium prints on stderr (the launcher's shell noise is ignored).
    static func assertNoConsoleErrors(_ stderr: String, file: StaticString, line: UInt) {
        let problems = stderr.split(separator: "\n").filter { entry in
            entry.contains("CONSOLE") || entry.contains(":ERROR:") || entry.contains("Uncaught") || entry.contains("ERR_")
        }
        XCTAssertTrue(problems.isEmpty, "chromium reported: \(problems.joined(separator: "\n"))", file: file, line: line)
    }

    // MARK: - Chromium

    static func chromiumOrSkip() throws -> String {
        let required = ProcessInfo.processInfo.environment["MBRL_REQUIRE_CHROMIUM"] == "1"
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
            for directory in path where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
                return "\(directory)/\(name)"
            }
        }
        if required {
            XCTFail("MBRL_REQUIRE_CHROMIUM=1 but no chromium, chromium-browser or google-chrome on PATH")
            throw XCTSkip("chromium required but missing")
        }
        throw XCTSkip("chromium is not installed: the browser test is skipped (set MBRL_REQUIRE_CHROMIUM=1 to make this a failure)")
    }

    /// Runs headless Chromium with `arguments` (a fresh profile each time), killing it after `timeout` seconds.
    static func run(_ chromium: String, _ arguments: [String], timeout: TimeInterval = 90) throws -> (status: Int32, stdout: String, stderr: String) {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-profile-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                             "--user-data-dir=\(profile.path)", "--log-level=3", "--hide-scrollbars"] + arguments
        let stdoutFile = profile.appendingPathExtension("out"), stderrFile = profile.appendingPathExtension("err")
        FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
        FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: stdoutFile); try? FileManager.default.removeItem(at: stderrFile) }
        process.standardOutput = try FileHandle(forWritingTo: stdoutFile)
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            XCTFail("chromium did not finish within \(Int(timeout)) s")
        }
        let out = (try? String(contentsOf: stdoutFile, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
        return (process.terminationStatus, out, err)
    }
}
