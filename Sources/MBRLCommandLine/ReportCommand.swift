import ArgumentParser
import Experiments
import Foundation
import Reports

/// `mbrl report RUN_DIR...`: compare runs grouped by a config key.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Compare runs: a table (Markdown, CSV) and a learning curve (HTML with SVG).",
        discussion: """
        Example: mbrl report runs/* --group-by model.backbone --metric train/episode_return --out report
        Given comparison directories of `mbrl eval-model` (one per seed), it summarises each variant
        over seeds instead (mean ± std) and plots the observation RMSE against k.
        """
    )

    @Argument(help: "Run directories written by `mbrl run` (or comparison directories of `mbrl eval-model`).")
    var runs: [String]

    @Option(help: "Config key whose value names a group (e.g. model.backbone, planner.kind).")
    var groupBy = "model.backbone"

    @Option(help: "Metric to compare (a key of metrics.jsonl).")
    var metric = "train/episode_return"

    @Option(help: "The curve's x axis: index (the n-th value, e.g. episode) or step (environment steps, e.g. for eval/ metrics).")
    var xAxis = "index"

    @Option(help: "Directory to write report.md, report.csv and report.html into.")
    var out = "report"

    func run() throws {
        let isComparison = { (path: String) in FileManager.default.fileExists(atPath: path + "/comparison.md") }
        if !runs.isEmpty && runs.allSatisfy(isComparison) {
            try summariseComparisons()
            return
        }
        let records = try runs.map { try RunRecord(directory: URL(fileURLWithPath: $0)) }
        guard let axis = ComparisonReport.XAxis(rawValue: xAxis) else {
            throw ValidationError("--x-axis must be one of \(ComparisonReport.XAxis.allCases.map(\.rawValue).joined(separator: ", ")), got '\(xAxis)'")
        }
        let report = try ComparisonReport(runs: records, groupBy: groupBy, metric: metric, xAxis: axis)
        let directory = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try RunDirectory.writeAtomically(Array(report.markdown().utf8), to: directory.appendingPathComponent("report.md"))
        try RunDirectory.writeAtomically(Array(report.csv().utf8), to: directory.appendingPathComponent("report.csv"))
        try RunDirectory.writeAtomically(Array(report.html().utf8), to: directory.appendingPathComponent("report.html"))
        try RunDirectory.writeAtomically(Array(report.plot.svg().utf8), to: directory.appendingPathComponent("curve.svg"))
        print(report.markdown(), terminator: "")
        print("wrote \(directory.path)/report.{md,csv,html} and curve.svg")
    }

    /// Comparison directories of `mbrl eval-model` (one per seed): mean ± std per variant, and the RMSE plot.
    func summariseComparisons() throws {
        let summary = try ModelComparisonSummary(directories: runs.map { URL(fileURLWithPath: $0) })
        let directory = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let plot = summary.plot()
        if let plot { try RunDirectory.writeAtomically(Array(plot.svg().utf8), to: directory.appendingPathComponent("observation_rmse.svg")) }
        let markdown = summary.markdown() + (plot == nil ? "" : "\n![observation RMSE against k](observation_rmse.svg)\n")
        try RunDirectory.writeAtomically(Array(markdown.utf8), to: directory.appendingPathComponent("report.md"))
        print(summary.markdown(), terminator: "")
        print("wrote \(directory.path)/report.md" + (plot == nil ? "" : " and observation_rmse.svg"))
    }
}
