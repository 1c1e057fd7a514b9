import Foundation

/// Run directories written the way `mbrl run` writes them (run.json, metrics.jsonl, summary.json), for report tests:
/// `backbones` × `seeds` runs whose returns rise with the backbone's index, eval/ metrics for all but `withoutEval`,
/// plus a half-written run directory, a sweep manifest with a failed run, and an eval-model comparison.
struct SyntheticRuns {
    let root: URL
    let backbones = ["mlp", "gru", "s4wm"]
    let seeds = [0, 1, 2]
    let withoutEval = "s4wm"

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("report-runs-\(UUID().uuidString)")
        let sweep = root.appendingPathComponent("sweep")
        for (b, backbone) in backbones.enumerated() {
            for seed in seeds {
                let id = "\(backbone)-\(seed)"
                try Self.writeRun(sweep.appendingPathComponent("runs/\(id)"), backbone: backbone, seed: seed,
                                  level: Double(b), eval: backbone != withoutEval)
            }
        }
        // Half-written: run.json present, metrics.jsonl cut mid-line, no summary.json.
        let half = sweep.appendingPathComponent("runs/gru-3")
        try Self.writeRun(half, backbone: "gru", seed: 3, level: 1, eval: true, summary: false)
        let metrics = half.appendingPathComponent("metrics.jsonl")
        let text = try String(contentsOf: metrics, encoding: .utf8)
        try String(text.prefix(text.count * 2 / 3)).write(to: metrics, atomically: true, encoding: .utf8)
        // A failed run of the sweep: listed in the manifest, its directory holds a run.json but must not be read.
        try Self.writeRun(sweep.appendingPathComponent("runs/mlp-9"), backbone: "mlp", seed: 9, level: 100, eval: true)
        var entries = backbones.flatMap { b in seeds.map { #"{"id": "\#(b)-\#($0)", "state": "succeeded", "directory": "runs/\#(b)-\#($0)"}"# } }
        entries.append(#"{"id": "mlp-9", "state": "failed", "error": "NaN in the model loss", "directory": "runs/mlp-9"}"#)
        entries.append(#"{"id": "gru-3", "state": "running", "directory": "runs/gru-3"}"#)
        try #"{"runs": [\#(entries.joined(separator: ", "))]}"#.write(to: sweep.appendingPathComponent("manifest.json"), atomically: true, encoding: .utf8)
    }

    /// The half-written run, outside the sweep (so the manifest does not exclude it).
    func halfWrittenCopy() throws -> URL {
        let destination = root.appendingPathComponent("loose/gru-3")
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: root.appendingPathComponent("sweep/runs/gru-3"), to: destination)
        return destination
    }

    /// An eval-model comparison directory (run.json with variants, comparison.md, {variant}/evaluation.json).
    func writeComparison(seed: Int) throws -> URL {
        let directory = root.appendingPathComponent("models/cmp-\(seed)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try #"{"seed": \#(seed), "variants": ["mlp", "gru"], "backbones": ["mlp", "gru"]}"#.write(to: directory.appendingPathComponent("run.json"), atomically: true, encoding: .utf8)
        try "| variant |\n".write(to: directory.appendingPathComponent("comparison.md"), atomically: true, encoding: .utf8)
        for (v, variant) in ["mlp", "gru"].enumerated() {
            let rmse = (1...15).map { String(0.01 * Double($0) * Double(v + 1) + 0.001 * Double(seed)) }.joined(separator: ", ")
            let file = directory.appendingPathComponent("\(variant)/evaluation.json")
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try #"{"observationRMSE": [\#(rmse)], "rewardRMSE": [0.1], "parameterCount": \#(1000 * (v + 1)), "trainingStepsPerSecond": 50, "imaginationRowStepsPerSecond": 9000}"#
                .write(to: file, atomically: true, encoding: .utf8)
        }
        return directory
    }

    /// A memory-probe comparison at `corridor` (as `mbrl eval-model` writes it): `gru` remembers
    /// (97 + seed correct of 100) up to 64 cells and drops to chance beyond; `mlp` stays near chance.
    func writeMemoryComparison(seed: Int, corridor: Int) throws -> URL {
        let directory = root.appendingPathComponent("memory/L\(corridor)-s\(seed)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try #"{"seed": \#(seed), "variants": ["mlp", "gru"], "backbones": ["mlp", "gru"]}"#.write(to: directory.appendingPathComponent("run.json"), atomically: true, encoding: .utf8)
        try "| variant |\n".write(to: directory.appendingPathComponent("comparison.md"), atomically: true, encoding: .utf8)
        for (variant, correct) in [("mlp", 48 + seed), ("gru", corridor <= 64 ? 97 + seed : 50 + seed)] {
            let file = directory.appendingPathComponent("\(variant)/evaluation.json")
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try #"{"name": "\#(variant)", "corridorLength": \#(corridor), "trainEpisodes": 200, "episodes": 100, "correct": \#(correct), "accuracy": \#(Double(correct) / 100), "parameterCount": 900, "trainingSteps": 300, "trainLoss": 0.1, "trainingStepsPerSecond": \#(3000.0 / Double(corridor))}"#
                .write(to: file, atomically: true, encoding: .utf8)
        }
        return directory
    }

    static func writeRun(_ directory: URL, backbone: String, seed: Int, level: Double, eval: Bool, summary: Bool = true) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = #"{"seed": \#(seed), "started": "2026-12-07T00:00:0\#(seed)Z", "config": {"model.backbone": "\#(backbone)", "env.id": "Pendulum-v1", "name": "sweep-\#(backbone)", "seed": \#(seed), "output.dir": "runs/\#(seed)", "sac.gamma": 0.99}}"#
        try config.write(to: directory.appendingPathComponent("run.json"), atomically: true, encoding: .utf8)
        var lines: [String] = []
        var step = 0
        var episode = 0
        while step < 5000 {
            step += 180 + 20 * seed + (episode % 3) * 10
            let value = -1200 + level * 300 + Double(step) / 10 + Double((seed * 37 + episode * 11) % 50)
            lines.append(#"{"step": \#(step), "train/episode_return": \#(value), "train/episode_length": 200}"#)
            episode += 1
        }
        if eval {
            for k in 1...5 {
                lines.append(#"{"step": \#(k * 1000), "eval/episode_return": \#(-1000 + level * 250 + Double(k * 60 + seed * 7))}"#)
            }
        }
        try (lines.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("metrics.jsonl"), atomically: true, encoding: .utf8)
        if summary {
            try #"{"algorithm": "sac", "wall_seconds": \#(10 + level), "updates": \#(4000 + seed), "total_steps": \#(step)}"#
                .write(to: directory.appendingPathComponent("summary.json"), atomically: true, encoding: .utf8)
        }
    }
}
