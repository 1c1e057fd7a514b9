import XCTest
@testable import Reports

final class ExperimentReportTests: XCTestCase {
    let fast = ExperimentReport.Options(bootstrap: StratifiedBootstrap(resamples: 200, seed: 0))

    func testSweepIsFoundGroupedAndItsUnfinishedRunsSkipped() throws {
        let runs = try SyntheticRuns()
        defer { try? FileManager.default.removeItem(at: runs.root) }
        let report = try ExperimentReport(paths: [runs.root.path], options: fast)
        let grouping = try XCTUnwrap(report.grouping)
        XCTAssertEqual(grouping.keys, ["model.backbone"])     // name, seed, output.dir and run.json's started are ignored
        XCTAssertEqual(grouping.groups.map(\.label), ["gru", "mlp", "s4wm"])
        XCTAssertEqual(grouping.groups.map(\.runs.count), [3, 3, 3])
        let reasons = report.skipped.map { "\($0.path): \($0.reason)" }.joined(separator: "\n")
        XCTAssertTrue(reasons.contains("sweep run 'mlp-9' is failed: NaN in the model loss"), reasons)
        XCTAssertTrue(reasons.contains("sweep run 'gru-3' is running"), reasons)
        XCTAssertTrue(reasons.contains("group 's4wm': no run of the group logged eval/episode_return"), reasons)

        let scores = try XCTUnwrap(report.tables.first { $0.id == "scores-train-episode-return" })
        XCTAssertEqual(scores.rows.count, 3)
        XCTAssertEqual(scores.header, ["group", "runs", "mean [95% CI]", "median [95% CI]", "IQM [95% CI]"])
        let evalScores = try XCTUnwrap(report.tables.first { $0.id == "scores-eval-episode-return" })
        XCTAssertEqual(evalScores.rows.map { $0[0].display }, ["gru", "mlp"])
        // Table and figure come from the same runs: the final eval mean is the mean of the runs' last eval values.
        guard case let .interval(mlpMean, _) = evalScores.rows[1][2] else { return XCTFail("not an interval") }
        XCTAssertEqual(mlpMean.estimate, -1000 + 300 + 7, accuracy: 1e-9)   // mean over seeds 0, 1, 2 of -1000 + 300 + 7·seed
        let figure = try XCTUnwrap(report.figures.first { $0.id == "curve-eval-episode-return" })
        XCTAssertEqual(figure.plot.series.map(\.label), ["gru (n=3)", "mlp (n=3)"])
        XCTAssertEqual(figure.plot.series[1].y.last!, mlpMean.estimate, accuracy: 1e-9)
        XCTAssertEqual(figure.plot.series[1].x, [1000, 2000, 3000, 4000, 5000])

        // Probability of improvement: every gru run beats every mlp run (level 1 vs 0).
        let poi = try XCTUnwrap(report.tables.first { $0.id == "improvement-train-episode-return" })
        XCTAssertEqual(poi.rows[0][2].display, "1.00 [1.00, 1.00]")
        XCTAssertEqual(poi.rows[1][1].display, "0.00 [0.00, 0.00]")

        let cost = try XCTUnwrap(report.tables.first { $0.id == "cost" })
        XCTAssertEqual(cost.header, ["group", "runs", "gradient steps per s", "wall time (s)", "environment steps"])
        XCTAssertEqual(cost.rows[1][3].display, "10.0")
    }

    func testHalfWrittenRunGivesWhatIsReadableAndSaysSo() throws {
        let runs = try SyntheticRuns()
        defer { try? FileManager.default.removeItem(at: runs.root) }
        let half = try runs.halfWrittenCopy()
        let report = try ExperimentReport(paths: [half.path], options: fast)
        XCTAssertEqual(report.grouping?.groups.map(\.runs.count), [1])
        let reasons = report.skipped.map(\.reason).joined(separator: "\n")
        XCTAssertTrue(reasons.contains("cut off"), reasons)
        XCTAssertTrue(reasons.contains("no summary.json"), reasons)
        // Unfinished (no summary.json): its curve is drawn, but its last value is no final score.
        XCTAssertEqual(report.figures.first { $0.id == "curve-train-episode-return" }?.plot.series.count, 1)
        XCTAssertEqual(report.tables.first { $0.id == "scores-train-episode-return" }?.rows.count, 0)
        XCTAssertTrue(reasons.contains("no finished run (summary.json): left out of the final train/episode_return scores"), reasons)
    }

