import Foundation
import SeededRandom
import TestSupport
import XCTest
@testable import NN

/// Fuzzing checkpoint reading with a fixed budget: a checkpoint of a network
/// and its Adam moments (as a learner writes it) and one of an `MLP` module,
/// mutated by a seeded generator — truncation, bit flips, JSON headers that
/// lie about offsets, dtypes and shapes, tensors dropped or renamed, bad
/// `__metadata__`, header lengths that lie or are huge — read with
/// `SafeTensorsFile.read(from:)` and, when read, checked against the model and
/// loaded into it. Every failure must be a `SafeTensorsError` naming the file;
/// nothing may trap.
final class SafeTensorsFuzzTests: XCTestCase {
    private let budget = FuzzBudget(cases: 1500, seed: 0x5AFE)

    func testMutatedCheckpointsAreLoadedOrRejectedWithASafeTensorsError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("safetensors-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var g = SeededGenerator(seed: 5)
        let network = DenseNetwork(inputSize: 3, hiddenSizes: [4], outputSize: 2, generator: &g)
        let mlp = MLP(inputSize: 2, hiddenSizes: [3], outputSize: 1, activation: .relu, generator: &g)
        var networkTensors = network.checkpointTensors(prefix: "actor.")
        networkTensors.merge(network.optimizerCheckpointTensors(prefix: "actor_optimizer.")) { a, _ in a }
        let networkFile = SafeTensorsFile(tensors: networkTensors, metadata: ["actor_optimizer.step": "12", "updates": "3"])
        let mlpFile = SafeTensorsFile(tensors: mlp.checkpointTensors(prefix: "model."), metadata: ["epoch": "1"])
        let bases = try [[UInt8](networkFile.encoded()), [UInt8](mlpFile.encoded())]
        var networkShapes = network.checkpointShapes(prefix: "actor.")
        networkShapes.merge(network.optimizerCheckpointShapes(prefix: "actor_optimizer.")) { a, _ in a }

        let url = directory.appendingPathComponent("model.safetensors")
        var tally = FuzzTally("safetensors (read and load into the module)")
        var generator = SeededGenerator(seed: budget.seed)
        let mutator = SafeTensorsMutator()
        for index in 0..<budget.cases {
            let bytes = mutator.mutate(bases[index % 2], using: &generator)
            try Data(bytes).write(to: url)
            do {
                let file = try SafeTensorsFile.read(from: url)
                if index % 2 == 0 {
                    try file.check(expecting: networkShapes, label: url.lastPathComponent)
                    network.loadCheckpointTensors(file.tensors, prefix: "actor.")
                    network.loadOptimizerCheckpointTensors(file.tensors, prefix: "actor_optimizer.", step: 0)
                } else {
                    try file.check(expecting: mlp.checkpointShapes(prefix: "model."), label: url.lastPathComponent)
                    mlp.loadCheckpointTensors(file.tensors, prefix: "model.")
                }
                tally.accept()
            } catch let error as SafeTensorsError {
                tally.reject(error)
                if !error.description.hasPrefix(url.lastPathComponent) {
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
