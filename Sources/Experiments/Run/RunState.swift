import Foundation
import SeededRandom

/// What a run needs to continue after its last checkpoint
/// (`checkpoints/state.json`, written atomically after the loop's other
/// checkpoint files, so a run killed mid-write resumes from the previous
/// complete checkpoint): the counters every loop shares, and the loop's own
/// `Loop` state (its generators, schedules and counters).
///
/// A loop checkpoints only where the real environment is between episodes
/// (episodes restart from seeds derived from their index), so what it saves
/// is all it needs to continue exactly as an uninterrupted run would, except
/// where a loop's documentation says otherwise (PETS: the planner's stream).
struct RunState<Loop: Codable>: Codable {
    /// The algorithm that wrote the state (a resumed run must run the same loop).
    var algorithm: String
    /// Environment steps so far.
    var steps: Int
    /// Real training episodes so far (the next episode's seed index).
    var episodes: Int
    /// Returns and lengths of the training episodes so far, in order.
    var episodeReturns: [Double]
    var episodeLengths: [Int]
    /// Seconds run before this process (for `wall_seconds`).
    var elapsedSeconds: Double
    /// Records of `metrics.jsonl` and rows of `episodes.csv` at the checkpoint
    /// (a run killed later may have written more; those are dropped).
    var metricRecords: Int
    var episodeRows: Int
    /// The loop's own state.
    var loop: Loop

    static var file: String { "checkpoints/state.json" }

    func write(to directory: RunDirectory) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try directory.write(encoder.encode(self), to: Self.file)
    }

    static func read(from directory: RunDirectory) throws -> RunState {
        let url = directory.file(file)
        guard let data = try? Data(contentsOf: url) else {
            throw ExperimentError.io(path: url.path, reason: "cannot resume: no saved state (the run reached no checkpoint, ran with output.checkpoint: false, or is not a run directory)")
        }
        do {
            return try JSONDecoder().decode(RunState.self, from: data)
        } catch {
            throw ExperimentError.io(path: url.path, reason: "cannot resume: the saved state is not valid (\(error))")
        }
    }
}

extension MetricsLog {
    /// Reads `metrics.jsonl` as written by `jsonLines()` (nulls skipped), keeping the first `limit` records.
    /// Numbers are read with `Double(_:)` (correctly rounded), so every value written is read back exactly.
    init(jsonLines text: String, file: String, limit: Int) throws {
        self.init()
        for (number, line) in text.split(separator: "\n").enumerated() where !line.isEmpty {
            if records.count == limit { break }
            guard let fields = Self.fields(of: line), let step = fields["step"].flatMap({ $0 }).flatMap({ Int(exactly: $0) }) else {
                throw ExperimentError.io(path: "\(file):\(number + 1)", reason: "not a metrics record")
            }
            var values: [String: Double] = [:]
            for (key, value) in fields where key != "step" { if let value { values[key] = value } }
            log(step: step, values)
        }
    }

    /// The `"key": number-or-null` pairs of one line of `jsonLines()`, or nil if the line is not one.
    static func fields(of line: Substring) -> [String: Double?]? {
        guard line.hasPrefix("{"), line.hasSuffix("}") else { return nil }
        var fields: [String: Double?] = [:]
        for pair in line.dropFirst().dropLast().split(separator: ",") {
            let parts = pair.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            let key = parts[0].trimmingCharacters(in: .whitespaces), text = parts[1].trimmingCharacters(in: .whitespaces)
            guard key.count >= 2, key.hasPrefix("\""), key.hasSuffix("\"") else { return nil }
            if text == "null" {
                fields[String(key.dropFirst().dropLast())] = .some(nil)
            } else {
                guard let value = Double(text) else { return nil }
                fields[String(key.dropFirst().dropLast())] = value
            }
        }
        return fields
    }
}
