import AtomicFiles
import Foundation

/// The directory a run writes: `{env}__{experiment}__{seed}__{timestamp}/`
/// under the output root, holding
///
/// - `config.yaml`: the resolved configuration (after overrides);
/// - `run.json`: seed, versions, command line, start time;
/// - `metrics.jsonl`: namespaced metrics, one record per line;
/// - `episodes.csv`: one row per real episode;
/// - `summary.json`: the final figures;
/// - `checkpoints/`: model weights (safetensors).
///
/// Every file is written atomically (`AtomicFile`). An existing directory is
/// refused unless `resume` is set.
public struct RunDirectory: Sendable {
    public let url: URL

    /// `{env}__{experiment}__{seed}__{timestamp}` with characters outside
    /// `[A-Za-z0-9._-]` replaced by `-`; the timestamp is UTC `yyyyMMdd-HHmmss-SSS`.
    public static func name(environment: String, experiment: String, seed: Int, date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss-SSS"
        func clean(_ s: String) -> String {
            String(s.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-" ? $0 : "-" })
        }
        return [clean(environment), clean(experiment), String(seed), formatter.string(from: date)].joined(separator: "__")
    }

    /// Creates (or, with `resume`, reopens) the directory at `url`.
    public init(url: URL, resume: Bool = false) throws {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard resume, isDirectory.boolValue else { throw ExperimentError.runDirectoryExists(path: url.path) }
        } else {
            do {
                try manager.createDirectory(at: url.appendingPathComponent("checkpoints"), withIntermediateDirectories: true)
            } catch {
                throw ExperimentError.io(path: url.path, reason: "could not create the run directory: \(error.localizedDescription)")
            }
        }
        self.url = url
    }

    /// Creates the directory at `url`, or takes over an existing one that holds no run yet (no
    /// `run.json`; `mbrl sweep` writes a run's `config.yaml` there before the run starts).
    public init(adopting url: URL) throws {
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("run.json").path) {
            throw ExperimentError.runDirectoryExists(path: url.path)
        }
        do {
            try FileManager.default.createDirectory(at: url.appendingPathComponent("checkpoints"), withIntermediateDirectories: true)
        } catch {
            throw ExperimentError.io(path: url.path, reason: "could not create the run directory: \(error.localizedDescription)")
        }
        self.url = url
    }

    /// The URL of `name` inside the run directory.
    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Atomically writes `text` to `name`.
    public func write(_ text: String, to name: String) throws {
        try Self.writeAtomically(Array(text.utf8), to: file(name))
    }

    /// Atomically writes `data` to `name`.
    public func write(_ data: Data, to name: String) throws {
        try Self.writeAtomically(data, to: file(name))
    }

    /// `AtomicFile.write`, its failure reported as `ExperimentError.io`.
    public static func writeAtomically(_ bytes: some ContiguousBytes, to url: URL) throws {
        do {
            try AtomicFile.write(bytes, to: url)
        } catch let error as AtomicFileError {
            throw ExperimentError.io(path: error.path, reason: error.reason)
        }
    }

    /// Atomically writes a JSON object (keys sorted, pretty-printed).
    public func writeJSON(_ object: [String: Any], to name: String) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try write(data + Data("\n".utf8), to: name)
    }
}
