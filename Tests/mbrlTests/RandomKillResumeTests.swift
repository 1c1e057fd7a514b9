import Foundation
import SeededRandom
import XCTest

/// A run killed with SIGKILL at 20 random moments — during steps, updates,
/// evaluations and checkpoint writes alike — and resumed each time ends with
/// exactly the metrics and episode table of a run never interrupted: no gap,
/// no duplicate, no partial line.
final class RandomKillResumeTests: XCTestCase {
    var temporary: URL!

    override func setUpWithError() throws {
        temporary = FileManager.default.temporaryDirectory.appendingPathComponent("mbrl-random-kill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: temporary) }

    func testTwentyRandomKillsLeaveTheMetricsOfAnUninterruptedRun() throws {
        let run = ["run", repositoryRoot.appendingPathComponent("Configs/dqn-cartpole.yaml").path, "seed=5", "total_steps=30000",
                   "dqn.learning_starts=100", "dqn.train_frequency=4", "dqn.gradient_steps=1", "dqn.batch_size=16",
                   "dqn.hidden_sizes=[16]", "output.checkpoint_every=400", "eval.every=2000", "eval.episodes=2", "--quiet"]
        let whole = temporary.appendingPathComponent("whole")
        let started = Date()
        let out = try mbrl(run + ["--run-directory", whole.path])
        XCTAssertEqual(out.status, 0, out.stderr)
        let duration = Date().timeIntervalSince(started)

        // Kill at uniformly random moments 0.1-0.3 s after each (re)start (seeded, printed): 20 kills fit in the run.
        var generator = SystemRandomNumberGenerator()
        let seed = UInt64.random(in: 0..<1_000_000, using: &generator)
        var random = SeededGenerator(seed: seed)
        print("RandomKillResumeTests: kill times from seed \(seed), uninterrupted run \(String(format: "%.2f", duration)) s")
        let killed = temporary.appendingPathComponent("killed")
        var kills = 0, restarts = 0, resumes = 0
        while true {
            let state = killed.appendingPathComponent("checkpoints/state.json")
            var arguments = run
            if FileManager.default.fileExists(atPath: state.path) {
                arguments = ["run", "--resume", killed.path, "--quiet"]
                resumes += 1
            } else {
                // Killed before its first checkpoint: nothing to resume, start again.
                try? FileManager.default.removeItem(at: killed)
                arguments += ["--run-directory", killed.path]
                restarts += 1
            }
            let process = Process()
            process.executableURL = productsDirectory.appendingPathComponent("mbrl")
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            if kills < 20 {
                let delay = random.uniform(0.1, 0.3)
                let deadline = Date().addingTimeInterval(delay)
                while process.isRunning && Date() < deadline { usleep(1_000) }
                if process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    kills += 1
                }
            }
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            if process.terminationReason == .exit {
                XCTAssertEqual(process.terminationStatus, 0, stderr)
                if FileManager.default.fileExists(atPath: killed.appendingPathComponent("summary.json").path) { break }
            }
            XCTAssertLessThan(restarts + resumes, 200, "no progress")
            if restarts + resumes >= 200 { return }
        }
        print("RandomKillResumeTests: \(kills) kills, \(resumes) resumes, \(restarts) fresh starts")
        XCTAssertEqual(kills, 20)
        let expected = try metricsWithoutTimings(whole)
        XCTAssertTrue(expected.contains { $0.contains("eval/episode_return") } && expected.contains { $0.contains("train/td_loss") })
        XCTAssertEqual(try metricsWithoutTimings(killed), expected)
        XCTAssertEqual(try String(contentsOf: killed.appendingPathComponent("episodes.csv"), encoding: .utf8),
                       try String(contentsOf: whole.appendingPathComponent("episodes.csv"), encoding: .utf8))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: killed.path).filter { $0.contains(".tmp") }
        XCTAssertEqual(leftovers, [], "temporary files left by a killed write")
    }
}
