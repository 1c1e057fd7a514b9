import Foundation

extension ExperimentReport {
    /// A metric's learning curves, final-score table and probability-of-improvement table.
    static func metricSection(_ metric: String, groups: RunGrouping, options: Options, skipped: inout [SkippedInput]) -> ReportSection {
        var series: [LinePlot.Series] = []
        var scoreRows: [[ReportCell]] = []
        var finals: [(label: String, tasks: [String: [Double]])] = []
        let bootstrap = options.bootstrap
        for group in groups.groups {
            let logged = group.runs.filter { !$0.series(metric).isEmpty }
            guard !logged.isEmpty else {
                skipped.append(SkippedInput(path: "group '\(group.label)'", reason: "no run of the group logged \(metric)"))
                continue
            }
            for run in group.runs where !logged.contains(where: { $0.directory == run.directory }) {
                skipped.append(SkippedInput(path: run.directory.path, reason: "no \(metric) logged: left out of its figure and table"))
            }
            let aligned = AlignedCurves(series: logged.map { $0.series(metric) }, xAxis: options.xAxis,
                                        maximumPoints: options.maximumCurvePoints)
            let band = CurveBand(x: aligned.x, curves: aligned.curves, bootstrap: bootstrap)
            series.append(LinePlot.Series(label: "\(group.label) (n=\(band.runs))", x: band.x, y: band.mean,
                                          band: (band.lower, band.upper)))
            // Final score: each finished run's last value (an unfinished run's last value is not its
            // final score: it stays in the curve only); tasks (strata) are environments.
            let finished = logged.filter(\.isFinished)
            guard !finished.isEmpty else {
                skipped.append(SkippedInput(path: "group '\(group.label)'", reason: "no finished run (summary.json): left out of the final \(metric) scores"))
                continue
            }
            var byTask: [String: [Double]] = [:]
            for run in finished { byTask[run.config["env.id"] ?? "", default: []].append(run.series(metric).last!.value) }
            let tasks = byTask.keys.sorted().map { byTask[$0]! }
            finals.append((group.label, byTask))
            scoreRows.append([.text(group.label), .number(Double(finished.count), digits: 0)]
                             + Aggregate.allCases.map { .interval(bootstrap.interval(tasks: tasks, $0), digits: 2) })
        }
        let slug = metric.map { $0.isLetter || $0.isNumber ? $0 : "-" }
        let what = options.xAxis == .step ? "environment steps" : "index (n-th value logged)"
        let plot = LinePlot(title: "\(metric) against \(options.xAxis == .step ? "environment steps" : "index")",
                            xLabel: what, yLabel: metric, series: series)
        let figure = ReportFigure(id: "curve-\(String(slug))", caption: "\(metric): mean over the runs of each group (line) with a pointwise 95% bootstrap band of the mean (\(bootstrap.resamples) resamples of runs, seed \(bootstrap.seed)). Against steps, each run holds its last value until the next one, over the steps every run of the group reached.", plot: plot)
        let scores = ReportTable(
            id: "scores-\(String(slug))", title: "Final \(metric)",
            note: "Each finished run's last \(metric) (runs without summary.json are left out); per group the mean, median and interquartile mean (IQM: scipy.stats.trim_mean(x, 0.25), as rliable) over runs, each with its 95% stratified-bootstrap percentile CI (\(bootstrap.resamples) resamples within each environment; Agarwal et al. 2021).",
            header: ["group", "runs"] + Aggregate.allCases.map { "\($0.label) [95% CI]" }, rows: scoreRows)
        var items: [ReportSection.Item] = [.figure(figure), .table(scores)]
        if finals.count >= 2 {
            let poi = ProbabilityOfImprovement(bootstrap: bootstrap)
            let rows: [[ReportCell]] = finals.map { row in
                [.text(row.label)] + finals.map { column in
                    // Strata are the environments both groups ran on; none in common: no comparison.
                    let common = Set(row.tasks.keys).intersection(column.tasks.keys).sorted()
                    if column.label == row.label { return .text("–") }
                    if common.isEmpty { return .text("no common env.id") }
                    return .interval(poi.interval(tasks: common.map { row.tasks[$0]! }, common.map { column.tasks[$0]! }), digits: 2)
                }
            }
            items.append(.table(ReportTable(
                id: "improvement-\(String(slug))", title: "Probability of improvement, final \(metric)",
                note: "P(row > column): the chance a run of the row's group ends with a higher \(metric) than a run of the column's group (ties count ½; Mann–Whitney U / nm, averaged over the environments both ran on, rliable), with its 95% bootstrap CI (runs resampled independently per group and environment).",
                header: ["P(row > column)"] + finals.map(\.label), rows: rows)))
        }
        return ReportSection(title: metric, text: "", items: items)
    }

