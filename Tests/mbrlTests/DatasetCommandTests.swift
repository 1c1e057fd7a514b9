import Foundation
import XCTest

/// `mbrl dataset`: collect (random, a run's policy, a run's replay buffer),
/// info, mix, and errors that name the file, array or shape.
final class DatasetCommandTests: XCTestCase {
    var temporary: URL!

    override func setUpWithError() throws {
        temporary = FileManager.default.temporaryDirectory.appendingPathComponent("mbrl-dataset-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: temporary) }

    private func path(_ name: String) -> String { temporary.appendingPathComponent(name).path }

    /// Runs `mbrl` and asserts it succeeded.
    @discardableResult
    private func succeed(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let out = try mbrl(arguments, currentDirectory: temporary)
        XCTAssertEqual(out.status, 0, "mbrl \(arguments.joined(separator: " ")): \(out.stderr)", file: file, line: line)
        return out.stdout
    }

    /// Runs `mbrl`, asserts it failed with status 1 without a trap, and returns its standard error.
    private func failure(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let out = try mbrl(arguments, currentDirectory: temporary)
        XCTAssertEqual(out.status, 1, "mbrl \(arguments.joined(separator: " ")) should fail: \(out.stdout)", file: file, line: line)
        return out.stderr
    }

    /// The JSON metadata of a dataset, read through `mbrl dataset info`.
    private func metadata(_ file: String) throws -> [String: Any] {
        let info = try succeed(["dataset", "info", file])
        guard let start = info.range(of: "metadata:\n") else { XCTFail("no metadata in \(info)"); return [:] }
        return try JSONSerialization.jsonObject(with: Data(info[start.upperBound...].utf8)) as? [String: Any] ?? [:]
    }

    func testRandomCollectionInfoAndDeterminism() throws {
        let out = try succeed(["dataset", "collect", "--env", "CartPole-v1", "--steps", "500", "--seed", "3", "--out", path("r.npz")])
        XCTAssertTrue(out.hasPrefix("wrote \(path("r.npz")): 500 transitions, "), out)
        let info = try succeed(["dataset", "info", path("r.npz")])
        for expected in ["  observations       float32  [500, 4]", "  actions            float32  [500, 1]",
                         "  rewards            float32  [500]", "  next_observations  float32  [500, 4]",
                         "  terminals          bool     [500]", "  timeouts           bool     [500]", "returns: mean "] {
            XCTAssertTrue(info.contains(expected), "missing '\(expected)' in\n\(info)")
        }
        let meta = try metadata(path("r.npz"))
        XCTAssertEqual(meta["env_id"] as? String, "CartPole-v1")
        XCTAssertEqual(meta["level"] as? String, "random")
        XCTAssertEqual(meta["seed"] as? Int, 3)
        XCTAssertEqual(meta["steps"] as? Int, 500)
        XCTAssertEqual(meta["policy"] as? String, "random: uniform over Discrete(2)")
        // Every CartPole step rewards 1, so an episode's return is its length.
        let episodes = try XCTUnwrap(meta["episodes"] as? [String: Any])
        XCTAssertEqual(episodes["mean"] as? Double, episodes["mean_length"] as? Double)
        // Same arguments, same bytes; another seed, other data.
        try succeed(["dataset", "collect", "--env", "CartPole-v1", "--steps", "500", "--seed", "3", "--out", path("r2.npz")])
        try succeed(["dataset", "collect", "--env", "CartPole-v1", "--steps", "500", "--seed", "4", "--out", path("r3.npz")])
        XCTAssertEqual(try Data(contentsOf: temporary.appendingPathComponent("r.npz")), try Data(contentsOf: temporary.appendingPathComponent("r2.npz")))
        XCTAssertNotEqual(try Data(contentsOf: temporary.appendingPathComponent("r.npz")), try Data(contentsOf: temporary.appendingPathComponent("r3.npz")))
        // Settings and the episode limit reach the environment and the metadata.
        try succeed(["dataset", "collect", "--env", "Pendulum-v1", "--settings", "g=9.81", "--max-episode-steps", "50",
                     "--steps", "120", "--out", path("p.npz")])
        let pendulum = try metadata(path("p.npz"))
        XCTAssertEqual(pendulum["env_settings"] as? [String: String], ["g": "9.81"])
        XCTAssertEqual(pendulum["max_episode_steps"] as? Int, 50)
        XCTAssertEqual((pendulum["episodes"] as? [String: Any])?["count"] as? Int, 2)   // 120 steps: two 50-step episodes + 20
        XCTAssertEqual((pendulum["episodes"] as? [String: Any])?["incomplete_steps"] as? Int, 20)
    }

    /// A DQN run's checkpoint policy and its replay buffer become datasets, and mix with a random one.
    func testRunPolicyReplayBufferAndMix() throws {
        try succeed(["run", repositoryRoot.appendingPathComponent("Configs/dqn-cartpole.yaml").path, "total_steps=400",
                     "dqn.learning_starts=50", "dqn.batch_size=16", "dqn.hidden_sizes=[16]", "output.checkpoint_every=100",
                     "eval.every=0", "--out", temporary.appendingPathComponent("runs").path, "--quiet"])
        let runs = try FileManager.default.contentsOfDirectory(atPath: path("runs"))
        let run = path("runs/" + (try XCTUnwrap(runs.first)))

        try succeed(["dataset", "collect", "--policy", run, "--level", "medium", "--steps", "300", "--out", path("m.npz")])
        let medium = try metadata(path("m.npz"))
        XCTAssertEqual(medium["level"] as? String, "medium")
        XCTAssertEqual(medium["env_id"] as? String, "CartPole-v1")
        XCTAssertEqual(medium["policy"] as? String, "dqn run \(run), checkpoint greedy policy")
        try succeed(["dataset", "collect", "--policy", run, "--stochastic", "--level", "medium", "--steps", "300", "--out", path("s.npz")])
        let stochastic = try metadata(path("s.npz"))["policy"] as? String ?? ""
        XCTAssertTrue(stochastic.hasPrefix("dqn run \(run), checkpoint ε-greedy (ε = end_e = 0.0"), stochastic)

        try succeed(["dataset", "collect", "--from-replay", run, "--out", path("replay.npz")])
        let replay = try metadata(path("replay.npz"))
        XCTAssertEqual(replay["level"] as? String, "medium-replay")
        XCTAssertGreaterThan(replay["steps"] as? Int ?? 0, 300)

        try succeed(["dataset", "collect", "--env", "CartPole-v1", "--steps", "600", "--out", path("r.npz")])
        let out = try succeed(["dataset", "mix", path("r.npz"), path("m.npz"), "--fractions", "0.5,0.5", "--seed", "1", "--out", path("mix.npz")])
        XCTAssertTrue(out.contains("r.npz (random): "), out)
        let mixed = try metadata(path("mix.npz"))
        XCTAssertEqual(mixed["level"] as? String, "mixed")
        XCTAssertEqual((mixed["episodes"] as? [String: Any])?["incomplete_steps"] as? Int, 0, "whole trajectories only")

        // A policy trained on CartPole cannot act in Pendulum: both spaces named.
        let error = try failure(["dataset", "collect", "--policy", run, "--env", "Pendulum-v1", "--level", "expert", "--steps", "10",
                                 "--out", path("x.npz")])
        XCTAssertEqual(error, "error: Pendulum-v1's observations (shape [3]) and actions (Box(-2.0, 2.0, [1])) do not fit the policy of "
                       + "\(run), trained on observations (shape [4]) and actions (Discrete(2))\n")
        XCTAssertTrue(try failure(["dataset", "collect", "--policy", run, "--max-episode-steps", "9", "--level", "medium", "--steps", "10",
                                   "--out", path("x.npz")]).contains("--settings and --max-episode-steps apply to --env"))
        // Mixing datasets of two environments is refused, naming both files.
        try succeed(["dataset", "collect", "--env", "Pendulum-v1", "--steps", "400", "--out", path("p.npz")])
        XCTAssertTrue(try failure(["dataset", "mix", path("r.npz"), path("p.npz"), "--fractions", "0.5,0.5", "--out", path("y.npz")])
            .contains("\(path("p.npz")) has observations [N, 3] and actions [N, 1]; \(path("r.npz")) has [N, 4] and [N, 1]"))
    }

    /// A SAC run's checkpoint policy: deterministic (tanh μ) and stochastic collections differ, each reproducible.
    func testSACRunPolicy() throws {
        try succeed(["run", repositoryRoot.appendingPathComponent("Configs/sac-pendulum.yaml").path, "total_steps=400",
                     "sac.learning_starts=50", "sac.batch_size=8", "sac.hidden_sizes=[8]", "output.checkpoint_every=200",
                     "eval.every=0", "--out", temporary.appendingPathComponent("runs").path, "--quiet"])
        let run = path("runs/" + (try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: path("runs")).first)))
        for (name, flags) in [("d", [String]()), ("d2", []), ("s", ["--stochastic"])] {
            try succeed(["dataset", "collect", "--policy", run, "--level", "medium", "--steps", "50", "--out", path(name + ".npz")] + flags)
        }
        XCTAssertEqual(try metadata(path("d.npz"))["policy"] as? String, "sac run \(run), checkpoint deterministic policy")
        XCTAssertEqual(try metadata(path("s.npz"))["policy"] as? String, "sac run \(run), checkpoint stochastic policy")
        let bytes = { (name: String) in try Data(contentsOf: self.temporary.appendingPathComponent(name)) }
        XCTAssertEqual(try bytes("d.npz"), try bytes("d2.npz"))
        XCTAssertNotEqual(try bytes("d.npz"), try bytes("s.npz"))
        // A run without checkpoints has no policy to collect with.
        try FileManager.default.removeItem(atPath: run + "/checkpoints/sac.safetensors")
        XCTAssertEqual(try failure(["dataset", "collect", "--policy", run, "--level", "medium", "--steps", "5", "--out", path("x.npz")]),
                       "error: \(run)/checkpoints/sac.safetensors: no checkpoint: the run reached no checkpoint or ran with output.checkpoint: false\n")
    }

