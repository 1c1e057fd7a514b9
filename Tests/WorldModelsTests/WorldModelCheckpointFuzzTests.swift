import Foundation
import NN
import SeededRandom
import TestSupport
import XCTest
@testable import WorldModels

/// Fuzzing world-model checkpoints with a fixed budget: a PETS ensemble's
/// checkpoint (weights, normalisers, Adam moments, `elites` and
/// `optimizer_step` metadata) mutated by `SafeTensorsMutator` and loaded with
/// `EnsembleWorldModel.load(checkpointAt:)`, as a resumed run does. Every
/// failure must be a `SafeTensorsError` naming the file; nothing may trap.
final class WorldModelCheckpointFuzzTests: XCTestCase {
    private let budget = FuzzBudget(cases: 1000, seed: 0x3E5)

    func testMutatedEnsembleCheckpointsAreLoadedOrRejectedWithASafeTensorsError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("world-model-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = EnsembleWorldModelConfiguration()
        configuration.members = 3; configuration.elites = 2; configuration.hiddenSize = 4; configuration.hiddenLayers = 1
        configuration.threads = 1
        var g = SeededGenerator(seed: 0)
        let model = try EnsembleWorldModel(observationSize: 2, actionSize: 1, configuration: configuration, generator: &g)
        let valid = try [UInt8](model.checkpoint().encoded())

        let url = directory.appendingPathComponent("model.safetensors")
        var tally = FuzzTally("world-model checkpoints (EnsembleWorldModel.load(checkpointAt:))")
        var generator = SeededGenerator(seed: budget.seed)
        for index in 0..<budget.cases {
            try Data(SafeTensorsMutator().mutate(valid, using: &generator)).write(to: url)
            do {
                try model.load(checkpointAt: url)
                tally.accept()
            } catch let error as SafeTensorsError {
                tally.reject(error)
                if !(error.description.hasPrefix(url.lastPathComponent) || error.description.hasPrefix(url.path)) {
                    XCTFail("case \(index): the error does not name the file: \(error)")
                }
            } catch {
                tally.reject(error)
                XCTFail("case \(index): threw \(type(of: error)) instead of a SafeTensorsError: \(error)")
            }
        }
        print(tally)
        XCTAssertGreaterThanOrEqual(tally.cases, 1000)
    }
}
