import Foundation
import XCTest

/// What a run of the `mbrl` executable printed and returned.
struct MBRLOutput {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// The directory holding the built products (the `productsDirectory` pattern).
var productsDirectory: URL {
    #if os(macOS)
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
        return bundle.bundleURL.deletingLastPathComponent()
    }
    fatalError("couldn't find the products directory")
    #else
    return Bundle.main.bundleURL
    #endif
}

/// The repository root (for `Configs/`).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Runs `executable` with `arguments` to its exit and returns what it printed; `environment`'s
/// variables are set over this process's environment.
func runProcess(_ executable: URL, _ arguments: [String], currentDirectory: URL? = nil,
                environment: [String: String] = [:]) throws -> MBRLOutput {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return MBRLOutput(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
}

extension XCTestCase {
    /// Runs the built `mbrl` executable (next to the test bundle) with `arguments`, in this
    /// process's environment with `environment`'s variables set over it.
    func mbrl(_ arguments: [String], currentDirectory: URL? = nil, environment: [String: String] = [:]) throws -> MBRLOutput {
        try runProcess(productsDirectory.appendingPathComponent("mbrl"), arguments, currentDirectory: currentDirectory,
                       environment: environment)
    }
}

/// A run directory's `metrics.jsonl`, line by line (a cut-off last line included), without the
/// timing values, which differ between processes (`time/...`, `plan/ms_per_action`).
func metricsWithoutTimings(_ directory: URL) throws -> [String] {
    try String(contentsOf: directory.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        .split(separator: "\n", omittingEmptySubsequences: false)
        .map { line in line.split(separator: ",").filter { !$0.contains("time/") && !$0.contains("ms_per_action") }.joined(separator: ",") }
}
