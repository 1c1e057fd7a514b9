import XCTest
@testable import Reports

final class ModelComparisonReportTests: XCTestCase {
    static let rows = [
        ModelComparisonReport.Row(variant: "mlp", backbone: "mlp", parameters: 1000,
                                  observationRMSE: (1...15).map { 0.01 * Double($0) }, rewardRMSE: [0.5, 0.6],
                                  trainStepsPerSecond: 123.45, imaginationRowsPerSecond: 98765.4),
        ModelComparisonReport.Row(variant: "gru-big", backbone: "gru", parameters: 2000,
                                  observationRMSE: (1...15).map { 0.002 * Double($0) }, trainStepsPerSecond: nil),
    ]

    func testOpenLoopTableIsPinned() {
        let report = ModelComparisonReport(title: "CartPole, seed 0", rows: Self.rows)
        XCTAssertEqual(report.tableSteps, [1, 5, 15])
        XCTAssertEqual(report.markdown(), """
            | variant | backbone | parameters | obs RMSE k=1 | obs RMSE k=5 | obs RMSE k=15 | reward RMSE k=1 | train steps/s | imagination rows/s |
            |---|---|---|---|---|---|---|---|---|
            | mlp | mlp | 1000 | 0.01 | 0.05 | 0.15 | 0.5 | 123.5 | 98765 |
            | gru-big | gru | 2000 | 0.002 | 0.01 | 0.03 | - | - | - |

            """)
    }

    func testShortHorizonsShowTheStepsTheyHave() {
        let row = ModelComparisonReport.Row(variant: "a", backbone: "gru", parameters: 1, observationRMSE: [0.1, 0.2, 0.3])
        let report = ModelComparisonReport(title: "t", rows: [row])
        XCTAssertEqual(report.tableSteps, [1, 3])
        XCTAssertTrue(report.markdown().contains("| a | gru | 1 | 0.1 | 0.3 | - | - | - |"), report.markdown())
    }

    func testMemoryProbeTableShowsAccuracy() {
        let rows = [ModelComparisonReport.Row(variant: "gru", backbone: "gru", parameters: 5, correct: 97, episodes: 100,
                                              trainStepsPerSecond: 40),
                    ModelComparisonReport.Row(variant: "mlp", backbone: "mlp", parameters: 7, correct: 51, episodes: 100)]
        let report = ModelComparisonReport(title: "T-maze", rows: rows)
        XCTAssertEqual(report.markdown(), """
            | variant | backbone | parameters | accuracy | correct | train steps/s |
            |---|---|---|---|---|---|
            | gru | gru | 5 | 0.97 | 97/100 | 40.0 |
            | mlp | mlp | 7 | 0.51 | 51/100 | - |

            """)
        XCTAssertNil(report.plot(), "no open-loop errors to plot")
    }

    func testPlotHasOneLinePerVariantAgainstK() throws {
        let plot = try XCTUnwrap(ModelComparisonReport(title: "CartPole, seed 0", rows: Self.rows).plot())
        XCTAssertEqual(plot.series.map(\.label), ["mlp", "gru-big"])
        XCTAssertEqual(plot.series[0].x, (1...15).map(Double.init))
        XCTAssertEqual(plot.series[1].y, Self.rows[1].observationRMSE)
        let svg = plot.svg()
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 2)
        XCTAssertTrue(svg.contains("prediction step k"))
    }

    func testNumbersKeepFourSignificantDigits() {
        XCTAssertEqual(ModelComparisonReport.format(0.012345), "0.01235")
        XCTAssertEqual(ModelComparisonReport.format(12.3456), "12.35")
        XCTAssertEqual(ModelComparisonReport.format(0.0009657), "0.0009657")
        XCTAssertEqual(ModelComparisonReport.format(0.00001234), "1.234e-05")
        XCTAssertEqual(ModelComparisonReport.format(0), "0")
    }
}

