import Foundation

/// Model comparisons of the same variants repeated over seeds (one
/// `ModelComparisonReport` per seed, each on its own data), summarised per
/// variant: mean ± sample standard deviation over seeds of the open-loop
/// observation RMSE at k = 1, 5, 15 (and the longest horizon) and the reward
/// RMSE at k = 1, or of the memory probe's accuracy; and a plot of the mean
/// observation RMSE against k with a min–max band over seeds.
///
/// Built from the reports in memory (`mbrl eval-model` with `seeds`) or read
/// back from the comparison directories `mbrl eval-model` writes (`run.json`
/// naming the variants, `{variant}/evaluation.json`), so `mbrl report` can
/// summarise them later. Foundation only: it reads the JSON, not the models.
public struct ModelComparisonSummary: Sendable {
    /// One comparison per seed.
    public let comparisons: [ModelComparisonReport]
    /// Variant names in first-seen order.
    public let variants: [String]

    public init(comparisons: [ModelComparisonReport]) throws {
        guard !comparisons.isEmpty else { throw ReportError.noRuns("no model comparisons given") }
        self.comparisons = comparisons
        var variants: [String] = []
        for row in comparisons.flatMap(\.rows) where !variants.contains(row.variant) { variants.append(row.variant) }
        self.variants = variants
    }

    /// Reads comparison directories written by `mbrl eval-model` on a config with variants.
    public init(directories: [URL]) throws {
        try self.init(comparisons: directories.map(ModelComparisonReport.init(directory:)))
    }

    /// The rows of `variant`, one per comparison that has it.
    func rows(_ variant: String) -> [ModelComparisonReport.Row] {
        comparisons.compactMap { $0.rows.first { $0.variant == variant } }
    }

    /// Whether the rows hold open-loop errors (else memory-probe accuracies).
    var isOpenLoop: Bool { comparisons.contains { $0.isOpenLoop } }

    /// The memory probes' corridor lengths, ascending (more than one: a sweep over the corridor, `Configs/memory-length.yaml`).
    public var corridorLengths: [Int] {
        Set(comparisons.flatMap(\.rows).compactMap(\.corridorLength)).sorted()
    }

    /// The rows of `variant` at `corridorLength`, one per comparison that has it.
    func rows(_ variant: String, corridorLength: Int) -> [ModelComparisonReport.Row] {
        rows(variant).filter { $0.corridorLength == corridorLength }
    }

    /// Memory-probe accuracy against the corridor length (log₂ axis) per variant: the mean over seeds
    /// with a min–max band (nil unless the comparisons hold more than one corridor length).
    public func memoryLengthPlot() -> LinePlot? {
        let lengths = corridorLengths
        guard lengths.count > 1 else { return nil }
        var series: [LinePlot.Series] = []
        for variant in variants {
            let columns = lengths.map { rows(variant, corridorLength: $0).compactMap(\.accuracy) }
            let present = lengths.indices.filter { !columns[$0].isEmpty }
            guard !present.isEmpty else { continue }
            series.append(LinePlot.Series(label: variant, x: present.map { Double(lengths[$0]) },
                                          y: present.map { columns[$0].reduce(0, +) / Double(columns[$0].count) },
                                          band: (present.map { columns[$0].min()! }, present.map { columns[$0].max()! })))
        }
        var plot = LinePlot(title: "T-maze memory probe: reward-sign accuracy against corridor length (chance 0.5)",
                            xLabel: "corridor length (cells between cue and junction)", yLabel: "accuracy", series: series)
        plot.logarithmicX = true
        return plot
    }

    /// The prediction steps shown: 1, 5, 15 and the shortest horizon of any row.
    public var tableSteps: [Int] {
        let horizon = comparisons.flatMap(\.rows).map(\.observationRMSE.count).filter { $0 > 0 }.min() ?? 0
        return Set([1, 5, 15, horizon]).filter { $0 >= 1 && $0 <= horizon }.sorted()
    }

