import AtomicFiles
import Foundation

/// `manifest.json` of a sweep directory: what the sweep runs (config file,
/// its checksum, command-line overrides, mode) and the state of every run.
/// `mbrl sweep` rewrites it atomically (`AtomicFile`) after every change, so
/// a sweep killed at any moment leaves a whole manifest that the same command
/// continues from.
public struct SweepManifest: Codable, Sendable, Equatable {
    /// The state of one run.
    public enum State: String, Codable, Sendable, CaseIterable {
        case pending, running, done, failed
    }

    /// One run of the sweep.
    public struct Run: Codable, Sendable, Equatable {
        /// Stable, filesystem-safe id (`ExperimentSweep.Run.id`, or `seed-N` for eval-model jobs).
        public var id: String
        public var variant: String?
        public var seed: Int
        /// `key.path=value` of the run's sweep point (empty without a `sweep:` section).
        public var overrides: [String]
        public var state: State
        /// For a failed run: the exit status and the worker's last stderr lines.
        public var error: String?
        /// Worker processes started for it so far.
        public var attempts: Int
        /// The run's directory, relative to the sweep directory (`runs/<id>`).
        public var directory: String
        /// The worker's process id while running (to wait for it after the sweep was killed).
        public var pid: Int32?
        /// ISO 8601 times of the last start and the last finish.
        public var started: String?
        public var finished: String?
        /// The Slurm array task (`JOBID_INDEX`) that last ran it, under `--launcher slurm`.
        public var slurmTask: String?

        public init(id: String, variant: String?, seed: Int, overrides: [String], directory: String) {
            self.id = id
            self.variant = variant
            self.seed = seed
            self.overrides = overrides
            self.directory = directory
            state = .pending
            attempts = 0
        }
    }

    public var version = 1
    /// The config file (absolute path).
    public var configFile: String
    /// FNV-1a 64 of the config file's bytes (hex): a changed file is a different sweep.
    public var configChecksum: String
    /// The command-line overrides.
    public var overrides: [String]
    /// `run` or `eval-model`.
    public var mode: String
    public var created: String
    public var runs: [Run]
    /// Every `sbatch` submission of the sweep, in order (`--launcher slurm`; absent for a local sweep).
    public var slurmJobs: [SlurmJob]?

    /// One job array submitted by `mbrl sweep --launcher slurm`: its job id and the run indices it was given.
    public struct SlurmJob: Codable, Sendable, Equatable {
        /// The job id `sbatch --parsable` printed (without a `;cluster` suffix).
        public var id: String
        /// The manifest indices of its array tasks (`--array`).
        public var indices: [Int]
        /// ISO 8601 time of the submission, and of `mbrl sweep cancel` when it was cancelled.
        public var submitted: String
        public var cancelled: String?

        public init(id: String, indices: [Int], submitted: String = SweepManifest.timestamp()) {
            self.id = id
            self.indices = indices
            self.submitted = submitted
        }
    }

    public init(configFile: String, configChecksum: String, overrides: [String], mode: String, runs: [Run]) {
        self.configFile = configFile
        self.configChecksum = configChecksum
        self.overrides = overrides
        self.mode = mode
        self.runs = runs
        created = Self.timestamp()
    }

    /// The manifest's file in `directory`.
    public static func url(in directory: URL) -> URL { directory.appendingPathComponent("manifest.json") }

    /// Reads `directory/manifest.json`; nil when there is none.
    public static func load(from directory: URL) throws -> SweepManifest? {
        let url = url(in: directory)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return try JSONDecoder().decode(SweepManifest.self, from: Data(contentsOf: url))
        } catch {
            throw ExperimentError.io(path: url.path, reason: "not a sweep manifest: \(error)")
        }
    }

    /// Atomically writes `directory/manifest.json` (keys sorted, pretty-printed).
    public func save(in directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try RunDirectory.writeAtomically(try encoder.encode(self) + Data("\n".utf8), to: Self.url(in: directory))
    }

    /// Why this manifest belongs to another sweep than `other` (config file, its contents, overrides or mode), or nil.
    public func mismatch(with other: SweepManifest) -> String? {
        if configFile != other.configFile { return "it is the sweep of \(configFile), not \(other.configFile)" }
        if configChecksum != other.configChecksum { return "\(configFile) changed since the sweep started (checksum \(configChecksum), now \(other.configChecksum))" }
        if overrides != other.overrides {
            return "it was started with the overrides [\(overrides.joined(separator: " "))], not [\(other.overrides.joined(separator: " "))]"
        }
        if mode != other.mode { return "it was started with --mode \(mode), not \(other.mode)" }
        if runs.map(\.id) != other.runs.map(\.id) { return "its runs are not this command's runs" }
        return nil
    }

    /// How many runs are in each state.
    public var counts: [State: Int] { Dictionary(grouping: runs, by: \.state).mapValues(\.count) }

    /// The text of `mbrl sweep status`: one row per run (id, state, directory, error), then the counts.
    public func statusTable() -> String {
        let header = ["id", "state", "attempts", "directory", "error"]
        let rows = runs.map { run in
            [run.id, run.state.rawValue, String(run.attempts), run.directory,
             (run.error ?? "").split(separator: "\n").last.map(String.init) ?? ""]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $0.offset == cells.count - 1 ? $0.element : $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        var lines = ["sweep of \(configFile)" + (overrides.isEmpty ? "" : " " + overrides.joined(separator: " ")) + " (mode \(mode))",
                     line(header)]
        lines += rows.map(line)
        let counts = self.counts
        lines.append(State.allCases.map { "\($0.rawValue) \(counts[$0] ?? 0)" }.joined(separator: ", ") + " (of \(runs.count))")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Now, ISO 8601 in UTC with milliseconds.
    public static func timestamp(_ date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// FNV-1a 64 of `data`, as 16 hex digits.
    public static func checksum(_ data: Data) -> String { String(format: "%016llx", FileChecksum.fnv1a64(data)) }
}
