import Foundation

/// An environment served by another program (any language) over the JSON-lines
/// protocol of `Environments/bridge/PROTOCOL.md`: one request line on the
/// child's stdin, one reply line on its stdout. `Environments/bridge/gymnasium_bridge.py`
/// serves any Gymnasium environment this way.
///
/// Lifetime: a `final class` because it owns a process. `init` starts the
/// child and does the `hello` handshake (which gives the spaces); `close()`
/// or `deinit` ends it (a `close` request, then SIGTERM, then SIGKILL) and
/// reaps it, so the child never outlives the environment.
///
/// Every reply is awaited at most `timeout` seconds. Failures are
/// `EnvironmentError.external` errors naming the command, the request sent
/// and the reply expected:
/// - the child exits (crash): its exit status and last stderr lines;
/// - no reply in time (hang): the child is terminated;
/// - a reply that is not JSON or lacks a field (malformed);
/// - an observation whose length differs from the observation space.
/// After any of these the child is gone and every later call fails with the
/// first error. A reply `{"ok": false, "error": ...}` is reported but keeps
/// the child (e.g. an action the child rejects).
///
/// Snapshots are optional: a child whose `hello` reply has `"snapshots": true`
/// answers `get_state` with its full state as one opaque JSON value and
/// `set_state` by restoring it, so `snapshot()`/`restore(_:)` (oracle MPC, the
/// checker's round trip) work over the bridge; for other children
/// `snapshot()` is nil and `restore` throws `snapshotUnsupported`.
public final class ExternalEnvironment: Environment {
    /// The command line, as given (for messages).
    public let command: String
    /// Seconds to wait for each reply.
    public var timeout: Double
    public private(set) var observationSpace: Space = .discrete(Discrete(1))
    public private(set) var actionSpace: Space = .discrete(Discrete(1))

    private var child: ChildProcess?
    /// Why the child is gone (the first fatal error, or "closed").
    private var failure: String?
    private var episodeRunning = false
    /// Whether the child said in `hello` that it answers `get_state` and `set_state`.
    public private(set) var supportsSnapshots = false

    /// What `snapshot()` of an external environment holds: the child's state
    /// as it sent it, and whether an episode was running.
    struct Snapshot {
        var command: String
        var state: JSONValue
        var episodeRunning: Bool
    }

    /// Starts `commandLine` (split into words like a shell does for quotes and
    /// backslashes; no variables or globs), looked up in `PATH`.
    public convenience init(commandLine: String, timeout: Double = 10) throws {
        let words = try ExternalEnvironment.splitCommandLine(commandLine)
        try self.init(arguments: words, timeout: timeout, command: commandLine)
    }

    /// Starts the program `arguments[0]` (looked up in `PATH`) with the rest as its arguments.
    public init(arguments: [String], timeout: Double = 10, command: String? = nil) throws {
        let command = command ?? arguments.joined(separator: " ")
        self.command = command
        self.timeout = timeout
        guard !arguments.isEmpty else {
            throw EnvironmentError.external(command: command, message: "cannot start", detail: "expected a program name, got an empty command line")
        }
        guard timeout > 0, timeout.isFinite else {
            throw EnvironmentError.external(command: command, message: "invalid timeout \(timeout)", detail: "expected a positive number of seconds")
        }
        do {
            child = try ChildProcess(arguments: arguments)
        } catch ChildProcessError.launch(let reason) {
            throw EnvironmentError.external(command: command, message: "cannot start", detail: reason)
        }
        let hello = #"{"op":"hello","protocol":1}"#
        let expected = #"{"ok": true, "protocol": 1, "observation_space": {...}, "action_space": {...}}"#
        do {
            let reply = try request(hello, expecting: expected)
            observationSpace = try space(reply, field: "observation_space", request: hello, expected: expected)
            actionSpace = try space(reply, field: "action_space", request: hello, expected: expected)
            supportsSnapshots = reply["snapshots"]?.bool ?? false
        } catch {
            close()   // e.g. an error reply: the child is still running
            throw error
        }
    }

    deinit { close() }

    /// Whether the child is running and usable.
    public var isRunning: Bool { child != nil }

    /// The child's process id (while it runs).
    public var processIdentifier: Int32? { child?.pid }

    /// Asks the child to exit, then terminates and reaps it. Idempotent.
    public func close() {
        guard let child else { return }
        if child.send(#"{"op":"close"}"#) {
            _ = child.readLine(timeout: min(timeout, 2))
        }
        _ = child.closeInput(wait: 1)
        child.terminate(grace: 1)
        self.child = nil
        if failure == nil { failure = "the environment was closed" }
    }

    // MARK: - Environment

