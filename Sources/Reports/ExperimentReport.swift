import Foundation

/// A figure of a report: an SVG line plot with a caption saying what is drawn.
public struct ReportFigure: Sendable {
    public var id: String
    public var caption: String
    public var plot: LinePlot
}

/// A section of a report: a title, a few sentences, and its figures and tables in order.
public struct ReportSection: Sendable {
    public enum Item: Sendable {
        case figure(ReportFigure)
        case table(ReportTable)
    }

    public var title: String
    public var text: String
    public var items: [Item]
}

/// The report `mbrl report` writes over run directories (and eval-model
/// comparisons), with the statistics rliable recommends for few runs
/// (Agarwal et al. 2021): per group of runs,
///
/// - learning curves (return against environment steps, one figure per
///   metric): the mean over runs with a pointwise bootstrap 95% band;
/// - final scores (each run's last value of the metric): mean, median and
///   interquartile mean, each with its stratified-bootstrap 95% CI, and the
///   probability of improvement between groups with its CI;
/// - model quality of eval-model comparisons (k-step open-loop error);
/// - cost (ms per planned action, gradient steps per second, wall time);
/// - the resolved-config keys that differ between groups;
/// - every input that was skipped or only partly read, and why.
///
/// Figures and tables come from the same per-run values. One bad run never
/// fails the report; only having no usable run or comparison does.
public struct ExperimentReport: Sendable {
    /// What to report and how.
    public struct Options: Sendable {
        /// Metrics of `metrics.jsonl` to plot and score; nil: `train/episode_return` and `eval/episode_return`, those logged.
        public var metrics: [String]?
        /// Config keys naming a group; nil: the keys that differ between the runs.
        public var groupBy: [String]?
        public var xAxis: ComparisonReport.XAxis
        public var bootstrap: StratifiedBootstrap
        /// At most this many points per learning curve (evenly thinned).
        public var maximumCurvePoints: Int

        public init(metrics: [String]? = nil, groupBy: [String]? = nil, xAxis: ComparisonReport.XAxis = .step,
                    bootstrap: StratifiedBootstrap = StratifiedBootstrap(), maximumCurvePoints: Int = 100) {
            self.metrics = metrics
            self.groupBy = groupBy
            self.xAxis = xAxis
            self.bootstrap = bootstrap
            self.maximumCurvePoints = max(2, maximumCurvePoints)
        }
    }

    public static let defaultMetrics = ["train/episode_return", "eval/episode_return"]

    /// The paths the report was asked for.
    public let inputs: [String]
    public let grouping: RunGrouping?
    public let sections: [ReportSection]
    public let skipped: [SkippedInput]
    /// The eval-model comparisons summarised per variant over seeds (nil when none was given).
    public let modelSummary: ModelComparisonSummary?

    /// Finds, reads and reports the runs and comparisons in `paths` (see `ReportInputs`).
    public init(paths: [String], options: Options = Options()) throws {
        let found = ReportInputs(paths: paths)
        var skipped = found.skipped
        var runs: [RunRecord] = []
        for directory in found.runDirectories {
            do { runs.append(try RunRecord(directory: directory)) } catch {
                skipped.append(SkippedInput(path: directory.path, reason: "\(error)"))
            }
        }
        var comparisons: [ModelComparisonReport] = []
        for directory in found.comparisonDirectories {
            do { comparisons.append(try ModelComparisonReport(directory: directory)) } catch {
                skipped.append(SkippedInput(path: directory.path, reason: "\(error)"))
            }
        }
        try self.init(runs: runs, comparisons: comparisons, skipped: skipped, inputs: paths, options: options)
    }

    /// Reports runs and comparisons already read.
    public init(runs: [RunRecord], comparisons: [ModelComparisonReport] = [], skipped: [SkippedInput] = [], inputs: [String],
                options: Options = Options()) throws {
        var skipped = skipped
        for run in runs {
            for problem in run.problems { skipped.append(SkippedInput(path: run.directory.path, reason: problem + " (partly read)")) }
        }
        let usable = runs.filter { !$0.metrics.isEmpty }
        for run in runs where run.metrics.isEmpty {
            skipped.append(SkippedInput(path: run.directory.path, reason: "no metric logged: left out"))
        }
        guard !usable.isEmpty || !comparisons.isEmpty else {
            let reasons = skipped.map { "\n  \($0.path): \($0.reason)" }.joined()
            throw ReportError.noRuns("none of \(inputs.joined(separator: ", ")) holds a usable run directory (run.json with metrics) or eval-model comparison" + reasons)
        }
        var sections: [ReportSection] = []
        var grouping: RunGrouping?
        if !usable.isEmpty {
            let groups = try RunGrouping(runs: usable, groupBy: options.groupBy)
            grouping = groups
            let requested = options.metrics ?? Self.defaultMetrics
            let logged = Set(usable.flatMap { $0.metrics.flatMap(\.keys) })
            var scored = 0
            for metric in requested {
                guard logged.contains(metric) else {
                    if options.metrics != nil {
                        skipped.append(SkippedInput(path: "--metric \(metric)", reason: "no run logged it; metrics present: \(logged.subtracting(["step"]).sorted().joined(separator: ", "))"))
                    }
                    continue
                }
                sections.append(Self.metricSection(metric, groups: groups, options: options, skipped: &skipped))
                scored += 1
            }
            if scored == 0 && comparisons.isEmpty {
                throw ReportError.missingMetric(key: requested.joined(separator: "', '"), available: logged.subtracting(["step"]).sorted())
            }
            if let cost = Self.costTable(groups) {
                sections.append(ReportSection(title: "Cost", text: "Means over the finished runs of each group that recorded the figure (summary.json; ms per planned action also from plan/ms_per_action). Gradient steps per second count the learner's updates (summary.json `updates` or `sac_updates`) over the run's whole wall time.", items: [.table(cost)]))
            }
            sections.append(Self.configSection(groups))
        }
        let modelSummary = comparisons.isEmpty ? nil : try? ModelComparisonSummary(comparisons: comparisons)
        if let modelSummary { sections.append(Self.modelSection(modelSummary, bootstrap: options.bootstrap)) }
        self.modelSummary = modelSummary
        self.inputs = inputs
        self.grouping = grouping
        self.sections = sections
        self.skipped = skipped
    }

    /// Every figure, in order.
    public var figures: [ReportFigure] {
        sections.flatMap(\.items).compactMap { if case let .figure(f) = $0 { return f } else { return nil } }
    }

    /// Every table, in order (the skipped inputs last).
    public var tables: [ReportTable] {
        sections.flatMap(\.items).compactMap { if case let .table(t) = $0 { return t } else { return nil } } + [skippedTable]
    }

    public var skippedTable: ReportTable {
        ReportTable(id: "skipped", title: "Skipped", note: "Inputs left out of the report, or only partly read, and why.",
                    header: ["path", "reason"], rows: skipped.map { [.text($0.path), .text($0.reason)] })
    }
}
