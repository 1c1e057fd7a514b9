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
