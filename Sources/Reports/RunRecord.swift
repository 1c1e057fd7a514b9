import Foundation

/// What a report reads from one run directory: the flattened resolved config
/// (`run.json` → `config`), the metrics (`metrics.jsonl`) and the summary
/// (`summary.json`). Foundation only: reports do not depend on the rest of
/// the framework, only on the files a run writes.
public struct RunRecord: Sendable {
    public let directory: URL
    /// The resolved config flattened to dotted keys (`model.backbone` → `mlp`).
    public let config: [String: String]
    /// `metrics.jsonl`, one record per line: `step` plus namespaced values.
    public let metrics: [[String: Double]]
    /// `summary.json`'s numeric values.
    public let summary: [String: Double]

    /// Reads a run directory; errors name the file and what was wrong.
    public init(directory: URL) throws {
        self.directory = directory
        let runFile = directory.appendingPathComponent("run.json")
        guard let runData = try? Data(contentsOf: runFile),
              let run = try? JSONSerialization.jsonObject(with: runData) as? [String: Any] else {
            throw ReportError.unreadable(path: runFile.path, expected: "a JSON object written by `mbrl run`")
        }
        var config: [String: String] = [:]
        for (key, value) in (run["config"] as? [String: Any]) ?? [:] { config[key] = "\(value)" }
        if let seed = run["seed"] { config["seed"] = "\(seed)" }
        self.config = config

        let metricsFile = directory.appendingPathComponent("metrics.jsonl")
        var metrics: [[String: Double]] = []
        if let text = try? String(contentsOf: metricsFile, encoding: .utf8) {
            for (number, line) in text.split(separator: "\n").enumerated() where !line.isEmpty {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    throw ReportError.unreadable(path: "\(metricsFile.path):\(number + 1)", expected: "one JSON object per line")
                }
                metrics.append(object.compactMapValues { ($0 as? NSNumber)?.doubleValue })
            }
        }
        self.metrics = metrics

        let summaryFile = directory.appendingPathComponent("summary.json")
        if let data = try? Data(contentsOf: summaryFile),
           let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            summary = object.compactMapValues { ($0 as? NSNumber)?.doubleValue }
        } else {
            summary = [:]
        }
    }

    /// The values of metric `key` in order, with the step each was logged at.
    public func series(_ key: String) -> [(step: Double, value: Double)] {
        metrics.compactMap { record in record[key].map { (record["step"] ?? 0, $0) } }
    }
}

/// Errors from building reports.
public enum ReportError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, expected: String)
    case noRuns(String)
    case missingMetric(key: String, available: [String])

    public var description: String {
        switch self {
        case let .unreadable(path, expected): return "\(path): cannot read it; expected \(expected)"
        case let .noRuns(detail): return "no runs to report: \(detail)"
        case let .missingMetric(key, available):
            return "no run logged metric '\(key)'; metrics present: \(available.joined(separator: ", "))"
        }
    }
}
