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
    /// What could not be read and was left out (a cut-off `metrics.jsonl` line, a missing `summary.json`):
    /// a half-written run directory still gives what is readable.
    public let problems: [String]

    /// Reads a run directory; only an unreadable `run.json` is an error (naming the file), anything else
    /// unreadable is left out and listed in `problems`.
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

        var problems: [String] = []
        let metricsFile = directory.appendingPathComponent("metrics.jsonl")
        var metrics: [[String: Double]] = []
        if let text = try? String(contentsOf: metricsFile, encoding: .utf8) {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            for (number, line) in lines.enumerated() where !line.isEmpty {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    let last = number == lines.count - 1
                    problems.append("metrics.jsonl line \(number + 1) is not a JSON object" + (last ? " (cut off: the run was still writing or was killed); the \(metrics.count) lines before it are used" : "; skipped that line"))
                    continue
                }
                metrics.append(object.compactMapValues { ($0 as? NSNumber)?.doubleValue })
            }
        } else {
            problems.append("no readable metrics.jsonl")
        }
        self.metrics = metrics

        let summaryFile = directory.appendingPathComponent("summary.json")
        if let data = try? Data(contentsOf: summaryFile),
           let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            summary = object.compactMapValues { ($0 as? NSNumber)?.doubleValue }
        } else {
            summary = [:]
            problems.append(FileManager.default.fileExists(atPath: summaryFile.path)
                ? "summary.json is unreadable (cost figures left out)"
                : "no summary.json (unfinished run: in the learning curves only, left out of final scores and cost)")
        }
        self.problems = problems
    }

    /// Whether the run ended (it wrote `summary.json`): only a finished run's last value is a final score.
    public var isFinished: Bool { !summary.isEmpty }

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
    case unknownGroupKey(keys: [String], differing: [String], available: [String])

    public var description: String {
        switch self {
        case let .unreadable(path, expected): return "\(path): cannot read it; expected \(expected)"
        case let .noRuns(detail): return "no runs to report: \(detail)"
        case let .missingMetric(key, available):
            return "no run logged metric '\(key)'; metrics present: \(available.joined(separator: ", "))"
        case let .unknownGroupKey(keys, differing, available):
            let differs = differing.isEmpty ? "no config key differs between the runs" : "keys that differ between the runs: \(differing.joined(separator: ", "))"
            return "--group-by: no run has config key \(keys.map { "'\($0)'" }.joined(separator: ", ")); \(differs); all keys: \(available.joined(separator: ", "))"
        }
    }
}
