import Foundation
import XCTest

/// Pins the behaviour of `mbrl env ...`: output, exit status and error messages.
final class EnvCommandTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("EnvironmentsTests/Fixtures")

    func testList() throws {
        let out = try mbrl(["env", "list"])
        XCTAssertEqual(out.status, 0, out.stderr)
        for id in ["CartPole-v1", "Pendulum-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Acrobot-v1",
                   "ContinuousCartPole-v0", "CartPoleSwingUp-v0", "Reacher2D-v0", "PointMaze-v0"] {
            XCTAssertTrue(out.stdout.contains("\n\(id) ") || out.stdout.hasPrefix("\(id) "), "\(id) missing from:\n\(out.stdout)")
        }
        XCTAssertTrue(out.stdout.contains("Balance a pole on a cart"))
    }

    func testCheckPasses() throws {
        let out = try mbrl(["env", "check", "CartPole-v1", "--seed", "1"])
        XCTAssertEqual(out.status, 0, out.stdout + out.stderr)
        XCTAssertTrue(out.stdout.hasPrefix("CartPole-v1: all 9 checks passed"), out.stdout)
    }

    func testReplayGoldenFile() throws {
        let file = Self.fixtures.appendingPathComponent("Pendulum-v1.json").path
        let out = try mbrl(["env", "replay", "Pendulum-v1", "--trajectories", file])
        XCTAssertEqual(out.status, 0, out.stdout + out.stderr)
        XCTAssertTrue(out.stdout.contains("max scaled deviation observation: "), out.stdout)
        XCTAssertTrue(out.stdout.contains("max scaled deviation reward: "), out.stdout)
        XCTAssertTrue(out.stdout.contains("PASS"), out.stdout)
    }

    func testReplayBeyondToleranceFails() throws {
        // The same file with one reward changed by 1e-3 (relative).
        let source = Self.fixtures.appendingPathComponent("MountainCar-v0.json")
        var text = try String(contentsOf: source, encoding: .utf8)
        let range = try XCTUnwrap(text.range(of: "\"rewards\": [-1.0,"))
        text.replaceSubrange(range, with: "\"rewards\": [-1.001,")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("perturbed-\(UUID().uuidString).json")
        try text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let out = try mbrl(["env", "replay", "MountainCar-v0", "--trajectories", file.path])
        XCTAssertEqual(out.status, 1)
        XCTAssertTrue(out.stderr.contains("deviates beyond tolerance"), out.stderr)
    }

    func testReplayMissingFile() throws {
        let out = try mbrl(["env", "replay", "CartPole-v1", "--trajectories", "/nonexistent/file.json"])
        XCTAssertNotEqual(out.status, 0)
        XCTAssertEqual(out.stderr, "error: trajectory file '/nonexistent/file.json' does not exist\n")
    }

    func testUnknownIDSuggests() throws {
        for sub in [["check"], ["bench"], ["replay", "--trajectories", "x.json"]] {
            let out = try mbrl(["env"] + [sub[0], "Pendullum-v1"] + sub.dropFirst())
            XCTAssertEqual(out.status, 1, sub.joined())
            XCTAssertTrue(out.stderr.hasPrefix("error: ") && out.stderr.contains("unknown environment id 'Pendullum-v1'; did you mean 'Pendulum-v1'"),
                          out.stderr)
        }
    }

    func testBenchPrintsJSON() throws {
        let out = try mbrl(["env", "bench", "Acrobot-v1", "--steps", "2000"])
        XCTAssertEqual(out.status, 0, out.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["case"] as? String, "env_steps")
        XCTAssertEqual(json["env"] as? String, "Acrobot-v1")
        XCTAssertGreaterThan(json["steps_per_s"] as? Int ?? 0, 0)
    }
}