    /// A finished run's checkpoint is its state at the last step, whatever `output.checkpoint_every`
    /// says: with the default 5000 and a 300-step run (one 200-step episode, then a cut one) there
    /// used to be no checkpoint at all; now the policy and the whole buffer of step 300 are there.
    func testCollectReadsAFinishedRunsFinalStep() throws {
        try succeed(["run", repositoryRoot.appendingPathComponent("Configs/sac-pendulum.yaml").path, "total_steps=300",
                     "sac.learning_starts=50", "sac.batch_size=8", "sac.hidden_sizes=[8]", "eval.every=0",
                     "--out", temporary.appendingPathComponent("runs").path, "--quiet"])
        let run = path("runs/" + (try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: path("runs")).first)))
        let state = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/checkpoints/state.json")))
        XCTAssertEqual((state as? [String: Any])?["steps"] as? Int, 300, "the checkpoint is the run's last step")
        try succeed(["dataset", "collect", "--policy", run, "--level", "expert", "--steps", "20", "--out", path("final.npz")])
        XCTAssertEqual(try metadata(path("final.npz"))["policy"] as? String, "sac run \(run), checkpoint deterministic policy")
        try succeed(["dataset", "collect", "--from-replay", run, "--out", path("replay.npz")])
        XCTAssertEqual(try metadata(path("replay.npz"))["steps"] as? Int, 300, "every transition of the run")
    }

    /// PointMaze's scripted waypoint controller reaches the goal in every episode; noise slows it
    /// down; other environments and misplaced flags are refused by name.
    func testWaypointPolicyOnPointMaze() throws {
        let base = ["dataset", "collect", "--env", "PointMaze-v0", "--settings", "reward=sparse", "--policy", "waypoint",
                    "--level", "expert", "--steps", "600"]
        try succeed(base + ["--out", path("w.npz")])
        let clean = try metadata(path("w.npz"))
        XCTAssertEqual(clean["policy"] as? String, "waypoint controller")
        let episodes = try XCTUnwrap(clean["episodes"] as? [String: Any])
        XCTAssertEqual(episodes["min"] as? Double, 1, "every complete episode reaches the goal")
        XCTAssertEqual(episodes["count"] as? Int, episodes["terminated"] as? Int)
        try succeed(base + ["--noise", "1.5", "--out", path("n.npz")])
        let noisy = try metadata(path("n.npz"))
        XCTAssertEqual(noisy["policy"] as? String, "waypoint controller, action noise N(0, 1.5²) clipped to [-1, 1]")
        let noisyEpisodes = try XCTUnwrap(noisy["episodes"] as? [String: Any])
        XCTAssertGreaterThan(noisyEpisodes["mean_length"] as? Double ?? 0, episodes["mean_length"] as? Double ?? .infinity)

        XCTAssertEqual(try failure(["dataset", "collect", "--env", "Pendulum-v1", "--policy", "waypoint", "--level", "expert",
                                    "--steps", "5", "--out", path("x.npz")]),
                       "error: --policy waypoint drives PointMaze-v0 only; give --env PointMaze-v0 (not Pendulum-v1)\n")
        let misplaced = try mbrl(["dataset", "collect", "--env", "PointMaze-v0", "--noise", "0.5", "--steps", "5", "--out", path("x.npz")],
                                 currentDirectory: temporary)
        XCTAssertTrue(misplaced.stderr.contains("--noise applies to --policy waypoint"), misplaced.stderr)
        let negative = try mbrl(base + ["--noise=-1", "--out", path("x.npz")], currentDirectory: temporary)
        XCTAssertTrue(negative.stderr.contains("--noise must be a finite number ≥ 0, got -1.0"), negative.stderr)
    }

    func testBadFilesAndArgumentsAreClearErrors() throws {
        try succeed(["dataset", "collect", "--env", "CartPole-v1", "--steps", "2000", "--out", path("r.npz")])
        let bytes = try Data(contentsOf: temporary.appendingPathComponent("r.npz"))
        try bytes.prefix(bytes.count / 3).write(to: temporary.appendingPathComponent("cut.npz"))
        let cut = try failure(["dataset", "info", path("cut.npz")])
        XCTAssertTrue(cut.hasPrefix("error: \(path("cut.npz")): array 'observations' header says 8000 float32 values, file ends after"), cut)
        XCTAssertEqual(try failure(["dataset", "info", path("none.npz")]), "error: \(path("none.npz")): file does not exist\n")
        // Checked against an environment: fits CartPole, not Pendulum (both shapes named).
        XCTAssertTrue(try succeed(["dataset", "info", path("r.npz"), "--env", "CartPole-v1"]).contains("\nfits CartPole-v1: observation space "))
        XCTAssertTrue(try failure(["dataset", "info", path("r.npz"), "--env", "Pendulum-v1"]).hasPrefix(
            "error: \(path("r.npz")): array 'observations' has rows of shape [4] (dataset shape [2000, 4]); Pendulum-v1's observation space "))
        XCTAssertTrue(try failure(["dataset", "collect", "--env", "CartPol-v1", "--steps", "10", "--out", path("x.npz")])
            .contains("CartPol-v1"))
        XCTAssertTrue(try failure(["dataset", "collect", "--env", "CartPole-v1", "--settings", "gravity", "--steps", "10", "--out", path("x.npz")])
            .contains("--settings 'gravity': expected key=value"))
        XCTAssertTrue(try failure(["dataset", "collect", "--from-replay", path("nowhere"), "--out", path("x.npz")])
            .contains("not a run directory"))
        XCTAssertTrue(try failure(["dataset", "mix", path("r.npz"), path("r.npz"), "--fractions", "0.5,0.6", "--out", path("x.npz")])
            .contains("must be positive and sum to 1"))
        // Argument errors (ArgumentParser's validation: usage, exit code 64).
        let usage = try mbrl(["dataset", "collect", "--policy", "random", "--steps", "10", "--out", path("x.npz")], currentDirectory: temporary)
        XCTAssertEqual(usage.status, 64)
        XCTAssertTrue(usage.stderr.contains("--policy random needs --env ID"), usage.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("x.npz")))
    }

    /// numpy reads a collected file without pickle: D4RL keys, dtypes, shapes, metadata JSON.
    func testNumPyReadsACollectedDataset() throws {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import numpy"]
        probe.standardError = FileHandle.nullDevice
        do { try probe.run(); probe.waitUntilExit() } catch {}
        guard probe.terminationStatus == 0 else { throw XCTSkip("python3 with numpy is not available; skipping the numpy check of mbrl dataset collect") }
        try succeed(["dataset", "collect", "--env", "Pendulum-v1", "--steps", "250", "--out", path("p.npz")])
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", """
        import sys, json, numpy as np
        f = np.load(sys.argv[1], allow_pickle=False)
        print(sorted((k, f[k].dtype.str, f[k].shape) for k in f.files if k != 'metadata'))
        m = json.loads(str(f['metadata']))
        print(m['env_id'], m['level'], m['steps'], m['episodes']['count'], bool(np.isfinite(f['rewards']).all()))
        """, path("p.npz")]
        let pipe = Pipe()
        python.standardOutput = pipe
        try python.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        python.waitUntilExit()
        XCTAssertEqual(output, """
        [('actions', '<f4', (250, 1)), ('next_observations', '<f4', (250, 3)), ('observations', '<f4', (250, 3)), \
        ('rewards', '<f4', (250,)), ('terminals', '|b1', (250,)), ('timeouts', '|b1', (250,))]
        Pendulum-v1 random 250 1 True

        """)
    }
}
