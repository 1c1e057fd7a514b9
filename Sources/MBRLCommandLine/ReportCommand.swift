import ArgumentParser
import Experiments
import Foundation
import Reports

/// `mbrl report RUNS_OR_DIRS... --out DIR`: compare groups of runs with rliable's statistics (`ExperimentReport`).
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Compare runs: learning curves, final scores (mean, median, IQM with bootstrap CIs), probability of improvement, cost.",
        discussion: """
        Each argument is a run directory of `mbrl run`, a comparison directory of `mbrl eval-model`, or a directory
        searched (4 levels deep) for them — e.g. runs/ or a sweep directory (its manifest.json's failed and pending
        runs are listed as skipped). Runs are grouped by the resolved-config keys that differ between them (not the
        seed, name or output paths), or by --group-by. Writes report.html (self-contained: inline SVG, no scripts),
        report.md, report.csv (long format: table,row,column,value) and one SVG per figure to --out.
        Example: mbrl report runs/ --group-by model.backbone --out report
        """
    )

    @Argument(help: "Run directories, eval-model comparison directories, or directories holding them.")
    var runs: [String]

    @Option(help: "Comma-separated config keys naming a group (default: the keys that differ between the runs).")
    var groupBy: String?

    @Option(help: "Metric to plot and score (a key of metrics.jsonl); repeat for several (default: train/episode_return and eval/episode_return, those logged).")
    var metric: [String] = []

    @Option(help: "The curves' x axis: step (environment steps) or index (the n-th value, e.g. episode).")
    var xAxis = "step"

    @Option(help: "Bootstrap resamples for the confidence intervals.")
    var resamples = 2000

    @Option(help: "Seed of the bootstrap.")
    var seed: UInt64 = 0

    @Option(help: "Directory to write the report into.")
    var out = "report"

    func run() throws {
        guard let axis = ComparisonReport.XAxis(rawValue: xAxis) else {
            throw ValidationError("--x-axis must be one of \(ComparisonReport.XAxis.allCases.map(\.rawValue).joined(separator: ", ")), got '\(xAxis)'")
        }
        guard resamples >= 1 else { throw ValidationError("--resamples must be at least 1, got \(resamples)") }
        let keys = groupBy?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let options = ExperimentReport.Options(metrics: metric.isEmpty ? nil : metric, groupBy: keys, xAxis: axis,
                                               bootstrap: StratifiedBootstrap(resamples: resamples, seed: seed))
        let report = try ExperimentReport(paths: runs, options: options)
        let directory = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for file in report.files() {
            try RunDirectory.writeAtomically(Array(file.contents.utf8), to: directory.appendingPathComponent(file.name))
        }
        if let summary = report.modelSummary { print(summary.markdown()) }
        for table in report.tables where table.id.hasPrefix("scores-") { print("\(table.title)\n\(table.markdown())") }
        if !report.skipped.isEmpty { print("skipped or partly read: \(report.skipped.count) (see the report's Skipped section)") }
        print("wrote \(directory.path)/report.{html,md,csv} and \(report.figures.count) figure(s)")
    }
}
