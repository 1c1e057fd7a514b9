import Foundation

/// An input `mbrl report` could not use, and why (shown in the report's "Skipped" section).
public struct SkippedInput: Sendable, Equatable {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}

/// What the paths given to `mbrl report` hold: run directories of `mbrl run`
/// (a `run.json`), comparison directories of `mbrl eval-model` (a
/// `comparison.md`), found in the paths themselves or up to `depth` levels
/// below them (e.g. `runs/`, or a sweep's `SWEEP/runs/<id>/`); and what was
/// skipped. A sweep's `manifest.json` (`"runs": [{"id", "state", "error",
/// "directory"}]`) lists runs that did not succeed: they are skipped with
/// their state and error rather than read half-finished.
public struct ReportInputs: Sendable {
    public var runDirectories: [URL] = []
    public var comparisonDirectories: [URL] = []
    public var skipped: [SkippedInput] = []

    /// States of a manifest entry whose run directory is used.
    static let finishedStates: Set<String> = ["succeeded", "success", "completed", "complete", "done", "finished", "ok"]

    public init(paths: [String], depth: Int = 4) {
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                skipped.append(SkippedInput(path: path, reason: "no such file or directory"))
                continue
            }
            guard isDirectory.boolValue else {
                skipped.append(SkippedInput(path: path, reason: "not a directory (expected a run directory or a directory holding runs)"))
                continue
            }
            let before = runDirectories.count + comparisonDirectories.count
            search(URL(fileURLWithPath: path).standardizedFileURL, levelsLeft: depth, excluded: [])
            if runDirectories.count + comparisonDirectories.count == before && !skipped.contains(where: { $0.path.hasPrefix(path) }) {
                skipped.append(SkippedInput(path: path, reason: "holds no run directory (run.json) or eval-model comparison (comparison.md) within \(depth) levels"))
            }
        }
    }

    private mutating func search(_ directory: URL, levelsLeft: Int, excluded: Set<String>) {
        let manager = FileManager.default
        func has(_ name: String) -> Bool { manager.fileExists(atPath: directory.appendingPathComponent(name).path) }
        if excluded.contains(directory.path) { return }
        if has("comparison.md") {
            if !comparisonDirectories.contains(directory) { comparisonDirectories.append(directory) }
            return
        }
        if has("run.json") {
            if !runDirectories.contains(directory) { runDirectories.append(directory) }
            return
        }
        var excluded = excluded
        if has("manifest.json") { excluded.formUnion(readManifest(directory)) }
        guard levelsLeft > 0,
              let children = try? manager.contentsOfDirectory(at: directory, includingPropertiesForKeys: [.isDirectoryKey],
                                                               options: [.skipsHiddenFiles]) else { return }
        for child in children.sorted(by: { $0.path < $1.path }) where child.lastPathComponent != "checkpoints" {
            guard (try? child.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true else { continue }
            search(child.standardizedFileURL, levelsLeft: levelsLeft - 1, excluded: excluded)
        }
    }

    /// Records the manifest's unfinished runs as skipped and returns their directories (not to be read).
    private mutating func readManifest(_ sweep: URL) -> Set<String> {
        let file = sweep.appendingPathComponent("manifest.json")
        guard let data = try? Data(contentsOf: file),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let runs = object["runs"] as? [[String: Any]] else {
            skipped.append(SkippedInput(path: file.path, reason: "unreadable sweep manifest (expected a JSON object with a \"runs\" list); its run directories are read as found"))
            return []
        }
        var excluded: Set<String> = []
        for run in runs {
            let id = (run["id"] as? String) ?? (run["id"].map { "\($0)" } ?? "?")
            let state = (run["state"] as? String) ?? "unknown"
            guard !Self.finishedStates.contains(state.lowercased()) else { continue }
            let directory: URL
            if let path = run["directory"] as? String, !path.isEmpty {
                directory = path.hasPrefix("/") ? URL(fileURLWithPath: path) : sweep.appendingPathComponent(path)
            } else {
                directory = sweep.appendingPathComponent("runs").appendingPathComponent(id)
            }
            excluded.insert(directory.standardizedFileURL.path)
            excluded.insert(sweep.appendingPathComponent("runs").appendingPathComponent(id).standardizedFileURL.path)
            let error = (run["error"] as? String).map { ": \($0)" } ?? ""
            skipped.append(SkippedInput(path: directory.standardizedFileURL.path, reason: "sweep run '\(id)' is \(state)\(error)"))
        }
        return excluded
    }
}
