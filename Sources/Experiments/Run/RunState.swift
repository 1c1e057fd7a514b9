import Foundation
import SeededRandom

/// What a run needs to continue after its last completed trial
/// (`checkpoints/state.json`, written atomically after every trial, beside
/// `checkpoints/replay.npz` and `checkpoints/model.safetensors`).
///
/// A resumed run continues with the saved data, model weights, normalisers,
/// elites and main generator; the optimiser's moments and the agent's planning
/// stream start afresh, so its numbers are reproducible but differ from those
/// of an uninterrupted run.
struct RunState: Codable {
    /// Trials completed.
    var trials: Int
    /// Environment steps so far (random steps included).
    var steps: Int
    /// Real episodes so far (random and trials).
    var episodes: Int
    /// The main generator after the last completed trial.
    var generator: SeededGenerator
    var trialReturns: [Double]
    var planMilliseconds: [Double]
    /// Seconds run before this process (for `wall_seconds`).
    var elapsedSeconds: Double
    /// Records of `metrics.jsonl` and rows of `episodes.csv` up to the last
    /// completed trial (a run killed later may have written more; those are dropped).
    var metricRecords: Int
    var episodeRows: Int

    static let file = "checkpoints/state.json"

    func write(to directory: RunDirectory) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try directory.write(encoder.encode(self), to: Self.file)
    }

    static func read(from directory: RunDirectory) throws -> RunState {
        let url = directory.file(file)
        guard let data = try? Data(contentsOf: url) else {
            throw ExperimentError.io(path: url.path, reason: "cannot resume: no saved state (the run finished no trial, ran with output.checkpoint: false, or is not a run directory)")
        }
        do {
            return try JSONDecoder().decode(RunState.self, from: data)
        } catch {
            throw ExperimentError.io(path: url.path, reason: "cannot resume: the saved state is not valid (\(error))")
        }
    }
}

extension MetricsLog {
    /// Reads `metrics.jsonl` as written by `jsonLines()` (nulls skipped).
    init(jsonLines text: String, file: String, limit: Int) throws {
        self.init()
        for (number, line) in text.split(separator: "\n").enumerated() where !line.isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let step = (object["step"] as? NSNumber)?.intValue else {
                throw ExperimentError.io(path: "\(file):\(number + 1)", reason: "not a metrics record")
            }
            var values: [String: Double] = [:]
            for (key, value) in object where key != "step" {
                if let number = value as? NSNumber { values[key] = number.doubleValue }
            }
            log(step: step, values)
            if records.count == limit { break }
        }
    }
}
