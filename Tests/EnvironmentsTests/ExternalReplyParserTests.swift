import XCTest
@testable import Environments

/// Reply lines the fuzzer (`ExternalReplyFuzzTests`) found mishandled, pinned
/// as regular tests: each is refused with an error naming the request.
final class ExternalReplyParserTests: XCTestCase {
    private let parser = ExternalReplyParser(observationSpace: .box(Box(low: -1, high: 1, shape: [2])))

    private func helloError(_ observationSpace: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        let reply = #"{"ok": true, "protocol": 1, "observation_space": \#(observationSpace), "action_space": {"type": "discrete", "n": 2}}"#
        do {
            _ = try parser.hello(line: reply)
            XCTFail("expected the hello reply to be refused", file: file, line: line)
        } catch let error as ExternalReplyError {
            XCTAssertTrue(error.isFatal, file: file, line: line)
            return String(describing: error.environmentError(command: "child"))
        } catch {
            XCTFail("expected an ExternalReplyError, got \(error)", file: file, line: line)
        }
        return ""
    }

    /// Before: `shape.reduce(1, *)` overflowed and trapped the process.
    func testBoxShapeWhoseProductOverflowsIsRefused() {
        let message = helloError(#"{"type": "box", "low": [0, 0], "high": [1, 1], "shape": [900000000000000, 900000000000000, 900000000000000]}"#)
        XCTAssertTrue(message.contains(#"malformed reply to {"op":"hello","protocol":1}: observation_space"#), message)
        XCTAssertTrue(message.contains("has 2 low and 2 high bounds for shape"), message)
    }

    /// Before: negative dimensions whose product matched the bounds were accepted as the space's shape.
    func testBoxShapeWithNegativeDimensionsIsRefused() {
        let message = helloError(#"{"type": "box", "low": [0, 0], "high": [1, 1], "shape": [-1, -2]}"#)
        XCTAssertTrue(message.contains("observation_space needs 'shape' as a list of non-negative integers"), message)
    }

    /// Before: non-integer dimensions were dropped silently (`[2, "x"]` read as `[2]`).
    func testBoxShapeWithNonIntegerDimensionsIsRefused() {
        let message = helloError(#"{"type": "box", "low": [0, 0], "high": [1, 1], "shape": [2, "x"]}"#)
        XCTAssertTrue(message.contains("needs 'shape' as a list of non-negative integers"), message)
    }
}
