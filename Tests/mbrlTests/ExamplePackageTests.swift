import Foundation
import XCTest

/// The user package in `Examples/CustomEnvironment` builds from a clean copy
/// against this repository, its CLI checks both of its environments, and its
/// configs run. It builds the whole framework a second time (minutes), so it
/// runs when `MBRL_EXAMPLE_PACKAGE_TEST=1` (as `.ci/run` sets it).
final class ExamplePackageTests: XCTestCase {
    func testExamplePackageBuildsChecksItsEnvironmentsAndRunsItsConfigs() throws {
        guard ProcessInfo.processInfo.environment["MBRL_EXAMPLE_PACKAGE_TEST"] == "1" else {
            throw XCTSkip("builds the example package (minutes); set MBRL_EXAMPLE_PACKAGE_TEST=1, as .ci/run does")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["bash", repositoryRoot.appendingPathComponent(".ci/example-package.sh").path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, output)
        XCTAssertTrue(output.contains("PointMass-v0: all 9 checks passed"), output)
        XCTAssertTrue(output.contains("Corridor-v0 (length=5): all 9 checks passed"), output)
        XCTAssertEqual(output.components(separatedBy: "metrics: runs/").count - 1, 2, output)
    }
}
