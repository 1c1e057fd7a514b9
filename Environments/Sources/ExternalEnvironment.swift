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
        do {
            let reply = try request(ExternalReplyParser.helloRequest, expecting: ExternalReplyParser.helloExpected)
            (observationSpace, actionSpace, supportsSnapshots) = try parsing { try $0.hello(reply) }
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
        episodeRunning = false
        let reply = try request(message, expecting: parser.resetExpected)
        let result = try parsing { try $0.reset(reply, request: message) }
        episodeRunning = true
        return result
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
        let reply = try request(message, expecting: parser.stepExpected)
        let result = try parsing { try $0.step(reply, request: message) }
        episodeRunning = !(result.terminated || result.truncated)
        return result
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
            return try parsing { try $0.reply(line, to: message, expected: expected) }
        }
    }

    /// The parser of this environment's replies (its observation space as announced).
    private var parser: ExternalReplyParser { ExternalReplyParser(observationSpace: observationSpace) }

    /// Runs `body` on the reply parser; a refused reply becomes an
    /// `EnvironmentError.external`, and a malformed one also ends the child.
    private func parsing<T>(_ body: (ExternalReplyParser) throws -> T) throws -> T {
        do {
            return try body(parser)
        } catch let error as ExternalReplyError {
            guard error.isFatal else { throw error.environmentError(command: command) }
            throw fatal(error.message, detail: error.detail)
        }
    }

    /// The error for a child that exited (or closed its stdout) instead of replying.
    private func crashed(_ child: ChildProcess, while message: String, expected: String) -> EnvironmentError {
        child.waitForExit(seconds: 2)
        let status = child.exitDescription ?? "still running but closed its stdout"
        let tail = child.stderrTail()
        let stderr = tail.isEmpty ? "(stderr was empty)" : "last stderr lines:\n    " + tail.joined(separator: "\n    ")
        let refusal = ExternalReplyParser.malformed("the child exited (\(status)) before replying to \(message)",
                                                    expected: expected, got: stderr, gotLabel: "")
        return fatal(refusal.message, detail: refusal.detail)
    }

    /// Ends the child and records `message` as the failure every later call reports.
    private func fatal(_ message: String, expected: String, got: String) -> EnvironmentError {
        let refusal = ExternalReplyParser.malformed(message, expected: expected, got: got)
        return fatal(refusal.message, detail: refusal.detail)
    }

    /// Ends the child and records `message: detail` as the failure every later call reports.
    private func fatal(_ message: String, detail: String) -> EnvironmentError {
        child?.terminate(grace: 1)
        child = nil
        episodeRunning = false
        failure = "it failed earlier: \(message): \(detail)"
        return EnvironmentError.external(command: command, message: message, detail: detail)
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
