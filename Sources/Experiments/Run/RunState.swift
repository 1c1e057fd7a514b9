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
    /// FNV-1a 64 of every other file in `checkpoints/` when this state was
    /// written (hex, by file name): resume refuses a file that changed since,
    /// naming it, instead of continuing from corrupted weights or buffers.
    var checksums: [String: String]?

    static var file: String { "checkpoints/state.json" }

    /// The checksums of the files in `directory`'s `checkpoints/` (state.json and temporary files excepted).
    static func checksums(in directory: RunDirectory) throws -> [String: String] {
        let folder = directory.file("checkpoints")
        var sums: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path)
        where name != "state.json" && CheckpointGeneration.isCheckpointFile(name) {
            let data = try Data(contentsOf: folder.appendingPathComponent(name))
            sums[name] = String(FileChecksum.fnv1a64(data), radix: 16)
        }
        return sums
    }

    /// Throws, naming the file, if a file recorded in `checksums` is missing or differs.
    func verifyChecksums(in directory: RunDirectory) throws {
        guard let checksums else { return }
        let now = try Self.checksums(in: directory)
        for (name, sum) in checksums.sorted(by: { $0.key < $1.key }) {
            let path = directory.file("checkpoints/\(name)").path
            guard let current = now[name] else {
                throw ExperimentError.io(path: path, reason: "cannot resume: this checkpoint file is missing")
            }
            guard current == sum else {
                throw ExperimentError.io(path: path, reason: "cannot resume: the file changed since its checkpoint was written "
                                            + "(checksum \(current), recorded \(sum)); it is corrupted or from another run")
            }
        }
    }

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
