import Foundation

/// A side-by-side comparison of world models evaluated on the same data (one
/// row per model, e.g. per backbone), written by `mbrl eval-model` for a
/// config with variants: a Markdown table and an SVG line plot of the
/// open-loop observation RMSE against the prediction step k.
///
/// Plain numbers only (Reports does not depend on the models): a row holds
/// either the open-loop errors (`observationRMSE[k − 1]`, `rewardRMSE[k − 1]`
/// for k = 1...H) or the memory probe's reward-sign accuracy, plus the
/// model's parameter count and throughputs.
public struct ModelComparisonReport: Sendable, Equatable {
    /// One evaluated model.
    public struct Row: Sendable, Equatable {
        /// The variant's name (e.g. `gru`).
        public var variant: String
        /// The model family (e.g. `model.backbone`).
        public var backbone: String
        public var parameters: Int
        /// Open-loop observation RMSE at k = 1...H (empty for the memory probe).
        public var observationRMSE: [Double]
        /// Open-loop reward RMSE at k = 1...H (empty when not predicted or for the memory probe).
        public var rewardRMSE: [Double]
        /// Memory probe: test episodes whose final reward sign was right, and how many were scored.
        public var correct: Int?
        public var episodes: Int?
        /// Gradient steps per second in training (nil if not measured).
        public var trainStepsPerSecond: Double?
        /// Imagined rows × steps per second (nil if not measured).
        public var imaginationRowsPerSecond: Double?
        /// Memory probe: the T-maze's corridor cells (nil for open loop or when not recorded).
        public var corridorLength: Int?
        /// Seconds of training (gradient steps ÷ their rate; nil if not recorded).
        public var trainSeconds: Double?

        public init(variant: String, backbone: String, parameters: Int, observationRMSE: [Double] = [], rewardRMSE: [Double] = [],
                    correct: Int? = nil, episodes: Int? = nil, trainStepsPerSecond: Double? = nil,
                    imaginationRowsPerSecond: Double? = nil, corridorLength: Int? = nil, trainSeconds: Double? = nil) {
            self.variant = variant
            self.backbone = backbone
            self.parameters = parameters
            self.observationRMSE = observationRMSE
            self.rewardRMSE = rewardRMSE
            self.correct = correct
            self.episodes = episodes
            self.trainStepsPerSecond = trainStepsPerSecond
            self.imaginationRowsPerSecond = imaginationRowsPerSecond
            self.corridorLength = corridorLength
            self.trainSeconds = trainSeconds
        }

        /// `correct / episodes` (memory probe), nil otherwise.
        public var accuracy: Double? {
            guard let correct, let episodes, episodes > 0 else { return nil }
            return Double(correct) / Double(episodes)
        }
    }

    /// A title for the table and the plot (e.g. the environment and the seed).
    public var title: String
    public var rows: [Row]

    public init(title: String, rows: [Row]) {
        self.title = title
        self.rows = rows
    }

    /// The prediction steps shown in the table: 1, 5 and 15 where within the longest horizon, and that horizon.
    public var tableSteps: [Int] {
        let horizon = rows.map(\.observationRMSE.count).max() ?? 0
        return Set([1, 5, 15, horizon]).filter { $0 >= 1 && $0 <= horizon }.sorted()
    }

    /// Whether any row is an open-loop evaluation (else the table shows the memory probe's accuracy).
    var isOpenLoop: Bool { rows.contains { !$0.observationRMSE.isEmpty } }

    /// A Markdown table: open-loop errors at `tableSteps` (obs RMSE, reward RMSE at k = 1) and
    /// imagination throughput, or the memory probe's accuracy; parameters and training throughput
    /// in both. Missing values are `-`.
    public func markdown() -> String {
        var header = ["variant", "backbone", "parameters"]
        if isOpenLoop {
            header += tableSteps.map { "obs RMSE k=\($0)" } + ["reward RMSE k=1"]
        } else {
            header += ["accuracy", "correct"]
        }
        header.append("train steps/s")
        if isOpenLoop { header.append("imagination rows/s") }
        var out = "| " + header.joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: header.count) + "\n"
        for row in rows {
            var cells = [row.variant, row.backbone, String(row.parameters)]
            if isOpenLoop {
                cells += tableSteps.map { $0 <= row.observationRMSE.count ? Self.format(row.observationRMSE[$0 - 1]) : "-" }
                cells.append(row.rewardRMSE.first.map(Self.format) ?? "-")
            } else {
                cells.append(row.accuracy.map { String(format: "%.2f", $0) } ?? "-")
                cells.append(row.correct.map { "\($0)/\(row.episodes ?? 0)" } ?? "-")
            }
            cells.append(row.trainStepsPerSecond.map { String(format: "%.1f", $0) } ?? "-")
            if isOpenLoop { cells.append(row.imaginationRowsPerSecond.map { String(format: "%.0f", $0) } ?? "-") }
            out += "| " + cells.joined(separator: " | ") + " |\n"
        }
        return out
    }

    /// Observation RMSE against k, one line per open-loop row (nil when no row has open-loop errors).
    public func plot() -> LinePlot? {
        let series = rows.filter { !$0.observationRMSE.isEmpty }.map { row in
            LinePlot.Series(label: row.variant, x: (1...row.observationRMSE.count).map(Double.init), y: row.observationRMSE)
        }
        guard !series.isEmpty else { return nil }
        return LinePlot(title: "open-loop observation RMSE, \(title)", xLabel: "prediction step k",
                        yLabel: "observation RMSE", series: series)
    }

    /// Four significant digits (`%.4g`: `0.0009657`, `12.35`; scientific below 1e-4 or from 1e4 on).
    static func format(_ value: Double) -> String {
        value.isFinite ? String(format: "%.4g", value) : String(value)
    }
}
