import ArgumentParser
import Experiments
import Foundation

/// What a sweep runs — the loaded config (`ExperimentSweep`), its file, the
/// command-line overrides and the mode — and the one way of readying a run
/// for its worker. Both launchers (the local worker pool of `mbrl sweep` and
/// the Slurm array tasks of `mbrl sweep task`) go through it, so they write
/// the same manifest and run the same command lines.
struct SweepJob {
    /// What each worker runs.
    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case run
        case evalModel = "eval-model"
    }

    /// The config file, absolute.
    var configURL: URL
    var overrides: [String]
    var mode: Mode
    var sweep: ExperimentSweep

    /// Loads `config` with `overrides`.
    init(config: String, overrides: [String], mode: Mode) throws {
        configURL = URL(fileURLWithPath: config).standardizedFileURL
        self.overrides = overrides
        self.mode = mode
        sweep = try ExperimentSweep.load(file: config, overrides: overrides)
    }

    /// The sweep a manifest records, refusing a config file changed since (its checksum).
    init(manifest: SweepManifest, directory: URL) throws {
        guard let mode = Mode(rawValue: manifest.mode) else {
            throw ExperimentError.io(path: SweepManifest.url(in: directory).path, reason: "unknown mode '\(manifest.mode)' (expected run or eval-model)")
        }
        try self.init(config: manifest.configFile, overrides: manifest.overrides, mode: mode)
        let checksum = try self.checksum()
        guard checksum == manifest.configChecksum else {
            throw ValidationError("\(manifest.configFile) changed since the sweep in \(directory.path) started (checksum \(manifest.configChecksum), now \(checksum))")
        }
    }

    /// The default sweep directory: `{output.dir}/sweep-{name}`.
    var defaultDirectory: String { "\(sweep.runs[0].config.output.dir)/sweep-\(sweep.name)" }

    func checksum() throws -> String { SweepManifest.checksum(try Data(contentsOf: configURL)) }

    /// A manifest of every run, all pending.
    func freshManifest() throws -> SweepManifest {
        let entries: [SweepManifest.Run]
        switch mode {
        case .run:
            entries = sweep.runs.map { run in
                SweepManifest.Run(id: run.id, variant: run.variant, seed: run.config.seed,
                                  overrides: run.point.map { sweep.points[$0].assignments } ?? [], directory: "runs/\(run.id)")
            }
        case .evalModel where sweep.points.isEmpty:
            entries = sweep.runSeeds.map { SweepManifest.Run(id: "seed-\($0)", variant: nil, seed: $0, overrides: [], directory: "runs/seed-\($0)") }
        case .evalModel:   // one comparison of every variant per (sweep point × seed)
            entries = sweep.points.indices.flatMap { point in
                sweep.runSeeds.map { seed in
                    SweepManifest.Run(id: "p\(point)_s\(seed)", variant: nil, seed: seed, overrides: sweep.points[point].assignments,
                                      directory: "runs/p\(point)_s\(seed)")
                }
            }
        }
        return SweepManifest(configFile: configURL.path, configChecksum: try checksum(), overrides: overrides, mode: mode.rawValue, runs: entries)
    }

    /// The manifest a previous launch left in `directory`, or a fresh one; refuses another sweep's.
    func manifest(in directory: URL) throws -> SweepManifest {
        let fresh = try freshManifest()
        guard let existing = try SweepManifest.load(from: directory) else { return fresh }
        if let reason = existing.mismatch(with: fresh) {
            throw ValidationError("\(SweepManifest.url(in: directory).path) belongs to another sweep: \(reason); use another --out")
        }
        return existing
    }

    /// Creates `directory/runs` and `directory/logs`, or throws naming the directory.
    static func createDirectory(_ directory: URL) throws {
        do {
            for name in ["runs", "logs"] {
                try FileManager.default.createDirectory(at: directory.appendingPathComponent(name), withIntermediateDirectories: true)
            }
        } catch {
            throw ExperimentError.io(path: directory.path, reason: "cannot create the sweep directory: \(error.localizedDescription)")
        }
    }

    /// Readies `entry`'s directory and returns its worker's arguments: `run --resume` when it has
    /// a checkpoint, else a fresh run (its directory emptied, its resolved `config.yaml` written
    /// first). The worker watches `parentPid` (`ParentWatch`) and uses `threads` threads.
    func prepare(_ entry: SweepManifest.Run, directory: URL, threads: Int, parentPid: Int32 = getpid()) throws -> [String] {
        let runURL = directory.appendingPathComponent(entry.directory)
        let common = ["--threads", String(threads), "--parent-pid", String(parentPid), "--quiet"]
        let manager = FileManager.default
        if mode == .run && manager.fileExists(atPath: runURL.appendingPathComponent("checkpoints/state.json").path) {
            return ["run", "--resume", runURL.path] + common
        }
        try? manager.removeItem(at: runURL)
        try manager.createDirectory(at: runURL, withIntermediateDirectories: true)
        switch mode {
        case .run:
            guard let run = sweep.runs.first(where: { $0.id == entry.id }) else {
                throw ValidationError("run \(entry.id) of the manifest is not a run of \(configURL.path)")
            }
            let file = runURL.appendingPathComponent("config.yaml")
            try RunDirectory.writeAtomically(Array(try run.config.renderedYAML().utf8), to: file)
            return ["run", file.path, "--run-directory", runURL.path] + common
        case .evalModel:
            // A sweep point: the config without its sweep: section, with the point's overrides.
            let point = sweep.points.isEmpty ? [] : ["sweep="] + entry.overrides
            let seed = sweep.runSeeds.count > 1 ? ["seeds=[\(entry.seed)]"] : []
            return ["eval-model", configURL.path] + overrides + point + seed + ["--out", runURL.path] + common
        }
    }
}