    public func reset(seed: UInt64?) throws -> ResetResult {
        let message = #"{"op":"reset","seed":\#(seed.map { String($0) } ?? "null")}"#
        let expected = #"{"ok": true, "observation": [\#(observationSpace.flatSize) numbers], "info": {...}}"#
        episodeRunning = false
        let reply = try request(message, expecting: expected)
        let observation = try self.observation(reply, request: message, expected: expected)
        episodeRunning = true
        return ResetResult(observation: observation, info: info(reply["info"]))
    }

    public func step(_ action: Action) throws -> StepResult {
        if let failure, child == nil {
            throw EnvironmentError.external(command: command, message: "the child is no longer running", detail: failure)
        }
        guard episodeRunning else { throw EnvironmentError.needsReset(environment: "External(\(command))") }
        guard actionSpace.contains(action), action.vector.allSatisfy(\.isFinite) else {
            throw EnvironmentError.actionOutOfSpace(environment: "External(\(command))", action: action.description,
                                                    space: actionSpace.description)
        }
        let encoded: String
        switch action {
        case .discrete(let i): encoded = String(i)
        case .continuous(let v): encoded = "[" + v.map { JSONValue.format(Double($0)) }.joined(separator: ",") + "]"
        }
        let message = #"{"op":"step","action":\#(encoded)}"#
        let expected = #"{"ok": true, "observation": [\#(observationSpace.flatSize) numbers], "reward": number, "terminated": bool, "truncated": bool, "info": {...}}"#
        let reply = try request(message, expecting: expected)
        let observation = try self.observation(reply, request: message, expected: expected)
        guard let reward = reply["reward"]?.double else {
            throw fatal("malformed reply to \(message): missing or non-numeric field 'reward'", expected: expected, got: reply.description)
        }
        guard let terminated = reply["terminated"]?.bool, let truncated = reply["truncated"]?.bool else {
            throw fatal("malformed reply to \(message): missing or non-boolean field 'terminated' or 'truncated'",
                        expected: expected, got: reply.description)
        }
        episodeRunning = !(terminated || truncated)
        return StepResult(observation: observation, reward: reward, terminated: terminated, truncated: truncated,
                          info: info(reply["info"]))
    }

    /// The child's state (`get_state`), or nil when it does not support
    /// snapshots or fails to answer (a failure that ends the child is kept
    /// and reported by the next call).
    public func snapshot() -> EnvironmentSnapshot? {
        guard supportsSnapshots, child != nil else { return nil }
        let message = #"{"op":"get_state"}"#
        guard let reply = try? request(message, expecting: #"{"ok": true, "state": VALUE}"#), let state = reply["state"] else {
            return nil
        }
        return EnvironmentSnapshot(Snapshot(command: command, state: state, episodeRunning: episodeRunning))
    }

