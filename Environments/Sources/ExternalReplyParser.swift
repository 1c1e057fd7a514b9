/// The parsing half of the external-environment protocol (`Environments/bridge/PROTOCOL.md`):
/// one reply line → the value the request asked for, with no process
/// involved, so every malformed reply can be tested in-process.
/// `ExternalEnvironment` sends the requests and owns the child; it hands each
/// reply line here.
///
/// Every refusal is an `ExternalReplyError` naming the request sent, the reply
/// expected and what came instead; nothing here traps on any line.
struct ExternalReplyParser {
    /// The observation space replies to `reset` and `step` must match.
    var observationSpace: Space

    // MARK: - Requests and the replies they expect

    static let helloRequest = #"{"op":"hello","protocol":1}"#
    static let helloExpected = #"{"ok": true, "protocol": 1, "observation_space": {...}, "action_space": {...}}"#

    var resetExpected: String { #"{"ok": true, "observation": [\#(observationSpace.flatSize) numbers], "info": {...}}"# }

    var stepExpected: String {
        #"{"ok": true, "observation": [\#(observationSpace.flatSize) numbers], "reward": number, "terminated": bool, "truncated": bool, "info": {...}}"#
    }

    // MARK: - Whole replies

    /// The spaces and snapshot support announced by a `hello` reply line.
    func hello(line: String) throws -> (observationSpace: Space, actionSpace: Space, snapshots: Bool) {
        let request = Self.helloRequest, expected = Self.helloExpected
        let reply = try self.reply(line, to: request, expected: expected)
        return try hello(reply)
    }

    /// The reset result in a reply line to `request` (a `reset` request).
    func reset(line: String, request: String) throws -> ResetResult {
        try reset(reply(line, to: request, expected: resetExpected), request: request)
    }

    /// The step result in a reply line to `request` (a `step` request).
    func step(line: String, request: String) throws -> StepResult {
        try step(reply(line, to: request, expected: stepExpected), request: request)
    }

    // MARK: - Pieces

    /// The reply object of `line` with `"ok": true`.
    /// - Throws: a fatal `ExternalReplyError` for a line that is not a JSON object
    ///   with a boolean `ok`, a non-fatal one for `"ok": false` (the child's own error).
    func reply(_ line: String, to request: String, expected: String) throws -> JSONValue {
        guard let reply = JSONValue.parse(line) else {
            throw Self.malformed("malformed reply to \(request): not JSON", expected: expected, got: Self.quoted(line))
        }
        guard case .object = reply else {
            throw Self.malformed("malformed reply to \(request): not a JSON object", expected: expected, got: Self.quoted(line))
        }
        guard let ok = reply["ok"]?.bool else {
            throw Self.malformed("malformed reply to \(request): missing or non-boolean field 'ok'", expected: expected,
                                 got: Self.quoted(line))
        }
        guard ok else {
            throw ExternalReplyError(message: "the child reported an error for \(request)",
                                     detail: reply["error"]?.string ?? reply.description, isFatal: false)
        }
        return reply
    }

    func hello(_ reply: JSONValue) throws -> (observationSpace: Space, actionSpace: Space, snapshots: Bool) {
        let request = Self.helloRequest, expected = Self.helloExpected
        let observationSpace = try Self.space(reply, field: "observation_space", request: request, expected: expected)
        let actionSpace = try Self.space(reply, field: "action_space", request: request, expected: expected)
        return (observationSpace, actionSpace, reply["snapshots"]?.bool ?? false)
    }

    func reset(_ reply: JSONValue, request: String) throws -> ResetResult {
        let observation = try self.observation(reply, request: request, expected: resetExpected)
        return ResetResult(observation: observation, info: Self.info(reply["info"]))
    }

    func step(_ reply: JSONValue, request: String) throws -> StepResult {
        let expected = stepExpected
        let observation = try self.observation(reply, request: request, expected: expected)
        guard let reward = reply["reward"]?.double else {
            throw Self.malformed("malformed reply to \(request): missing or non-numeric field 'reward'", expected: expected,
                                 got: reply.description)
        }
        guard let terminated = reply["terminated"]?.bool, let truncated = reply["truncated"]?.bool else {
            throw Self.malformed("malformed reply to \(request): missing or non-boolean field 'terminated' or 'truncated'",
                                 expected: expected, got: reply.description)
        }
        return StepResult(observation: observation, reward: reward, terminated: terminated, truncated: truncated,
                          info: Self.info(reply["info"]))
    }

    func observation(_ reply: JSONValue, request: String, expected: String) throws -> [Float] {
        guard let values = reply["observation"]?.array else {
            throw Self.malformed("malformed reply to \(request): missing or non-array field 'observation'", expected: expected,
                                 got: Self.quoted(reply.description))
        }
        let numbers = values.compactMap(\.double)
        guard numbers.count == values.count else {
            throw Self.malformed("malformed reply to \(request): 'observation' holds non-numbers", expected: expected,
                                 got: Self.quoted(reply.description))
        }
        guard numbers.count == observationSpace.flatSize else {
            throw Self.malformed("wrong-shaped observation in the reply to \(request): \(numbers.count) numbers",
                                 expected: expected, got: "\(numbers.count) for the observation space \(observationSpace)")
        }
        return numbers.map { Float($0) }
    }

    static func space(_ reply: JSONValue, field: String, request: String, expected: String) throws -> Space {
        let bad = { (what: String) in
            malformed("malformed reply to \(request): \(field) \(what)", expected: expected, got: quoted(reply.description))
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
            guard shape.count == (value["shape"]?.array?.count ?? 1), shape.allSatisfy({ $0 >= 0 }) else {
                throw bad("needs 'shape' as a list of non-negative integers")
            }
            // Checked product: a shape the child made up must not overflow (a trap on its reply is a defect).
            let elements = shape.reduce(Int?(1)) { product, dimension in
                product.flatMap { let (p, overflow) = $0.multipliedReportingOverflow(by: dimension); return overflow ? nil : p }
            }
            guard low.count == high.count, low.count == elements, !low.isEmpty else {
                throw bad("has \(low.count) low and \(high.count) high bounds for shape \(shape)")
            }
            guard zip(low, high).allSatisfy({ $0! <= $1! }) else { throw bad("has a low bound above its high bound") }
            return .box(Box(low: low.map { $0! }, high: high.map { $0! }, shape: shape))
        default:
            throw bad("has type '\(type)'; expected 'box' or 'discrete'")
        }
    }

    static func info(_ value: JSONValue?) -> Info {
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

    // MARK: - Errors

    /// A reply the protocol does not allow (the child is ended after it).
    static func malformed(_ message: String, expected: String, got: String, gotLabel: String = "got ") -> ExternalReplyError {
        ExternalReplyError(message: message, detail: "expected a reply line \(expected); \(gotLabel)\(got)", isFatal: true)
    }

    /// `line` in quotes, cut at 200 characters.
    static func quoted(_ line: String) -> String {
        let shown = line.count > 200 ? String(line.prefix(200)) + "… (\(line.count) characters)" : line
        return "'\(shown)'"
    }
}

/// A reply line the protocol refuses: what was wrong (`message`, naming the
/// request) and what was expected and found (`detail`). Fatal ones (malformed
/// replies) end the child; a non-fatal one is the child's own `"ok": false`.
struct ExternalReplyError: Error {
    var message: String
    var detail: String
    var isFatal: Bool

    /// The error the environment reports for it.
    func environmentError(command: String) -> EnvironmentError {
        .external(command: command, message: message, detail: detail)
    }
}
