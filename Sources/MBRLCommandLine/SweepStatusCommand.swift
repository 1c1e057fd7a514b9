import ArgumentParser
import Experiments
import Foundation

/// `mbrl sweep status DIR`: the sweep's manifest as a table (id, state,
/// attempts, directory, error) and the number of runs in each state.
struct SweepStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print a sweep directory's runs and their states."
    )

    @Argument(help: "The sweep directory (holding manifest.json).")
    var directory: String

    func run() throws {
        guard let manifest = try SweepManifest.load(from: URL(fileURLWithPath: directory)) else {
            throw ValidationError("\(directory) holds no manifest.json: not a sweep directory")
        }
        print(manifest.statusTable(), terminator: "")
    }
}
