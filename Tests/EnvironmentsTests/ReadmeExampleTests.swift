import Foundation
import XCTest
import Environments

/// The custom-environment example in Environments/README.md is this target's
/// ReadmeExample.swift, verbatim: the test below fails if they drift apart, and
/// the file compiles as part of the test target.
final class ReadmeExampleTests: XCTestCase {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    func testReadmeCodeBlockEqualsExampleFile() throws {
        let root = Self.testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("Environments/README.md"), encoding: .utf8)
        let example = try String(contentsOf: Self.testsDirectory.appendingPathComponent("ReadmeExample.swift"), encoding: .utf8)
        let marker = "<!-- example: Tests/EnvironmentsTests/ReadmeExample.swift -->\n```swift\n"
        let start = try XCTUnwrap(readme.range(of: marker), "README lacks the example marker").upperBound
        let end = try XCTUnwrap(readme.range(of: "```\n", range: start..<readme.endIndex)).lowerBound
        XCTAssertEqual(String(readme[start..<end]), example, "README example and ReadmeExample.swift differ")
    }

    func testExampleRuns() throws {
        let (checked, reward, steps) = try walkRight()
        XCTAssertTrue(checked, "the example environment passes the checker")
        XCTAssertEqual(reward, 1)
        XCTAssertLessThanOrEqual(steps, 7)
        XCTAssertTrue(registryWithLineWalk().ids.contains("CartPole-v1"))
        XCTAssertFalse(EnvironmentRegistry.builtin.ids.contains("LineWalk-v0"), "the built-in registry is unchanged")
    }
}
