import Foundation
import XCTest

/// The way from a user's environment to a run, as a user meets it on the
/// command line: `--dry-run` checks the environment and its settings,
/// `env check` takes settings and config files, and Ctrl-C stops a run with
/// the line that resumes it.
final class InterruptAndValidationTests: XCTestCase {
    var temporary: URL!
    let fakeChild = repositoryRoot.appendingPathComponent("Tests/EnvironmentsTests/Fixtures/fake_env.py").path

    override func setUpWithError() throws {
        temporary = FileManager.default.temporaryDirectory.appendingPathComponent("mbrl-interrupt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: temporary)
    }

    /// Writes `yaml` to a config file in the temporary directory.
    func config(_ yaml: String, named name: String = "user.yaml") throws -> String {
        let url = temporary.appendingPathComponent(name)
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func testDryRunChecksTheEnvironmentIdSettingsAndCommand() throws {
        let unknown = try config("name: user\nenv:\n  id: Pendulm-v1\n")
        var out = try mbrl(["run", unknown, "--dry-run"])
        XCTAssertNotEqual(out.status, 0)
        XCTAssertTrue(out.stderr.contains("\(unknown):3:3: env.id: unknown environment id 'Pendulm-v1'; did you mean 'Pendulum-v1'?"), out.stderr)

        let badSetting = try config("name: user\nenv:\n  id: Pendulum-v1\n  settings:\n    gravity: 3\n")
        out = try mbrl(["run", badSetting, "--dry-run"])
        XCTAssertNotEqual(out.status, 0)
        XCTAssertTrue(out.stderr.contains("\(badSetting):5:5: env.settings.gravity: Pendulum-v1: unknown setting 'gravity'; valid settings: g, max_episode_steps"), out.stderr)

        let badCommand = try config("name: user\nenv:\n  id: External-v0\n  settings:\n    command: no-such-program-mbrl --flag\n")
        out = try mbrl(["run", badCommand, "--dry-run"])
        XCTAssertNotEqual(out.status, 0)
        XCTAssertTrue(out.stderr.contains("\(badCommand):5:5: env.settings.command: external environment `no-such-program-mbrl --flag`"), out.stderr)
        XCTAssertTrue(out.stderr.contains("No such file or directory"), out.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: temporary.path).sorted(), ["user.yaml"],
                       "a dry run writes nothing")

        // A learner that does not fit the spaces is found without running too.
        let misfit = try config("name: user\nalgorithm: dqn\nenv:\n  id: Pendulum-v1\n")
        out = try mbrl(["run", misfit, "--dry-run"])
        XCTAssertNotEqual(out.status, 0)
        XCTAssertTrue(out.stderr.contains("\(misfit):2:1: algorithm: algorithm dqn needs a Discrete action space"), out.stderr)
    }

    func testEnvCheckTakesSettingsAndConfigFiles() throws {
        var out = try mbrl(["env", "check", "Pendulum-v1", "--settings", "g=3.7", "max_episode_steps=50", "--steps", "60"])
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertTrue(out.stdout.hasPrefix("Pendulum-v1 (g=3.7, max_episode_steps=50): all 9 checks passed"), out.stdout)

        out = try mbrl(["env", "check", "External-v0", "--settings", "command=python3 \(fakeChild) normal", "--steps", "40"])
        XCTAssertEqual(out.status, 0, out.stdout + out.stderr)
        XCTAssertTrue(out.stdout.contains("all 9 checks passed"), out.stdout)

        out = try mbrl(["env", "check", "External-v0", "--settings", "command=python3 \(fakeChild) crash"])
        XCTAssertEqual(out.status, 1)
        XCTAssertTrue(out.stdout.contains("the child exited (exit status 3)"), out.stdout)

        out = try mbrl(["env", "check", "Pendulum-v1", "--settings", "gravity=3"])
        XCTAssertEqual(out.status, 1)
        XCTAssertTrue(out.stderr.contains("override 'env.settings.gravity=3': env.settings.gravity: Pendulum-v1: unknown setting 'gravity'"), out.stderr)

        out = try mbrl(["env", "check", "Pendulum-v1", "--settings", "g=heavy"])
        XCTAssertEqual(out.status, 1)
        XCTAssertTrue(out.stderr.contains("setting 'g' expected a number"), out.stderr)

        let file = try config("name: user\nenv:\n  id: Pendulum-v1\n  settings:\n    g: 4.0\n    gx: 1\n")
        out = try mbrl(["env", "check", "--config", file])
        XCTAssertEqual(out.status, 1)
        XCTAssertTrue(out.stderr.contains("\(file):6:5: env.settings.gx: Pendulum-v1: unknown setting 'gx'"), out.stderr)
        out = try mbrl(["env", "check", "--config", file, "env.settings.gx=", "--steps", "30"])
        XCTAssertEqual(out.status, 1, "an empty override keeps the key")
        let good = try config("name: user\nenv:\n  id: Pendulum-v1\n  settings:\n    g: 4.0\n", named: "good.yaml")
        out = try mbrl(["env", "check", "--config", good, "env.settings.g=5", "--steps", "30"])
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertTrue(out.stdout.hasPrefix("Pendulum-v1 (g=5): all 9 checks passed"), out.stdout)
        out = try mbrl(["env", "bench", "--config", good, "--steps", "1000"])
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertTrue(out.stdout.contains(#""env":"Pendulum-v1","steps":1000"#), out.stdout)
    }

    func testEnvCheckRunsTheSnapshotRoundTripOverAChildThatSupportsIt() throws {
        let child = repositoryRoot.appendingPathComponent("Tests/EnvironmentsTests/Fixtures/point_mass_env.py").path
        var out = try mbrl(["env", "check", "External-v0", "--settings", "command=python3 \(child)", "--steps", "100"])
        XCTAssertEqual(out.status, 0, out.stdout + out.stderr)
        XCTAssertTrue(out.stdout.contains("all 9 checks passed"), out.stdout)
        XCTAssertTrue(out.stdout.contains("PASS snapshot/restore") && !out.stdout.contains("skipped: snapshot() returns nil"), out.stdout)
        out = try mbrl(["env", "check", "External-v0", "--settings", "command=python3 \(child) --no-snapshots", "--steps", "100"])
        XCTAssertEqual(out.status, 0, out.stdout + out.stderr)
        XCTAssertTrue(out.stdout.contains("PASS snapshot/restore: skipped: snapshot() returns nil"), out.stdout)
    }

    func testSIGINTStopsARunWithItsResumeLineAndTheResumedRunHasEveryEpisodeOnce() throws {
        let file = repositoryRoot.appendingPathComponent("Configs/quickstart.yaml").path
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("mbrl")
        process.arguments = ["run", file, "trials=3", "initial_random_steps=30", "trial_length=60", "model.epochs_per_trial=2",
                             "model.hidden_size=32", "planner.population=30", "--out", temporary.path]
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        // Interrupt mid-trial: once the first trial's checkpoint exists and the second trial has started.
        var directory: URL?
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline && process.isRunning {
            if let run = try FileManager.default.contentsOfDirectory(at: temporary, includingPropertiesForKeys: nil).first,
               FileManager.default.fileExists(atPath: run.appendingPathComponent("checkpoints/state.json").path) {
                directory = run
                break
            }
            usleep(5_000)
        }
        usleep(300_000)
        kill(process.processIdentifier, SIGINT)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let run = try XCTUnwrap(directory, "no checkpoint before the deadline")
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.appendingPathComponent("summary.json").path),
                       "the run finished before it was interrupted; the test needs a slower run")
        XCTAssertEqual(process.terminationStatus, 130, stderr)
        XCTAssertTrue(stderr.contains("interrupted by SIGINT at step"), stderr)
        XCTAssertTrue(stderr.contains("run directory: \(run.path)"), stderr)
        XCTAssertTrue(stderr.contains("resume with: mbrl run --resume \(run.path)"), stderr)

        let resumed = try mbrl(["run", "--resume", run.path, "--quiet"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let episodes = try String(contentsOf: run.appendingPathComponent("episodes.csv"), encoding: .utf8)
        let rows = episodes.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        XCTAssertEqual(rows.map { Int($0[0])! }, Array(0..<rows.count), "episode indices without gap or duplicate:\n\(episodes)")
        XCTAssertEqual(rows.filter { $0[1] == "trial" }.count, 3, episodes)
        var total = 0
        for row in rows {
            total += Int(row[3])!
            XCTAssertEqual(Int(row[6])!, total, "total_steps runs on from row to row:\n\(episodes)")
        }
    }

    func testAConfigWithoutCheckpointsSaysItCannotBeResumed() throws {
        let file = try config("name: user\ntrials: 1\ninitial_random_steps: 10\ntrial_length: 3\n"
                              + "planner: {population: 8, horizon: 3, particles: 5}\nmodel: {hidden_size: 8, hidden_layers: 1, epochs_per_trial: 1}\n"
                              + "output: {checkpoint: false}\n")
        let out = try mbrl(["run", file, "--out", temporary.path])
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertTrue(out.stderr.contains("output.checkpoint is false: this run cannot be resumed"), out.stderr)
    }

    func testADivergedRunExitsNonZeroWithTheDivergenceAndItsCheckpoint() throws {
        let file = repositoryRoot.appendingPathComponent("Configs/sac-pendulum.yaml").path
        let out = try mbrl(["run", file, "total_steps=500", "sac.learning_starts=200", "sac.hidden_sizes=[8]", "sac.batch_size=8",
                            "sac.q_lr=1e30", "sac.policy_lr=1e30", "eval.every=0", "output.checkpoint_every=100",
                            "--out", temporary.path, "--quiet"])
        XCTAssertEqual(out.status, 3, out.stderr)
        XCTAssertTrue(out.stderr.contains("error: run diverged at step "), out.stderr)
        XCTAssertTrue(out.stderr.contains("the last good checkpoint (step 200) is kept: mbrl run --resume "), out.stderr)
        XCTAssertFalse(out.stdout.contains("run directory: "), "no summary lines for a diverged run: \(out.stdout)")
    }
}
