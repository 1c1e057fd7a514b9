import Foundation

/// The metrics of a run: one record per event (an episode, a model update),
/// each a step counter plus namespaced values (`train/episode_return`,
/// `model/val_nll`, `plan/ms_per_action`). Kept in memory and written to
/// `metrics.jsonl` atomically (the whole file is replaced), so a killed run
/// leaves the last complete version.
public struct MetricsLog: Sendable {
    /// One line of `metrics.jsonl`.
    public struct Record: Sendable, Equatable {
        public var step: Int
        public var values: [String: Double]
    }

    public private(set) var records: [Record] = []

    public init() {}

    /// Adds a record at environment step `step`.
    public mutating func log(step: Int, _ values: [String: Double]) {
        records.append(Record(step: step, values: values))
    }

    /// The last value logged under `key`, if any.
    public func last(_ key: String) -> Double? {
        records.last(where: { $0.values[key] != nil })?.values[key]
    }

    /// Every value logged under `key`, in order.
    public func series(_ key: String) -> [Double] {
        records.compactMap { $0.values[key] }
    }

    /// The JSON-lines text: `{"step": N, "key": value, ...}` with keys sorted.
    public func jsonLines() -> String {
        records.map { record in
            var fields = ["\"step\": \(record.step)"]
            for key in record.values.keys.sorted() {
                fields.append("\"\(key)\": \(jsonNumber(record.values[key]!))")
            }
            return "{" + fields.joined(separator: ", ") + "}\n"
        }.joined()
    }
}

/// A JSON number (non-finite values become null, which JSON has no number for).
func jsonNumber(_ x: Double) -> String {
    guard x.isFinite else { return "null" }
    if x == x.rounded() && abs(x) < 1e15 { return String(Int64(x)) }
    return String(x)
}