    /// A Markdown table of mean ± std over seeds per variant (`seeds` counts the comparisons holding the variant).
    public func markdown() -> String {
        var header = ["variant", "seeds"]
        header += isOpenLoop ? tableSteps.map { "obs RMSE k=\($0)" } + ["reward RMSE k=1"] : ["accuracy"]
        var out = "| " + header.joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: header.count) + "\n"
        for variant in variants {
            let rows = rows(variant)
            var cells = [variant, String(rows.count)]
            if isOpenLoop {
                for k in tableSteps { cells.append(Self.meanStd(rows.compactMap { k <= $0.observationRMSE.count ? $0.observationRMSE[k - 1] : nil })) }
                cells.append(Self.meanStd(rows.compactMap(\.rewardRMSE.first)))
            } else {
                cells.append(Self.meanStd(rows.compactMap(\.accuracy)))
            }
            out += "| " + cells.joined(separator: " | ") + " |\n"
        }
        return out
    }

    /// Mean observation RMSE against k per variant, with a min–max band over seeds (nil without open-loop rows).
    public func plot() -> LinePlot? {
        var series: [LinePlot.Series] = []
        for variant in variants {
            let curves = rows(variant).map(\.observationRMSE).filter { !$0.isEmpty }
            guard let length = curves.map(\.count).min(), length > 0 else { continue }
            let columns = (0..<length).map { k in curves.map { $0[k] } }
            series.append(LinePlot.Series(label: "\(variant) (n=\(curves.count))", x: (1...length).map(Double.init),
                                          y: columns.map { $0.reduce(0, +) / Double($0.count) },
                                          band: (columns.map { $0.min()! }, columns.map { $0.max()! })))
        }
        guard !series.isEmpty else { return nil }
        return LinePlot(title: "open-loop observation RMSE over \(comparisons.count) seeds", xLabel: "prediction step k",
                        yLabel: "observation RMSE", series: series)
    }

    /// `mean ± std` with four significant digits (`-` for no values).
    static func meanStd(_ values: [Double]) -> String {
        guard !values.isEmpty else { return "-" }
        let s = SampleStatistics(values)
        return ModelComparisonReport.format(s.mean) + " ± " + ModelComparisonReport.format(s.standardDeviation)
    }
}

extension ModelComparisonReport {
    /// Reads a comparison directory written by `mbrl eval-model`: `run.json`
    /// (`variants`, `backbones`, `seed`) and each `{variant}/evaluation.json`
    /// (open loop: `observationRMSE`, `rewardRMSE`; memory probe: `correct`,
    /// `episodes`; both: `parameterCount`, `trainingStepsPerSecond`).
    public init(directory: URL) throws {
        func object(_ url: URL, expected: String) throws -> [String: Any] {
            guard let data = try? Data(contentsOf: url), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw ReportError.unreadable(path: url.path, expected: expected)
            }
            return object
        }
        let runFile = directory.appendingPathComponent("run.json")
        let run = try object(runFile, expected: "a JSON object written by `mbrl eval-model`")
        guard let variants = run["variants"] as? [String], !variants.isEmpty else {
            throw ReportError.unreadable(path: runFile.path, expected: "a 'variants' list: a comparison directory of `mbrl eval-model` on a config with variants")
        }
        let backbones = run["backbones"] as? [String] ?? variants
        var rows: [Row] = []
        for (index, variant) in variants.enumerated() {
            let file = directory.appendingPathComponent(variant).appendingPathComponent("evaluation.json")
            let e = try object(file, expected: "an evaluation written by `mbrl eval-model`")
            func doubles(_ key: String) -> [Double] { (e[key] as? [Any])?.compactMap { ($0 as? NSNumber)?.doubleValue } ?? [] }
            func double(_ key: String) -> Double? { (e[key] as? NSNumber)?.doubleValue }
            func int(_ key: String) -> Int? { (e[key] as? NSNumber)?.intValue }
            rows.append(Row(variant: variant, backbone: index < backbones.count ? backbones[index] : variant,
                            parameters: int("parameterCount") ?? 0, observationRMSE: doubles("observationRMSE"),
                            rewardRMSE: doubles("rewardRMSE"), correct: int("correct"), episodes: e["observationRMSE"] == nil ? int("episodes") : nil,
                            trainStepsPerSecond: double("trainingStepsPerSecond"),
                            imaginationRowsPerSecond: double("imaginationRowStepsPerSecond"),
                            corridorLength: e["observationRMSE"] == nil ? int("corridorLength") : nil,
                            trainSeconds: double("trainingStepsPerSecond").flatMap { rate in double("trainingSteps").map { $0 / max(rate, 1e-9) } }))
        }
        self.init(title: "seed \((run["seed"] as? NSNumber)?.intValue ?? 0)", rows: rows)
    }
}