final class ModelComparisonSummaryTests: XCTestCase {
    static func report(seed: Int, scale: Double) -> ModelComparisonReport {
        ModelComparisonReport(title: "seed \(seed)", rows: [
            .init(variant: "mlp", backbone: "mlp", parameters: 10, observationRMSE: [0.1, 0.2, 0.3].map { $0 * scale }, rewardRMSE: [0.5 * scale]),
            .init(variant: "gru", backbone: "gru", parameters: 20, observationRMSE: [0.2, 0.4, 0.6].map { $0 * scale }),
        ])
    }

    func testMeanAndStdOverSeedsArePinned() throws {
        let summary = try ModelComparisonSummary(comparisons: [Self.report(seed: 0, scale: 1), Self.report(seed: 1, scale: 3)])
        XCTAssertEqual(summary.variants, ["mlp", "gru"])
        XCTAssertEqual(summary.tableSteps, [1, 3])
        // mlp k=1: 0.1 and 0.3 -> mean 0.2, std 0.1414; gru k=3: 0.6 and 1.8 -> mean 1.2, std 0.8485
        XCTAssertEqual(summary.markdown(), """
            | variant | seeds | obs RMSE k=1 | obs RMSE k=3 | reward RMSE k=1 |
            |---|---|---|---|---|
            | mlp | 2 | 0.2 ± 0.1414 | 0.6 ± 0.4243 | 1 ± 0.7071 |
            | gru | 2 | 0.4 ± 0.2828 | 1.2 ± 0.8485 | - |

            """)
        let plot = try XCTUnwrap(summary.plot())
        XCTAssertEqual(plot.series.map(\.label), ["mlp (n=2)", "gru (n=2)"])
        XCTAssertEqual(plot.series[0].y[2], 0.6, accuracy: 1e-12)
        XCTAssertEqual(plot.series[0].band?.upper[2] ?? 0, 0.9, accuracy: 1e-12)
        XCTAssertThrowsError(try ModelComparisonSummary(comparisons: []))
    }

    func testComparisonDirectoriesAreReadBack() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("summary-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var directories: [URL] = []
        for (seed, correct) in [(0, 90), (1, 100)] {
            let directory = root.appendingPathComponent("T-maze__cmp__\(seed)")
            for (variant, right) in [("mlp", 50), ("gru", correct)] {
                try FileManager.default.createDirectory(at: directory.appendingPathComponent(variant), withIntermediateDirectories: true)
                try #"{"name": "\#(variant)", "correct": \#(right), "episodes": 100, "accuracy": 0.5, "parameterCount": 7, "trainingStepsPerSecond": 12.5}"#
                    .write(to: directory.appendingPathComponent("\(variant)/evaluation.json"), atomically: true, encoding: .utf8)
            }
            try #"{"seed": \#(seed), "variants": ["mlp", "gru"], "backbones": ["mlp", "gru"]}"#
                .write(to: directory.appendingPathComponent("run.json"), atomically: true, encoding: .utf8)
            directories.append(directory)
        }
        let first = try ModelComparisonReport(directory: directories[0])
        XCTAssertEqual(first.title, "seed 0")
        XCTAssertEqual(first.rows[1], .init(variant: "gru", backbone: "gru", parameters: 7, correct: 90, episodes: 100, trainStepsPerSecond: 12.5))
        let summary = try ModelComparisonSummary(directories: directories)
        XCTAssertEqual(summary.markdown(), """
            | variant | seeds | accuracy |
            |---|---|---|
            | mlp | 2 | 0.5 ± 0 |
            | gru | 2 | 0.95 ± 0.07071 |

            """)
        XCTAssertNil(summary.plot())
        XCTAssertThrowsError(try ModelComparisonReport(directory: root)) { error in
            XCTAssertTrue("\(error)".contains("run.json: cannot read it; expected a JSON object written by `mbrl eval-model`"), "\(error)")
        }
    }
}