    func testFilesCarryTheSameTables() throws {
        let runs = try SyntheticRuns()
        defer { try? FileManager.default.removeItem(at: runs.root) }
        _ = try runs.writeComparison(seed: 0)
        _ = try runs.writeComparison(seed: 1)
        let report = try ExperimentReport(paths: [runs.root.path], options: fast)
        let files = Dictionary(uniqueKeysWithValues: report.files().map { ($0.name, $0.contents) })
        XCTAssertEqual(Set(files.keys), ["report.html", "report.md", "report.csv", "curve-train-episode-return.svg",
                                         "curve-eval-episode-return.svg", "observation_rmse.svg"])
        let model = try XCTUnwrap(report.tables.first { $0.id == "model-quality" })
        XCTAssertEqual(model.rows.map { $0[0].display }, ["mlp", "gru"])
        XCTAssertEqual(model.rows[1][1].display, "2")          // seeds
        for table in report.tables {
            XCTAssertTrue(files["report.md"]!.contains(table.markdown()), table.id)
            XCTAssertTrue(files["report.html"]!.contains(table.html()), table.id)
            for line in table.csvLines() { XCTAssertTrue(files["report.csv"]!.contains(line), line) }
        }
        XCTAssertTrue(files["report.csv"]!.contains("scores-train-episode-return,mlp,IQM [95% CI] low,"))
        XCTAssertFalse(files["report.html"]!.contains("<script"))
        XCTAssertFalse(files["report.html"]!.contains("http://") && !files["report.html"]!.contains("xmlns=\"http://www.w3.org/2000/svg\""))
    }

    func testModelQualityGivesIntervalsAndRanksOnlyWhereTheySeparate() throws {
        let runs = try SyntheticRuns()
        defer { try? FileManager.default.removeItem(at: runs.root) }
        for seed in 0..<3 { _ = try runs.writeComparison(seed: seed) }
        let report = try ExperimentReport(paths: [runs.root.path], options: fast)
        let model = try XCTUnwrap(report.tables.first { $0.id == "model-quality" })
        let k15 = try XCTUnwrap(model.header.firstIndex(of: "obs RMSE k=15 [95% CI]"))
        // mlp's k = 15 error is 0.15 + 0.001·seed: mean 0.151; with 3 seeds the percentile interval is [min, max].
        XCTAssertEqual(model.rows[0][k15].display, "0.151 [0.15, 0.152]")
        XCTAssertEqual(model.rows[1][k15].display, "0.301 [0.3, 0.302]")
        let separation = try XCTUnwrap(report.tables.first { $0.id == "model-separation" })
        XCTAssertEqual(separation.title, "Which intervals separate: obs RMSE k=15")
        XCTAssertEqual(separation.rows.map { $0.map(\.display) }, [["mlp", "", "lower"], ["gru", "higher", ""]])
        // Equal errors (reward RMSE 0.1 for both) overlap: no ranking is claimed.
        let same = ConfidenceInterval(estimate: 0.1, lower: 0.1, upper: 0.1)
        XCTAssertEqual(same.separation(from: same), 0)
    }

    func testMemoryOverCorridorLengthsIsTabulatedAndPlottedPerLength() throws {
        let runs = try SyntheticRuns()
        defer { try? FileManager.default.removeItem(at: runs.root) }
        for corridor in [16, 64, 256] { for seed in 0..<3 { _ = try runs.writeMemoryComparison(seed: seed, corridor: corridor) } }
        let report = try ExperimentReport(paths: [runs.root.appendingPathComponent("memory").path], options: fast)
        XCTAssertNil(report.tables.first { $0.id == "model-quality" })   // lengths are not pooled
        let table = try XCTUnwrap(report.tables.first { $0.id == "memory-length" })
        XCTAssertEqual(table.header, ["variant", "seeds", "parameters", "L=16 [95% CI]", "L=64 [95% CI]", "L=256 [95% CI]"])
        XCTAssertEqual(table.rows.map { $0.map(\.display) }, [
            ["mlp", "3/3/3", "900", "0.49 [0.48, 0.50]", "0.49 [0.48, 0.50]", "0.49 [0.48, 0.50]"],
            ["gru", "3/3/3", "900", "0.98 [0.97, 0.99]", "0.98 [0.97, 0.99]", "0.51 [0.50, 0.52]"],
        ])
        // 300 steps at 3000 / L steps per second: L / 10 seconds.
        let time = try XCTUnwrap(report.tables.first { $0.id == "memory-length-time" })
        XCTAssertEqual(time.rows[1].map(\.display), ["gru", "1.6", "6.4", "25.6"])
        let separation = try XCTUnwrap(report.tables.first { $0.id == "model-separation" })
        XCTAssertEqual(separation.title, "Which intervals separate: accuracy at L=256")
        XCTAssertEqual(separation.rows[0].map(\.display), ["mlp", "", "overlap"])
        let figure = try XCTUnwrap(report.figures.first { $0.id == "memory_length" })
        XCTAssertEqual(figure.plot.series.map(\.x), [[16, 64, 256], [16, 64, 256]])
        let svg = figure.plot.svg()
        for tick in ["16", "32", "64", "128", "256"] { XCTAssertTrue(svg.contains(">\(tick)</text>"), tick) }
    }

