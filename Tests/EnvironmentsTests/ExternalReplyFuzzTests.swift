import SeededRandom
import TestSupport
import XCTest
@testable import Environments

/// Fuzzing the external-environment protocol with a fixed budget: valid
/// `hello`, `reset` and `step` reply lines mutated by a seeded generator —
/// fields deleted, replaced by values of the wrong type, huge or negative
/// sizes, shapes that lie, observations of the wrong length, `"ok": false`,
/// non-objects, deep nesting, long lines, raw byte flips and truncations —
/// parsed in-process by `ExternalReplyParser`, the code `ExternalEnvironment`
/// hands every reply line to (no process per case). Every refusal must be an
/// `EnvironmentError.external` naming the request; nothing may trap.
final class ExternalReplyFuzzTests: XCTestCase {
    private let budget = FuzzBudget(cases: 3000, seed: 0xE4E)

    /// The request each reply answers, and its valid reply line.
    private let exchanges: [(kind: String, request: String, reply: String)] = [
        ("hello", ExternalReplyParser.helloRequest,
         #"{"ok": true, "protocol": 1, "snapshots": true, "observation_space": {"type": "box", "low": [-1, null, -2], "high": [1, null, 2], "shape": [3]}, "action_space": {"type": "discrete", "n": 2, "start": 0}}"#),
        ("hello", ExternalReplyParser.helloRequest,
         #"{"ok": true, "protocol": 1, "observation_space": {"type": "discrete", "n": 5}, "action_space": {"type": "box", "low": [-1, -1, -1, -1], "high": [1, 1, 1, 1], "shape": [2, 2]}}"#),
        ("reset", #"{"op":"reset","seed":7}"#, #"{"ok": true, "observation": [0.5, -1, 2e3], "info": {"a": 1, "b": [1, 2], "c": "x"}}"#),
        ("step", #"{"op":"step","action":1}"#,
         #"{"ok": true, "observation": [0.5, 1.0, -3], "reward": -1.5, "terminated": false, "truncated": true, "info": {"d": 1.5}}"#),
    ]

    func testMutatedReplyLinesAreParsedOrRejectedNamingTheRequest() {
        let parser = ExternalReplyParser(observationSpace: .box(Box(low: -10, high: 10, shape: [3])))
        var tally = FuzzTally("external replies")
        var generator = SeededGenerator(seed: budget.seed)
        let mutator = ReplyLineMutator()
        for index in 0..<budget.cases {
            let exchange = exchanges[index % exchanges.count]
            let line = mutator.mutate(exchange.reply, using: &generator)
            do {
                switch exchange.kind {
                case "hello": _ = try parser.hello(line: line)
                case "reset": _ = try parser.reset(line: line, request: exchange.request)
                default: _ = try parser.step(line: line, request: exchange.request)
                }
                tally.accept()
            } catch let refusal as ExternalReplyError {
                tally.reject(refusal.environmentError(command: "fuzz"))
                guard case .external(let command, let message, _) = refusal.environmentError(command: "fuzz"),
                      command == "fuzz", message.contains(exchange.request) else {
                    XCTFail("case \(index): the error does not name the request \(exchange.request): \(refusal)\nline: \(line)")
                    continue
                }
            } catch {
                tally.reject(error)
                XCTFail("case \(index): threw \(type(of: error)) instead of an external-environment error: \(error)\nline: \(line)")
            }
        }
        print(tally)
        XCTAssertGreaterThanOrEqual(tally.rejected, 1000)
    }
}

/// Seeded mutations of a valid JSON reply line: structural edits of its
/// fields (through `JSONValue`, so the result is still JSON) or raw bytes.
struct ReplyLineMutator {
    static let values: [String] = [
        "null", "true", "false", "0", "-1", "1.5", "9e15", "8999999999999999", "-9e15", "1e308", "-1e308", "1e400",
        "\"x\"", "\"\"", "[]", "{}", "[1, 2]", "[null]", "[\"a\"]", "[1e308, -1e308, 0]", "[9e14, 9e14, 9e14]",
        "[-1, -3]", "[0]", "[3, -1]", "[1.5, 2]", "{\"type\": \"box\"}", "{\"type\": \"discrete\", \"n\": 9e15, \"start\": 9e15}",
        "{\"type\": \"discrete\", \"n\": 0}", "{\"type\": \"box\", \"low\": [1], \"high\": [0]}",
        "{\"type\": \"box\", \"low\": [0, 0], \"high\": [1, 1], \"shape\": [900000000000000, 900000000000000, 900000000000000]}",
        "{\"type\": \"box\", \"low\": [0, 0], \"high\": [1, 1], \"shape\": [-1, -2]}",
        "{\"type\": \"box\", \"low\": [0], \"high\": [1], \"shape\": []}",
        "{\"type\": \"box\", \"low\": [], \"high\": [], \"shape\": [0]}",
        "{\"type\": \"box\", \"low\": [0, 0], \"high\": [1, 1], \"shape\": [2, \"x\"]}",
        "{\"type\": \"tuple\"}", "[[[[[[[[[[1]]]]]]]]]]",
    ]

    func mutate(_ line: String, using generator: inout SeededGenerator) -> String {
        func pick<T>(_ list: [T]) -> T { list[Int(generator.next() % UInt64(list.count))] }
        switch generator.next() % 10 {
        case 0:
            return String(decoding: ByteMutator().mutate(Array(line.utf8), using: &generator), as: UTF8.self)
        case 1:
            return pick(["", " ", "[]", "1", "\"ok\"", "null", "{}", "{\"ok\": 1}", "{\"ok\": \"true\"}",
                         "{\"ok\": false}", "{\"ok\": false, \"error\": \"bad action\"}", "{\"ok\": false, \"error\": 3}",
                         String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000),
                         "{\"ok\": true, \"observation\": " + String(repeating: "[", count: 3_000) + String(repeating: "]", count: 3_000) + "}",
                         "{\"ok\": true, \"x\": \"" + String(repeating: "é", count: 50_000) + "\"}",
                         "{\"ok\": true, \"observation\": [NaN, Infinity, -Infinity]}", "{\"ok\": true} trailing",
                         "{\"ok\": true, \"ok\": false}", "\u{0}", "{\"ok\": true, \"observation\": [1, 2, 3]"])
        default:
            break
        }
        guard case .object(var fields)? = JSONValue.parse(line) else { return line }
        let keys = fields.keys.sorted()
        let edits = 1 + Int(generator.next() % 2)
        for _ in 0..<edits {
            let key = pick(keys)
            switch generator.next() % 5 {
            case 0: fields.removeValue(forKey: key)
            case 1: fields[pick(["extra", "ok", "n", "type", "observation", "reward"])] = JSONValue.parse(pick(Self.values))
            case 2:   // a nested field of a space or the info replaced
                let innerKeys: [String]
                if case .object(let inner)? = fields[key] { innerKeys = inner.keys.sorted() } else { innerKeys = [] }
                if case .object(var inner)? = fields[key], !innerKeys.isEmpty {
                    let innerKey = pick(innerKeys)
                    inner[innerKey] = JSONValue.parse(pick(Self.values)) ?? .null
                    fields[key] = .object(inner)
                } else {
                    fields[key] = JSONValue.parse(pick(Self.values))
                }
            case 3:   // an observation (or bound list) of another length or with a non-number
                if case .array(var items)? = fields[key] {
                    if generator.next() % 2 == 0, !items.isEmpty {
                        items.removeLast()
                    } else {
                        items.append(pick([JSONValue.number(1), .null, .string("1"), .bool(true)]))
                    }
                    fields[key] = .array(items)
                }
            default: fields[key] = JSONValue.parse(pick(Self.values))
            }
        }
        return JSONValue.object(fields).description
    }
}
