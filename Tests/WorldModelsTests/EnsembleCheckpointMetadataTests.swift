import Foundation
import NN
import SeededRandom
import XCTest
@testable import WorldModels

/// Ensemble checkpoints whose metadata the fuzzing (`WorldModelCheckpointFuzzTests`)
/// found mishandled, pinned as regular tests.
final class EnsembleCheckpointMetadataTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ensemble-ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private func model(seed: UInt64) throws -> EnsembleWorldModel {
        var c = EnsembleWorldModelConfiguration()
        c.members = 3; c.elites = 2; c.hiddenSize = 4; c.hiddenLayers = 1; c.threads = 1
        var g = SeededGenerator(seed: seed)
        return try EnsembleWorldModel(observationSize: 2, actionSize: 1, configuration: c, generator: &g)
    }

    /// The checkpoint of `source` with one metadata entry replaced.
    private func checkpoint(of source: EnsembleWorldModel, setting key: String, to value: String) throws -> URL {
        var file = source.checkpoint()
        file.metadata[key] = value
        let url = directory.appendingPathComponent("model.safetensors")
        try file.write(to: url)
        return url
    }

    /// Before: elites "0,0" (or "0,x,1", a field dropped) were accepted.
    func testElitesMustBeDistinctIndices() throws {
        let source = try model(seed: 1), target = try model(seed: 2)
        for elites in ["0,0", "0,x,1", "1,", ",1"] {
            let url = try checkpoint(of: source, setting: "elites", to: elites)
            XCTAssertThrowsError(try target.load(checkpointAt: url), elites) {
                XCTAssertTrue("\($0)".hasPrefix(url.path + ": invalid safetensors header: metadata 'elites' must list 2 distinct"), "\($0)")
            }
        }
    }

    /// Before: a bad `optimizer_step` was found after the weights had been overwritten, leaving a half-loaded model.
    func testRejectedStepLeavesTheModelUnchanged() throws {
        let source = try model(seed: 1), target = try model(seed: 2)
        let before = target.checkpoint()
        let url = try checkpoint(of: source, setting: "optimizer_step", to: "-1")
        XCTAssertThrowsError(try target.load(checkpointAt: url)) {
            XCTAssertTrue("\($0)".contains("metadata 'optimizer_step' must be a step count >= 0, got '-1'"), "\($0)")
        }
        XCTAssertEqual(target.checkpoint(), before)
    }
}