    /// ms per planned action, gradient steps per second and wall time per group (nil when no run recorded any).
    static func costTable(_ groups: RunGrouping) -> ReportTable? {
        func mean(_ values: [Double]) -> Double { values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count) }
        let columns: [(String, Int, (RunRecord) -> Double?)] = [
            ("ms per planned action", 1, { run in
                run.summary["ms_per_action"] ?? {
                    let values = run.series("plan/ms_per_action").map(\.value)
                    return values.isEmpty ? nil : mean(values)
                }()
            }),
            ("gradient steps per s", 1, { run in
                guard let updates = run.summary["updates"] ?? run.summary["sac_updates"], let wall = run.summary["wall_seconds"], wall > 0 else { return nil }
                return updates / wall
            }),
            ("wall time (s)", 1, { $0.summary["wall_seconds"] }),
            ("environment steps", 0, { $0.summary["total_steps"] }),
        ]
        let kept = columns.filter { column in groups.groups.contains { $0.runs.contains { $0.isFinished && column.2($0) != nil } } }
        guard !kept.isEmpty else { return nil }
        let rows: [[ReportCell]] = groups.groups.compactMap { group in
            let finished = group.runs.filter(\.isFinished)
            guard !finished.isEmpty else { return nil }
            return [.text(group.label), .number(Double(finished.count), digits: 0)]
                + kept.map { column in .number(mean(finished.compactMap(column.2)), digits: column.1) }
        }
        return ReportTable(id: "cost", title: "Cost per group", header: ["group", "runs"] + kept.map(\.0), rows: rows)
    }

    /// The resolved-config keys that differ between the runs, key × group.
    static func configSection(_ groups: RunGrouping) -> ReportSection {
        let keys = (groups.keys + groups.differingKeys.filter { !groups.keys.contains($0) })
        let rows: [[ReportCell]] = keys.map { key in
            [.text(key)] + groups.groups.map { group in
                var values: [String] = []
                for run in group.runs { let v = run.config[key] ?? "(unset)"; if !values.contains(v) { values.append(v) } }
                return .text(values.joined(separator: " / "))
            }
        }
        return ReportSection(title: "Configuration differences", text: groups.summary, items: [.table(ReportTable(
            id: "config", title: "Resolved-config keys that differ",
            note: "Keys whose value differs between runs (ignoring seed, name, output paths); a cell lists the group's values.",
            header: ["key"] + groups.groups.map(\.label), rows: rows))])
    }

    /// eval-model comparisons: open-loop error against k (figure and table), reward error or memory-probe
    /// accuracy, each the mean over seeds with its 95% bootstrap interval; which variants' intervals separate
    /// at the longest k (or in accuracy); parameters and throughput (mean ± std).
    static func modelSection(_ summary: ModelComparisonSummary, bootstrap: StratifiedBootstrap) -> ReportSection {
        if summary.corridorLengths.count > 1 { return memoryLengthSection(summary, bootstrap: bootstrap) }
        func meanStd(_ values: [Double]) -> ReportCell {
            guard !values.isEmpty else { return .text("-") }
            let s = SampleStatistics(values)
            return .text(ModelComparisonReport.format(s.mean) + (values.count > 1 ? " ± " + ModelComparisonReport.format(s.standardDeviation) : ""))
        }
        typealias Row = ModelComparisonReport.Row
        let quality: [(label: String, value: (Row) -> Double?)] = summary.isOpenLoop
            ? summary.tableSteps.map { k in ("obs RMSE k=\(k)", { k <= $0.observationRMSE.count ? $0.observationRMSE[k - 1] : nil }) }
                + [("reward RMSE k=1", { $0.rewardRMSE.first })]
            : [("accuracy", { $0.accuracy })]
        let intervals: [[ConfidenceInterval]] = summary.variants.map { variant in
            let rows = summary.rows(variant)
            return quality.map { column in bootstrap.interval(tasks: [rows.compactMap(column.value)], .mean) }
        }
        let header = ["variant", "seeds", "backbone", "parameters"] + quality.map { "\($0.label) [95% CI]" }
            + ["train steps/s", "imagination rows/s"]
        let rows: [[ReportCell]] = summary.variants.enumerated().map { index, variant in
            let rows = summary.rows(variant)
            return [.text(variant), .number(Double(rows.count), digits: 0), .text(rows.first?.backbone ?? variant),
                    .number(Double(rows.first?.parameters ?? 0), digits: 0)]
                + intervals[index].map { .significantInterval($0, digits: 4) }
                + [meanStd(rows.compactMap(\.trainStepsPerSecond)), meanStd(rows.compactMap(\.imaginationRowsPerSecond))]
        }
        var items: [ReportSection.Item] = []
        if let plot = summary.plot() {
            items.append(.figure(ReportFigure(id: "observation_rmse", caption: "Open-loop observation RMSE against the prediction step k: mean over seeds, band min–max over seeds.", plot: plot)))
        }
        items.append(.table(ReportTable(id: "model-quality", title: "Model quality per backbone",
                                        note: "Errors and accuracy: the mean over seeds with its 95% percentile-bootstrap interval (\(bootstrap.resamples) resamples of seeds; with 3 seeds the interval is the seeds' [min, max]). Throughput: mean ± std over seeds.",
                                        header: header, rows: rows)))
        // The ranking, stated only where intervals separate: the longest open-loop k, or the accuracy.
        let key = summary.isOpenLoop ? quality.count - 2 : 0
        items.append(.table(separationTable(summary.variants, intervals.map { $0[key] }, quality[key].label)))
        return ReportSection(title: "Model quality", text: "\(summary.comparisons.count) eval-model comparison(s).", items: items)
    }

    /// Which of `labels`' intervals of `quantity` separate (row vs column: lower, higher or overlap).
    static func separationTable(_ labels: [String], _ intervals: [ConfidenceInterval], _ quantity: String) -> ReportTable {
        let rows: [[ReportCell]] = labels.indices.map { i in
            [.text(labels[i])] + labels.indices.map { j in
                guard i != j else { return .text("") }
                switch intervals[i].separation(from: intervals[j]) {
                case -1: return .text("lower")
                case 1: return .text("higher")
                default: return .text("overlap")
                }
            }
        }
        return ReportTable(id: "model-separation", title: "Which intervals separate: \(quantity)",
                           note: "lower/higher: the row's 95% interval of the mean \(quantity) lies wholly below/above the column's; overlap: the seeds do not rank them.",
                           header: ["row vs column"] + labels, rows: rows)
    }

    /// Memory-probe comparisons over several corridor lengths (`Configs/memory-length.yaml`): accuracy against
    /// the corridor length per variant (figure and table, mean over seeds with its 95% bootstrap interval),
    /// training time per variant and length, and which intervals separate at the longest corridor.
    static func memoryLengthSection(_ summary: ModelComparisonSummary, bootstrap: StratifiedBootstrap) -> ReportSection {
        let lengths = summary.corridorLengths
        let accuracy: [[ConfidenceInterval]] = summary.variants.map { variant in
            lengths.map { bootstrap.interval(tasks: [summary.rows(variant, corridorLength: $0).compactMap(\.accuracy)], .mean) }
        }
        func seeds(_ variant: String) -> String {
            lengths.map { String(summary.rows(variant, corridorLength: $0).count) }.joined(separator: "/")
        }
        let accuracyRows: [[ReportCell]] = summary.variants.enumerated().map { index, variant in
            [.text(variant), .text(seeds(variant)), .number(Double(summary.rows(variant).first?.parameters ?? 0), digits: 0)]
                + accuracy[index].map { .interval($0, digits: 2) }
        }
        let timeRows: [[ReportCell]] = summary.variants.map { variant in
            [.text(variant)] + lengths.map { length in
                let seconds = summary.rows(variant, corridorLength: length).compactMap(\.trainSeconds)
                return .number(seconds.isEmpty ? .nan : seconds.reduce(0, +) / Double(seconds.count), digits: 1)
            }
        }
        var items: [ReportSection.Item] = []
        if let plot = summary.memoryLengthPlot() {
            items.append(.figure(ReportFigure(id: "memory_length", caption: "Reward-sign accuracy on held-out T-maze episodes against the corridor length (log scale): mean over seeds, band min–max over seeds; 0.5 is chance.", plot: plot)))
        }
        items.append(.table(ReportTable(
            id: "memory-length", title: "Memory probe accuracy against corridor length",
            note: "Reward-sign accuracy (chance 0.5): the mean over seeds with its 95% percentile-bootstrap interval (\(bootstrap.resamples) resamples; with 3 seeds the seeds' [min, max]). seeds: per corridor length.",
            header: ["variant", "seeds", "parameters"] + lengths.map { "L=\($0) [95% CI]" }, rows: accuracyRows)))
        items.append(.table(ReportTable(id: "memory-length-time", title: "Training time (s) against corridor length",
                                        note: "Seconds of training per model (gradient steps ÷ their rate), mean over seeds.",
                                        header: ["variant"] + lengths.map { "L=\($0)" }, rows: timeRows)))
        items.append(.table(separationTable(summary.variants, accuracy.map { $0[lengths.count - 1] }, "accuracy at L=\(lengths.last!)")))
        return ReportSection(title: "Memory against corridor length",
                             text: "\(summary.comparisons.count) eval-model comparison(s) over corridor lengths \(lengths.map(String.init).joined(separator: ", ")).",
                             items: items)
    }
}