    func testGroupByKeyNoRunHasListsTheKeys() throws {
        let runs = try SyntheticRuns()
        defer { try? FileManager.default.removeItem(at: runs.root) }
        var options = fast
        options.groupBy = ["model.backbon"]
        XCTAssertThrowsError(try ExperimentReport(paths: [runs.root.path], options: options)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("--group-by: no run has config key 'model.backbon'"), text)
            XCTAssertTrue(text.contains("keys that differ between the runs: model.backbone"), text)
            XCTAssertTrue(text.contains("all keys: env.id, model.backbone, name, output.dir, sac.gamma, seed"), text)
        }
        options.groupBy = ["env.id", "model.backbone"]
        let report = try ExperimentReport(paths: [runs.root.path], options: options)
        XCTAssertEqual(report.grouping?.groups.map(\.label), ["gru", "mlp", "s4wm"])   // env.id does not tell groups apart
    }

    func testNoUsableRunIsAnErrorNamingThePaths() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("report-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        XCTAssertThrowsError(try ExperimentReport(paths: [empty.path, "/no/such/run"], options: fast)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("no runs to report: none of \(empty.path), /no/such/run holds a usable run"), text)
            XCTAssertTrue(text.contains("/no/such/run: no such file or directory"), text)
            XCTAssertTrue(text.contains("holds no run directory (run.json)"), text)
        }
    }

    func testLabelsUseTheFewestKeysThatTellGroupsApart() {
        let groups: [[String: String]] = [
            ["algorithm": "dqn", "trials": "(unset)", "dqn.gamma": "0.99"],
            ["algorithm": "pets", "trials": "2", "dqn.gamma": "(unset)"],
            ["algorithm": "pets", "trials": "4", "dqn.gamma": "(unset)"],
        ]
        XCTAssertEqual(RunGrouping.labelKeys(["algorithm", "dqn.gamma", "trials"], distinguishing: groups), ["algorithm", "trials"])
    }

    func testCurvesOnStepsHoldTheLastValue() {
        let a: [(step: Double, value: Double)] = [(100, 1), (300, 3), (500, 5)]
        let b: [(step: Double, value: Double)] = [(200, 20), (400, 40)]
        let aligned = AlignedCurves(series: [a, b], xAxis: .step)
        XCTAssertEqual(aligned.x, [200, 300, 400])
        XCTAssertEqual(aligned.curves, [[1, 3, 3], [20, 20, 40]])
        XCTAssertEqual(AlignedCurves(series: [a, b], xAxis: .index).x, [0, 1])
        XCTAssertEqual(AlignedCurves.thin((0..<10).map(Double.init), to: 4), [0, 3, 6, 9])
    }

    func testVariantNamesLabelGroupsThatNeedSeveralKeys() {
        XCTAssertEqual(RunGrouping.distinctSuffixes(["mbpo-backbones-gru", "mbpo-backbones-rssm", "mbpo-backbones-mlp"]), ["gru", "rssm", "mlp"])
        XCTAssertEqual(RunGrouping.distinctSuffixes(["a-x-1", "a-x-2"]), ["1", "2"])
        XCTAssertNil(RunGrouping.distinctSuffixes(["same", "same"]))
        XCTAssertEqual(RunGrouping.distinctSuffixes(["gru", "mlp"]), ["gru", "mlp"])
    }
}
