import Foundation
import XCTest

/// `mbrl sweep`: worker processes, the manifest, failures, refusals, and a sweep killed with SIGKILL and rerun.
final class SweepCommandTests: XCTestCase {
    var temporary: URL!

    override func setUpWithError() throws {
        temporary = FileManager.default.temporaryDirectory.appendingPathComponent("mbrl-sweep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: temporary)
    }

    /// A DQN config on CartPole: `steps` environment steps, a checkpoint every `steps / 6`, a grid of 3 learning rates × seeds 0, 1.
    func config(steps: Int = 300, grid: String = "[1.0e-3, 3.0e-3, 1.0e-2]", extra: String = "") throws -> String {
        let yaml = """
            name: tiny
            algorithm: dqn
            seeds: [0, 1]
            total_steps: \(steps)
            env: {id: CartPole-v1}
            dqn: {learning_starts: 20, train_frequency: 4, gradient_steps: 2, batch_size: 8, hidden_sizes: [8], buffer_size: 400, target_network_frequency: 10}
            eval: {every: \(steps / 3), episodes: 1}
            output: {checkpoint_every: \(steps / 6)}
            sweep:
              grid: {dqn.learning_rate: \(grid)}

            """ + extra
        let url = temporary.appendingPathComponent("sweep.yaml")
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// The manifest's runs (as JSON objects), in order.
    func manifestRuns(_ directory: URL) throws -> [[String: Any]] {
        let data = try Data(contentsOf: directory.appendingPathComponent("manifest.json"))
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try XCTUnwrap(object["runs"] as? [[String: Any]])
    }

    func testASweepRunsEveryPointAndSeedInWorkersAndSkipsThemWhenRerun() throws {
        let file = try config()
        let out = temporary.appendingPathComponent("out")
        let started = Date()
        var result = try mbrl(["sweep", file, "--workers", "2", "--out", out.path])
        print(String(format: "sweep of 6 runs, 2 workers: %.1f s", Date().timeIntervalSince(started)))
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("6 runs (0 done), 2 workers x 1 threads"), result.stdout)
        var runs = try manifestRuns(out)
        XCTAssertEqual(runs.map { $0["id"] as? String }, ["p0_s0", "p0_s1", "p1_s0", "p1_s1", "p2_s0", "p2_s1"])
        XCTAssertEqual(runs.map { $0["state"] as? String }, Array(repeating: "done", count: 6))
        XCTAssertEqual(runs.map { $0["attempts"] as? Int }, Array(repeating: 1, count: 6))
        XCTAssertEqual(runs.map { $0["seed"] as? Int }, [0, 1, 0, 1, 0, 1])
        XCTAssertEqual(runs[2]["overrides"] as? [String], ["dqn.learning_rate=3.0e-3"])
        for run in runs {
            let directory = out.appendingPathComponent(try XCTUnwrap(run["directory"] as? String))
            XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent("summary.json").path), directory.path)
            let config = try String(contentsOf: directory.appendingPathComponent("config.yaml"), encoding: .utf8)
            XCTAssertTrue(config.contains("seed: \(run["seed"] as! Int)\n"), config)
        }
        XCTAssertTrue(try String(contentsOf: out.appendingPathComponent("runs/p2_s1/config.yaml"), encoding: .utf8).contains("learning_rate: 0.01"))
        let manifest = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("manifest.json"))) as? [String: Any])
        XCTAssertEqual(manifest["configFile"] as? String, file)
        XCTAssertEqual(manifest["mode"] as? String, "run")

        // status: a table and the counts.
        result = try mbrl(["sweep", "status", out.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("p1_s0  done   1         runs/p1_s0"), result.stdout)
        XCTAssertTrue(result.stdout.hasSuffix("pending 0, running 0, done 6, failed 0 (of 6)\n"), result.stdout)

        // The same command again: nothing to do, nothing rewritten.
        let summary = try Data(contentsOf: out.appendingPathComponent("runs/p0_s0/summary.json"))
        result = try mbrl(["sweep", file, "--workers", "2", "--out", out.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("6 runs (6 done)"), result.stdout)
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("runs/p0_s0/summary.json")), summary)
        runs = try manifestRuns(out)
        XCTAssertEqual(runs.map { $0["attempts"] as? Int }, Array(repeating: 1, count: 6))

        // Another sweep's command in this directory, a held lock, a bad worker count: clear errors.
        result = try mbrl(["sweep", file, "eval.episodes=2", "--out", out.path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("\(out.path)/manifest.json belongs to another sweep: it was started with the overrides [], not [eval.episodes=2]"),
                      result.stderr)
        let lock = open(out.appendingPathComponent("sweep.lock").path, O_RDWR)
        XCTAssertEqual(flock(lock, LOCK_EX | LOCK_NB), 0)
        result = try mbrl(["sweep", file, "--out", out.path])
        close(lock)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("another mbrl sweep is running in \(out.path)"), result.stderr)
        result = try mbrl(["sweep", file, "--workers", "0", "--out", out.path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("--workers must be at least 1, got 0"), result.stderr)

        // `mbrl run` runs every point in turn (here: lists them); eval-model refuses the sweep section (mbrl sweep runs its points).
        result = try mbrl(["run", file, "--dry-run"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout.components(separatedBy: "# variant: -, seed: ").count - 1, 6, result.stdout)
        XCTAssertTrue(result.stdout.contains("# variant: -, seed: 1, point p2: dqn.learning_rate=1.0e-2"), result.stdout)
        result = try mbrl(["eval-model", file])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("has a sweep: section"), result.stderr)
        XCTAssertTrue(result.stderr.contains("which `mbrl sweep --mode eval-model` runs"), result.stderr)
    }

    func testAFailingRunIsRecordedAndTheOthersFinish() throws {
        let file = try config(grid: "[1.0e-3]", extra: """
            variants:
              ok: {}
              bad: {env: {id: External-v0, settings: {command: "sh -c 'echo doomed-child >&2; exit 3'"}}}

            """)
        let out = temporary.appendingPathComponent("out")
        var result = try mbrl(["sweep", file, "--workers", "2", "--out", out.path])
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        XCTAssertTrue(result.stderr.contains("2 run(s) failed"), result.stderr)
        XCTAssertTrue(result.stderr.contains("bad_p0_s0: exit status 1"), result.stderr)
        let runs = try manifestRuns(out)
        XCTAssertEqual(runs.map { $0["id"] as? String }, ["ok_p0_s0", "ok_p0_s1", "bad_p0_s0", "bad_p0_s1"])
        XCTAssertEqual(runs.map { $0["state"] as? String }, ["done", "done", "failed", "failed"])
        let error = try XCTUnwrap(runs[2]["error"] as? String)
        XCTAssertTrue(error.hasPrefix("exit status 1\n") && error.contains("doomed-child"), error)
        result = try mbrl(["sweep", "status", out.path])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stdout.contains("bad_p0_s1  failed") && result.stdout.contains("done 2, failed 2 (of 4)"), result.stdout)

        // Rerun: the failed runs are retried (and fail again), the done ones left alone.
        result = try mbrl(["sweep", file, "--workers", "2", "--out", out.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(try manifestRuns(out).map { $0["attempts"] as? Int }, [1, 1, 2, 2])
    }

    func testEvalModelModeRunsOneJobPerSeed() throws {
        let file = repositoryRoot.appendingPathComponent("Configs/pets-cartpole.yaml").path
        let out = temporary.appendingPathComponent("eval")
        let result = try mbrl(["sweep", file, "variants={narrow: {model.hidden_size: 4}, wide: {model.hidden_size: 8}}", "seeds=[0, 1]",
                               "model.epochs_per_trial=1", "model.hidden_layers=1", "evaluation.train_steps=40", "evaluation.episodes=2",
                               "evaluation.horizon=2", "--mode", "eval-model", "--workers", "2", "--out", out.path])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let runs = try manifestRuns(out)
        XCTAssertEqual(runs.map { $0["id"] as? String }, ["seed-0", "seed-1"])
        XCTAssertEqual(runs.map { $0["state"] as? String }, ["done", "done"])
        for seed in [0, 1] {
            let comparison = try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("runs/seed-\(seed)").path).first)
            XCTAssertTrue(comparison.hasPrefix("ContinuousCartPole-v0__pets-cartpole__\(seed)__"), comparison)
            for variant in ["narrow", "wide"] {
                let path = out.appendingPathComponent("runs/seed-\(seed)/\(comparison)/\(variant)/evaluation.json").path
                XCTAssertTrue(FileManager.default.fileExists(atPath: path), path)
            }
        }
    }

    func testEvalModelModeRunsOneComparisonPerSweepPointAndSeed() throws {
        // The memory probe over two corridor lengths (Configs/memory-length.yaml's shape), 2 seeds: 4 comparisons,
        // then a report that tabulates accuracy per corridor length.
        let file = temporary.appendingPathComponent("memory-length.yaml")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        try """
            name: memory-length
            seeds: [0, 1]
            env: {id: GridWorld-MemoryTMaze-v0}
            model: {members: 1, deterministic: true, validation_ratio: 0}
            evaluation: {kind: memory_probe, whole_episodes: true, train_episodes: 6, test_episodes: 4}
            sweep: {grid: {evaluation.corridor_length: [2, 3]}}
            variants:
              mlp: {model: {hidden_size: 8, hidden_layers: 1, epochs_per_trial: 2}}
              gru: {model: {backbone: gru, train_steps: 2, sequence_sampling: within_episode, head_hidden_size: 8, gru: {hidden_size: 8}}}

            """.write(to: file, atomically: true, encoding: .utf8)
        let out = temporary.appendingPathComponent("sweep")
        var result = try mbrl(["sweep", file.path, "--mode", "eval-model", "--workers", "2", "--out", out.path])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let runs = try manifestRuns(out)
        XCTAssertEqual(runs.map { $0["id"] as? String }, ["p0_s0", "p0_s1", "p1_s0", "p1_s1"])
        XCTAssertEqual(runs.map { $0["state"] as? String }, ["done", "done", "done", "done"])
        XCTAssertEqual(runs.map { $0["overrides"] as? [String] }, [["evaluation.corridor_length=2"], ["evaluation.corridor_length=2"],
                                                                 ["evaluation.corridor_length=3"], ["evaluation.corridor_length=3"]])
        for (id, corridor) in [("p0_s1", 2), ("p1_s0", 3)] {
            let run = out.appendingPathComponent("runs/\(id)")
            let comparison = try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: run.path).first)
            let data = try Data(contentsOf: run.appendingPathComponent("\(comparison)/gru/evaluation.json"))
            let evaluation = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
            XCTAssertEqual(evaluation["corridorLength"] as? Int, corridor, id)
        }
        result = try mbrl(["report", out.path, "--out", temporary.appendingPathComponent("report").path, "--resamples", "50"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let markdown = try String(contentsOf: temporary.appendingPathComponent("report/report.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("| variant | seeds | parameters | L=2 [95% CI] | L=3 [95% CI] |"), markdown)
        XCTAssertTrue(markdown.contains("| gru | 2/2 |"), markdown)
    }

    // MARK: - SIGKILL and rerun

    /// Process ids of processes (other than this one) whose command line mentions `path`.
    func processes(mentioning path: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard pid != getpid(), let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: data, as: UTF8.self).contains(path)
        }
    }

    /// Waits (up to `seconds`: a worker notices in 200 ms and stops after its current step) until no
    /// process mentions `path`; returns those left.
    func waitForNoProcesses(mentioning path: String, seconds: Double) -> [Int32] {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if processes(mentioning: path).isEmpty { return [] }
            usleep(50_000)
        }
        return processes(mentioning: path)
    }

    func startSweep(_ file: String, out: URL) throws -> Process {
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("mbrl")
        process.arguments = ["sweep", file, "--workers", "2", "--out", out.path, "--quiet"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// FNV-1a 64 of every byte.
    func fnv1a(_ data: Data) -> UInt64 {
        data.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }

    /// Hashes of `metrics.jsonl` and `summary.json` of the runs the manifest says are done.
    func doneRunHashes(_ out: URL) throws -> [String: UInt64] {
        var hashes: [String: UInt64] = [:]
        for run in try manifestRuns(out) where run["state"] as? String == "done" {
            let directory = out.appendingPathComponent(run["directory"] as! String)
            for name in ["metrics.jsonl", "summary.json"] {
                hashes[(run["id"] as! String) + "/" + name] = fnv1a(try Data(contentsOf: directory.appendingPathComponent(name)))
            }
        }
        return hashes
    }

    func testSIGTERMIsForwardedToTheWorkersAndTheSweepExits130() throws {
        let file = try config(steps: 150_000, grid: "[1.0e-3]")
        let out = temporary.appendingPathComponent("out")
        let sweep = Process()
        sweep.executableURL = productsDirectory.appendingPathComponent("mbrl")
        sweep.arguments = ["sweep", file, "--workers", "2", "--out", out.path, "--quiet"]
        let err = Pipe()
        sweep.standardOutput = FileHandle.nullDevice
        sweep.standardError = err
        try sweep.run()
        // Once both workers have written a checkpoint.
        let deadline = Date().addingTimeInterval(30)
        let checkpoints = ["p0_s0", "p0_s1"].map { out.appendingPathComponent("runs/\($0)/checkpoints/state.json").path }
        while Date() < deadline && !checkpoints.allSatisfy(FileManager.default.fileExists) { usleep(20_000) }
        kill(sweep.processIdentifier, SIGTERM)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        sweep.waitUntilExit()
        XCTAssertEqual(sweep.terminationStatus, 130, stderr)
        XCTAssertTrue(stderr.contains("SIGTERM: stopping the 2 running worker(s)"), stderr)
        XCTAssertEqual(processes(mentioning: out.path), [], "the sweep exits after its workers")
        let runs = try manifestRuns(out)
        XCTAssertEqual(runs.map { $0["state"] as? String }, ["pending", "pending"], "\(runs)")
        XCTAssertTrue((runs[0]["error"] as? String ?? "").hasPrefix("stopped by SIGTERM to the sweep (exit status 130"), "\(runs[0])")
        let log = try String(contentsOf: out.appendingPathComponent("logs/p0_s0.stderr"), encoding: .utf8)
        XCTAssertTrue(log.contains("interrupted by SIGTERM at step"), log)
    }

    func testASweepKilledWithSIGKILLLeavesNoOrphansAndARerunFinishesEveryRunOnce() throws {
        let started = Date()
        let file = try config(steps: 150_000)
        let out = temporary.appendingPathComponent("out")

        // Kill 1: once the first run is done.
        var sweep = try startSweep(file, out: out)
        let deadline = Date().addingTimeInterval(40)
        while Date() < deadline {
            if let runs = try? manifestRuns(out), runs.contains(where: { $0["state"] as? String == "done" }) { break }
            usleep(20_000)
        }
        usleep(300_000)   // the sweep has started the next worker: it runs for seconds more
        kill(sweep.processIdentifier, SIGKILL)
        sweep.waitUntilExit()
        let firstDone = try doneRunHashes(out)
        XCTAssertFalse(firstDone.isEmpty, "no run was done before the deadline")
        XCTAssertLessThan(firstDone.count, 12, "every run was done before the kill; the test needs slower runs")
        XCTAssertEqual(waitForNoProcesses(mentioning: out.path, seconds: 2.5), [], "workers outlived the killed sweep")

        // Kill 2: at a random moment while the workers run (the delay is in the messages, to replay a failure).
        var generator = SystemRandomNumberGenerator()
        let delay = UInt32.random(in: 300_000...1_500_000, using: &generator)
        sweep = try startSweep(file, out: out)
        usleep(delay)
        kill(sweep.processIdentifier, SIGKILL)
        sweep.waitUntilExit()
        let secondDone = try doneRunHashes(out)
        XCTAssertEqual(waitForNoProcesses(mentioning: out.path, seconds: 2.5), [], "workers outlived the killed sweep (kill after \(delay) µs)")

        // The rerun finishes every run once; the runs done before each kill are untouched.
        let result = try mbrl(["sweep", file, "--workers", "2", "--out", out.path])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let runs = try manifestRuns(out)
        XCTAssertEqual(runs.compactMap { $0["id"] as? String }, ["p0_s0", "p0_s1", "p1_s0", "p1_s1", "p2_s0", "p2_s1"])
        XCTAssertEqual(runs.map { $0["state"] as? String }, Array(repeating: "done", count: 6))
        let finalHashes = try doneRunHashes(out)
        for (key, hash) in firstDone.merging(secondDone, uniquingKeysWith: { a, _ in a }) {
            XCTAssertEqual(finalHashes[key], hash, "\(key) changed after it was done")
        }
        for run in runs {
            let episodes = try String(contentsOf: out.appendingPathComponent(run["directory"] as! String).appendingPathComponent("episodes.csv"),
                                      encoding: .utf8)
            let indices = episodes.split(separator: "\n").dropFirst().map { Int($0.prefix { $0 != "," })! }
            XCTAssertEqual(indices, Array(0..<indices.count), "\(run["id"]!): episodes without gap or duplicate")
        }
        XCTAssertTrue(runs.contains { ($0["attempts"] as! Int) > 1 }, "some run was interrupted and started again")
        XCTAssertEqual(processes(mentioning: out.path), [])
        print(String(format: "kill test: %.1f s (second kill after %.2f s)", Date().timeIntervalSince(started), Double(delay) / 1e6))
    }
}