    /// Sends the state of `snapshot` back to the child (`set_state`).
    public func restore(_ snapshot: EnvironmentSnapshot) throws {
        let name = "External(\(command))"
        guard supportsSnapshots else { throw EnvironmentError.snapshotUnsupported(environment: name) }
        let saved = try snapshot.value(as: Snapshot.self, environment: name)
        let message = #"{"op":"set_state","state":\#(saved.state.description)}"#
        _ = try request(message, expecting: #"{"ok": true}"#)
        episodeRunning = saved.episodeRunning
    }

    // MARK: - Protocol

    /// Sends `message` and returns the reply object with `"ok": true`.
    private func request(_ message: String, expecting expected: String) throws -> JSONValue {
        guard let child else {
            throw EnvironmentError.external(command: command, message: "the child is no longer running",
                                            detail: failure ?? "it was closed")
        }
        guard child.send(message) else {
            throw crashed(child, while: message, expected: expected)
        }
        switch child.readLine(timeout: timeout) {
        case .timeout:
            throw fatal("no reply within \(timeout) s to \(message)", expected: expected,
                        got: "nothing; the child was terminated (it may be hung)")
        case .endOfFile:
            throw crashed(child, while: message, expected: expected)
        case .line(let line):
            guard let reply = JSONValue.parse(line) else {
                throw fatal("malformed reply to \(message): not JSON", expected: expected, got: quoted(line))
            }
            guard case .object = reply else {
                throw fatal("malformed reply to \(message): not a JSON object", expected: expected, got: quoted(line))
            }
            guard let ok = reply["ok"]?.bool else {
                throw fatal("malformed reply to \(message): missing or non-boolean field 'ok'", expected: expected, got: quoted(line))
            }
            guard ok else {
                throw EnvironmentError.external(command: command, message: "the child reported an error for \(message)",
                                                detail: reply["error"]?.string ?? reply.description)
            }
            return reply
        }
    }

    /// The error for a child that exited (or closed its stdout) instead of replying.
    private func crashed(_ child: ChildProcess, while message: String, expected: String) -> EnvironmentError {
        child.waitForExit(seconds: 2)
        let status = child.exitDescription ?? "still running but closed its stdout"
        let tail = child.stderrTail()
        let stderr = tail.isEmpty ? "(stderr was empty)" : "last stderr lines:\n    " + tail.joined(separator: "\n    ")
        return fatal("the child exited (\(status)) before replying to \(message)", expected: expected, got: stderr,
                     gotLabel: "")
    }

    /// Ends the child and records `message` as the failure every later call reports.
    private func fatal(_ message: String, expected: String, got: String, gotLabel: String = "got ") -> EnvironmentError {
        let detail = "expected a reply line \(expected); \(gotLabel)\(got)"
        child?.terminate(grace: 1)
        child = nil
        episodeRunning = false
        failure = "it failed earlier: \(message): \(detail)"
        return EnvironmentError.external(command: command, message: message, detail: detail)
    }

    private func quoted(_ line: String) -> String {
        let shown = line.count > 200 ? String(line.prefix(200)) + "… (\(line.count) characters)" : line
        return "'\(shown)'"
    }

    private func observation(_ reply: JSONValue, request message: String, expected: String) throws -> [Float] {
        guard let values = reply["observation"]?.array else {
            throw fatal("malformed reply to \(message): missing or non-array field 'observation'", expected: expected,
                        got: quoted(reply.description))
        }
        let numbers = values.compactMap(\.double)
        guard numbers.count == values.count else {
            throw fatal("malformed reply to \(message): 'observation' holds non-numbers", expected: expected,
                        got: quoted(reply.description))
        }
        guard numbers.count == observationSpace.flatSize else {
            throw fatal("wrong-shaped observation in the reply to \(message): \(numbers.count) numbers",
                        expected: expected, got: "\(numbers.count) for the observation space \(observationSpace)")
        }
        return numbers.map { Float($0) }
    }

    private func space(_ reply: JSONValue, field: String, request message: String, expected: String) throws -> Space {
        let bad = { (what: String) in
            self.fatal("malformed reply to \(message): \(field) \(what)", expected: expected, got: self.quoted(reply.description))
        }
        guard let value = reply[field], let type = value["type"]?.string else { throw bad("is missing or has no 'type'") }
        switch type {
        case "discrete":
            guard let n = value["n"]?.int, n > 0 else { throw bad("needs a positive integer 'n'") }
            let start = value["start"]?.int ?? 0
            return .discrete(Discrete(n, start: start))
        case "box":
            guard let lowValues = value["low"]?.array, let highValues = value["high"]?.array else {
                throw bad("needs arrays 'low' and 'high' (null for an unbounded element)")
            }
            let low = lowValues.map { $0 == .null ? -Float.infinity : $0.double.map(Float.init) }
            let high = highValues.map { $0 == .null ? Float.infinity : $0.double.map(Float.init) }
            guard low.allSatisfy({ $0 != nil }), high.allSatisfy({ $0 != nil }) else { throw bad("bounds must be numbers or null") }
            let shape = value["shape"]?.array?.compactMap(\.int) ?? [low.count]
            guard low.count == high.count, low.count == shape.reduce(1, *), !low.isEmpty else {
                throw bad("has \(low.count) low and \(high.count) high bounds for shape \(shape)")
            }
            guard zip(low, high).allSatisfy({ $0! <= $1! }) else { throw bad("has a low bound above its high bound") }
            return .box(Box(low: low.map { $0! }, high: high.map { $0! }, shape: shape))
        default:
            throw bad("has type '\(type)'; expected 'box' or 'discrete'")
        }
    }

    private func info(_ value: JSONValue?) -> Info {
        guard case .object(let fields)? = value else { return [:] }
        var info: Info = [:]
        for (key, field) in fields {
            switch field {
            case .bool(let b): info[key] = .bool(b)
            case .number: info[key] = field.int.map { .int($0) } ?? .double(field.double!)
            case .string(let s): info[key] = .string(s)
            case .array(let a) where a.allSatisfy({ $0.double != nil }): info[key] = .vector(a.map { Float($0.double!) })
            default: info[key] = .string(field.description)
            }
        }
        return info
    }

    /// Splits a command line into words: whitespace separates, single quotes
    /// keep everything literally, double quotes and backslashes as in `sh`.
    public static func splitCommandLine(_ line: String) throws -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in line {
            if escaped { current.append(character); escaped = false; inWord = true; continue }
            switch (quote, character) {
            case ("'", "'"), ("\"", "\""): quote = nil
            case ("'", _): current.append(character)
            case ("\"", "\\"), (nil, "\\"): escaped = true
            case ("\"", _): current.append(character)
            case (nil, "'"), (nil, "\""): quote = character; inWord = true
            case (nil, _) where character.isWhitespace:
                if inWord { words.append(current); current = ""; inWord = false }
            default: current.append(character); inWord = true
            }
        }
        guard quote == nil, !escaped else {
            throw EnvironmentError.external(command: line, message: "cannot parse the command line",
                                            detail: "expected closed quotes and no trailing backslash")
        }
        if inWord { words.append(current) }
        return words
    }
}
