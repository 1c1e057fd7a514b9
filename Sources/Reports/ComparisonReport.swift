import Foundation

/// (The single-metric table of earlier `mbrl report`s, kept for library users; the
/// command now writes `ExperimentReport`.)
///
/// Compares groups of runs (e.g. one group per world-model backbone, several
/// seeds each) on one metric, and writes the result as Markdown, CSV and an
/// HTML page with an SVG learning curve:
///
/// - the table gives, per group, the number of runs and the mean, standard
///   deviation, 95% CI, min and max of the metric's **final** value per run
///   (or of a `summary.json` value when `summaryKey` is set);
/// - the curve shows, per group, the mean of the metric against its index
///   (`xAxis: .index`, e.g. the episode) or against the environment step it
///   was logged at (`.step`: only the steps every run of the group logged,
///   e.g. evaluations), with a min–max band over runs.
public struct ComparisonReport: Sendable {
    /// What the curve's x axis counts.
    public enum XAxis: String, Sendable, CaseIterable {
        /// The metric's index in each run (the n-th episode).
        case index
        /// The environment step the metric was logged at.
        case step
    }

    public struct Row: Sendable {
        public let group: String
        public let statistics: SampleStatistics
    }

    public let metric: String
    public let groupBy: String
    public let rows: [Row]
    public let plot: LinePlot

    /// Groups `runs` by the config key `groupBy` (e.g. `model.backbone`) and
    /// summarises `metric` (e.g. `train/episode_return`).
    public init(runs: [RunRecord], groupBy: String, metric: String, xAxis: XAxis = .index) throws {
        guard !runs.isEmpty else { throw ReportError.noRuns("no run directories given") }
        let groups = Dictionary(grouping: runs) { $0.config[groupBy] ?? "(unset)" }
        var rows: [Row] = []
        var plotted: [LinePlot.Series] = []
        for name in groups.keys.sorted() {
            let series = groups[name]!.map { $0.series(metric) }.filter { !$0.isEmpty }
            guard !series.isEmpty else { continue }
            rows.append(Row(group: name, statistics: SampleStatistics(series.map { $0.last!.value })))
            let x: [Double], curves: [[Double]]
            switch xAxis {
            case .index:
                curves = series.map { $0.map(\.value) }
                x = (0..<curves.map(\.count).min()!).map(Double.init)
            case .step:
                var common = Set(series[0].map(\.step))
                for s in series.dropFirst() { common.formIntersection(s.map(\.step)) }
                x = common.sorted()
                curves = series.map { s in
                    let byStep = Dictionary(s.map { ($0.step, $0.value) }, uniquingKeysWith: { _, last in last })
                    return x.map { byStep[$0]! }
                }
            }
            let length = x.count
            let mean = (0..<length).map { i in curves.map { $0[i] }.reduce(0, +) / Double(curves.count) }
            let lower = (0..<length).map { i in curves.map { $0[i] }.min()! }
            let upper = (0..<length).map { i in curves.map { $0[i] }.max()! }
            plotted.append(LinePlot.Series(label: "\(name) (n=\(curves.count))", x: x, y: mean, band: (lower, upper)))
        }
        guard !rows.isEmpty else {
            let available = Set(runs.flatMap { $0.metrics.flatMap(\.keys) }).subtracting(["step"]).sorted()
            throw ReportError.missingMetric(key: metric, available: available)
        }
        self.metric = metric
        self.groupBy = groupBy
        self.rows = rows
        self.plot = LinePlot(title: "\(metric) by \(groupBy)", xLabel: xAxis == .index ? "episode" : "environment steps",
                             yLabel: metric, series: plotted)
    }

    /// A Markdown table.
    public func markdown() -> String {
        var out = "| \(groupBy) | runs | mean | std | 95% CI | min | max |\n|---|---|---|---|---|---|---|\n"
        for row in rows {
            let s = row.statistics
            out += "| \(row.group) | \(s.count) | \(fmt(s.mean)) | \(fmt(s.standardDeviation)) | ± \(fmt(s.confidence95)) | \(fmt(s.minimum)) | \(fmt(s.maximum)) |\n"
        }
        return out
    }

    /// CSV with a header line.
    public func csv() -> String {
        var out = "\(groupBy),runs,mean,std,ci95,min,max\n"
        for row in rows {
            let s = row.statistics
            out += "\(row.group),\(s.count),\(s.mean),\(s.standardDeviation),\(s.confidence95),\(s.minimum),\(s.maximum)\n"
        }
        return out
    }

    /// A self-contained HTML page: the table and the SVG curve.
    public func html() -> String {
        var table = "<table><tr><th>\(LinePlot.escape(groupBy))</th><th>runs</th><th>mean</th><th>std</th><th>95% CI</th><th>min</th><th>max</th></tr>\n"
        for row in rows {
            let s = row.statistics
            table += "<tr><td>\(LinePlot.escape(row.group))</td><td>\(s.count)</td><td>\(fmt(s.mean))</td><td>\(fmt(s.standardDeviation))</td><td>± \(fmt(s.confidence95))</td><td>\(fmt(s.minimum))</td><td>\(fmt(s.maximum))</td></tr>\n"
        }
        table += "</table>"
        return """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>\(LinePlot.escape(metric)) by \(LinePlot.escape(groupBy))</title>
        <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}</style>
        </head><body>
        <h1>\(LinePlot.escape(metric)) by \(LinePlot.escape(groupBy))</h1>
        <p>Final value per run, summarised over runs (95% CI: Student t).</p>
        \(table)
        \(plot.svg())
        </body></html>

        """
    }

    private func fmt(_ x: Double) -> String { String(format: "%.2f", x) }
}
