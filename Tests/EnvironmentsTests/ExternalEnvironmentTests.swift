import XCTest
@testable import Environments
#if canImport(Glibc)
import Glibc
#endif

final class ExternalEnvironmentTests: XCTestCase {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/fake_env.py").path
    static let bridge = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Environments/bridge/gymnasium_bridge.py").path

    func fake(_ mode: String, timeout: Double = 10) throws -> ExternalEnvironment {
        try ExternalEnvironment(arguments: ["python3", Self.fixture, mode], timeout: timeout)
    }

    /// Whether `pid` is gone entirely (exited and reaped: not even a zombie).
    func isReaped(_ pid: Int32) -> Bool { kill(pid, 0) == -1 && errno == ESRCH }

    func assertExternalError(_ body: @autoclosure () throws -> Any, contains parts: [String],
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard case .external = error as? EnvironmentError else {
                return XCTFail("expected EnvironmentError.external, got \(error)", file: file, line: line)
            }
            for part in parts {
                XCTAssertTrue("\(error)".contains(part), "missing \"\(part)\" in:\n\(error)", file: file, line: line)
            }
        }
    }

    func testNormalEpisode() throws {
        let env = try fake("normal")
        XCTAssertEqual(env.observationSpace, .box(Box(low: [-10, -.infinity], high: [10, .infinity])))
        XCTAssertEqual(env.actionSpace, .discrete(Discrete(2)))
        XCTAssertThrowsError(try env.step(.discrete(1))) { XCTAssertTrue("\($0)".contains("call reset() first"), "\($0)") }
        let first = try env.reset(seed: 5)
        XCTAssertEqual(first.observation, [0, 1])
        XCTAssertEqual(first.info["seed"], .int(5))
        XCTAssertEqual(try env.reset(seed: nil).info["seed"], .int(-1))
        let step = try env.step(.discrete(1))
        XCTAssertEqual(step.observation, [1, 1])
        XCTAssertEqual(step.reward, 1)
        XCTAssertEqual(step.info["steps"], .int(1))
        XCTAssertEqual(step.info["note"], .string("fine"))
        XCTAssertThrowsError(try env.step(.discrete(2))) { error in
            XCTAssertTrue("\(error)".contains("action discrete(2) is outside the action space Discrete(2)"), "\(error)")
        }
        _ = try env.step(.discrete(0))
        let last = try env.step(.discrete(0))
        XCTAssertTrue(last.terminated)
        XCTAssertEqual(last.observation, [-1, 1])
        XCTAssertThrowsError(try env.step(.discrete(0))) { XCTAssertEqual($0 as? EnvironmentError, .needsReset(environment: "External(python3 \(Self.fixture) normal)")) }
        XCTAssertNil(env.snapshot())
        let pid = try XCTUnwrap(env.processIdentifier)
        env.close()
        XCTAssertTrue(isReaped(pid), "close() reaps the child")
        XCTAssertFalse(env.isRunning)
        assertExternalError(try env.reset(seed: 0), contains: ["the child is no longer running", "closed"])
    }

    func testCrashMidEpisodeReportsStatusAndStderr() throws {
        let env = try fake("crash")
        _ = try env.reset(seed: 0)
        _ = try env.step(.discrete(1))
        let pid = try XCTUnwrap(env.processIdentifier)
        assertExternalError(try env.step(.discrete(1)), contains: [
            "external environment `python3 \(Self.fixture) crash`",
            #"the child exited (exit status 3) before replying to {"op":"step","action":1}"#,
            #"expected a reply line {"ok": true, "observation": [2 numbers], "reward": number"#,
            "last stderr lines:", "fake_env: simulated failure in step 2",
        ])
        XCTAssertTrue(isReaped(pid))
        assertExternalError(try env.reset(seed: 0), contains: ["the child is no longer running", "exit status 3"])
    }

    func testHangTimesOutAndKillsChild() throws {
        let env = try fake("hang")
        _ = try env.reset(seed: 0)
        env.timeout = 0.5
        let pid = try XCTUnwrap(env.processIdentifier)
        let start = Date()
        assertExternalError(try env.step(.discrete(0)), contains: [
            #"no reply within 0.5 s to {"op":"step","action":0}"#,
            #"expected a reply line {"ok": true, "observation": [2 numbers]"#,
            "the child was terminated (it may be hung)",
        ])
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        XCTAssertTrue(isReaped(pid))
    }

    func testChildIgnoringSIGTERMIsKilled() throws {
        let env = try fake("stubborn")   // python3 may take longer than 0.3 s to start
        _ = try env.reset(seed: 0)
        env.timeout = 0.3
        let pid = try XCTUnwrap(env.processIdentifier)
        let start = Date()
        assertExternalError(try env.step(.discrete(0)), contains: ["no reply within 0.3 s"])
        XCTAssertLessThan(Date().timeIntervalSince(start), 5, "SIGKILL after the grace period")
        XCTAssertTrue(isReaped(pid))
    }

    func testMalformedLine() throws {
        let env = try fake("malformed")
        _ = try env.reset(seed: 0)
        assertExternalError(try env.step(.discrete(1)), contains: [
            #"malformed reply to {"op":"step","action":1}: not JSON"#,
            "got 'this is not json'", "expected a reply line {",
        ])
    }

    func testMissingField() throws {
        let env = try fake("missing")
        _ = try env.reset(seed: 0)
        assertExternalError(try env.step(.discrete(1)), contains: [
            #"malformed reply to {"op":"step","action":1}: missing or non-numeric field 'reward'"#,
            #""reward": number"#,
        ])
    }

    func testWrongShapedObservation() throws {
        let env = try fake("wrongshape")
        _ = try env.reset(seed: 0)
        assertExternalError(try env.step(.discrete(1)), contains: [
            #"wrong-shaped observation in the reply to {"op":"step","action":1}: 3 numbers"#,
            #""observation": [2 numbers]"#,
            "got 3 for the observation space Box(low: [-10.0, -inf], high: [10.0, inf], shape: [2])",
        ])
    }

    func testErrorReplyKeepsChild() throws {
        let env = try fake("error")
        _ = try env.reset(seed: 0)
        assertExternalError(try env.step(.discrete(1)), contains: [
            #"the child reported an error for {"op":"step","action":1}: action 1 rejected"#,
        ])
        XCTAssertTrue(env.isRunning)
        XCTAssertEqual(try env.reset(seed: 1).observation, [0, 1])
    }

    func testMissingProgramAndBadCommandLine() {
        assertExternalError(try ExternalEnvironment(commandLine: "no-such-program-mbrl-xyz --flag", timeout: 5), contains: [
            "external environment `no-such-program-mbrl-xyz --flag`", "before replying to {\"op\":\"hello\",\"protocol\":1}",
            "exit status 127", "No such file or directory",
        ])
        assertExternalError(try ExternalEnvironment(commandLine: "python3 'unterminated"), contains: ["cannot parse the command line"])
        XCTAssertEqual(try ExternalEnvironment.splitCommandLine(#"python3  "a b" 'c d' e\ f"#), ["python3", "a b", "c d", "e f"])
    }

    func testFailedHandshakeLeavesNoChild() throws {
        // A child that answers hello with an error reply is still running when init fails.
        let script = NSTemporaryDirectory() + "/refuse-\(UUID().uuidString).py"
        try """
        import os, sys
        sys.stderr.write(str(os.getpid()) + "\\n"); sys.stderr.flush()
        with open(sys.argv[1] + ".pid", "w") as f: f.write(str(os.getpid()))
        for line in sys.stdin:
            sys.stdout.write('{"ok": false, "error": "no environment here"}\\n'); sys.stdout.flush()
        """.write(toFile: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: script); try? FileManager.default.removeItem(atPath: script + ".pid") }
        assertExternalError(try ExternalEnvironment(arguments: ["python3", script, script]), contains: [
            #"the child reported an error for {"op":"hello","protocol":1}: no environment here"#,
        ])
        let pid = try XCTUnwrap(Int32(String(contentsOfFile: script + ".pid", encoding: .utf8)))
        XCTAssertTrue(isReaped(pid), "a failed init must not leave the child running")
    }

    func testDeinitTerminatesChild() throws {
        var pid: Int32 = 0
        do {
            let env = try fake("normal")
            _ = try env.reset(seed: 0)
            pid = try XCTUnwrap(env.processIdentifier)
            XCTAssertFalse(isReaped(pid))
        }
        XCTAssertTrue(isReaped(pid), "the child must not outlive its environment")
    }

    func testRegistryMakesExternalEnvironment() throws {
        var env = try EnvironmentRegistry.builtin.make("External-v0", settings: [
            "command": .string("python3 '\(Self.fixture)' normal"), "timeout": .double(5),
        ])
        XCTAssertTrue(env is ExternalEnvironment)
        XCTAssertEqual(try env.reset(seed: 3).observation, [0, 1])
        XCTAssertThrowsError(try EnvironmentRegistry.builtin.make("External-v0")) { error in
            XCTAssertTrue("\(error)".contains("External-v0: setting 'command' expected a non-empty command line"), "\(error)")
        }
        XCTAssertThrowsError(try EnvironmentRegistry.builtin.make("External-v0", settings: ["command": .string("x"), "timeout": .double(0)])) { error in
            XCTAssertTrue("\(error)".contains("setting 'timeout' expected a positive number of seconds"), "\(error)")
        }
    }

    /// The bridge against a tiny stand-in `gymnasium` package (numpy only), so the
    /// bridge's space mapping and request handling are tested without Gymnasium.
    func testBridgeWithStandInGymnasium() throws {
        guard shell(["python3", "-c", "import numpy"]) else { throw XCTSkip("numpy is not installed for python3") }
        let folder = NSTemporaryDirectory() + "/standin-gym-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/gymnasium", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try """
        import numpy as np
        from . import spaces
        class _Walk:
            def __init__(self):
                self.observation_space = spaces.Box(np.array([[-1, -np.inf], [0, 0]]), np.array([[1, np.inf], [5, 5]]))
                self.action_space = spaces.Box(np.array([-2.0]), np.array([2.0]))
            def reset(self, seed=None):
                self.t = 0
                return np.zeros((2, 2)), {"seeded": seed is not None}
            def step(self, action):
                self.t += 1
                print("noise on stdout must not break the protocol")
                return np.full((2, 2), float(action[0])), float(action[0]) * 2, False, self.t >= 2, {"t": self.t}
            def close(self):
                pass
        def make(env_id, **kwargs):
            if env_id != "Walk-v0":
                raise ValueError("no env " + env_id)
            return _Walk()
        """.write(toFile: folder + "/gymnasium/__init__.py", atomically: true, encoding: .utf8)
        try """
        import numpy as np
        class Box:
            def __init__(self, low, high):
                self.low, self.high = np.asarray(low, dtype=np.float32), np.asarray(high, dtype=np.float32)
                self.shape, self.dtype = self.low.shape, np.float32
        class Discrete:
            def __init__(self, n, start=0):
                self.n, self.start = n, start
        """.write(toFile: folder + "/gymnasium/spaces.py", atomically: true, encoding: .utf8)
        let env = try ExternalEnvironment(arguments: ["PYTHONPATH=\(folder)", "python3", Self.bridge, "Walk-v0"], timeout: 10)
        XCTAssertEqual(env.observationSpace, .box(Box(low: [-1, -.infinity, 0, 0], high: [1, .infinity, 5, 5], shape: [2, 2])))
        XCTAssertEqual(env.actionSpace, .box(Box(low: [-2], high: [2])))
        let first = try env.reset(seed: 1)
        XCTAssertEqual(first.observation, [0, 0, 0, 0])
        XCTAssertEqual(first.info["seeded"], .bool(true))
        let step = try env.step(.continuous([0.5]))
        XCTAssertEqual(step.observation, [0.5, 0.5, 0.5, 0.5])
        XCTAssertEqual(step.reward, 1)
        XCTAssertEqual(step.info["t"], .int(1))
        // The bridge pickles the environment for snapshots: restoring one repeats the step exactly.
        XCTAssertTrue(env.supportsSnapshots)
        let snapshot = try XCTUnwrap(env.snapshot())
        XCTAssertTrue(try env.step(.continuous([-1])).truncated)
        try env.restore(snapshot)
        let again = try env.step(.continuous([-1]))
        XCTAssertTrue(again.truncated)
        XCTAssertEqual(again.observation, [-1, -1, -1, -1])
        env.close()
        assertExternalError(try ExternalEnvironment(arguments: ["PYTHONPATH=\(folder)", "python3", Self.bridge, "Nope-v0"]), contains: [
            "the child reported an error for {\"op\":\"hello\",\"protocol\":1}", "cannot make Nope-v0: ValueError: no env Nope-v0",
        ])
    }

    func testRealGymnasiumCartPole() throws {
        guard shell(["python3", "-c", "import gymnasium"]) else {
            throw XCTSkip("gymnasium is not installed for python3 (`python3 -c \"import gymnasium\"` failed); the real-Gymnasium bridge test is skipped")
        }
        var env = try EnvironmentRegistry.builtin.make("External-v0", settings: [
            "command": .string("python3 '\(Self.bridge)' CartPole-v1"), "timeout": .double(30),
        ])
        XCTAssertEqual(env.actionSpace, .discrete(Discrete(2)))
        XCTAssertEqual(env.observationSpace.flatSize, 4)
        let a = try env.reset(seed: 0).observation
        XCTAssertEqual(try env.reset(seed: 0).observation, a, "seeded resets are reproducible")
        var steps = 0
        while true {
            let r = try env.step(.discrete(steps % 2))
            steps += 1
            XCTAssertEqual(r.reward, 1)
            if r.done { break }
        }
        XCTAssertGreaterThan(steps, 5)
    }

    /// Runs a command; whether it exited with status 0.
    func shell(_ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
