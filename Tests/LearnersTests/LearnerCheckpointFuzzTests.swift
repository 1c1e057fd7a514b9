import Foundation
import Learners
import NN
import SeededRandom
import TestSupport
import XCTest

/// Fuzzing learners' `load(checkpoint:)` with a fixed budget: DQN and SAC
/// checkpoints mutated by `SafeTensorsMutator` (truncation, bit flips, JSON
/// headers that lie, bad `__metadata__` counters, huge header lengths), read
/// with `SafeTensorsFile.read(from:into:)` and loaded into a learner of the
/// same sizes, as a resumed run does. Every failure must be a
/// `SafeTensorsError` naming the file; nothing may trap.
final class LearnerCheckpointFuzzTests: XCTestCase {
    private let budget = FuzzBudget(cases: 1000, seed: 0x1EA7)

    func testMutatedLearnerCheckpointsAreLoadedOrRejectedWithASafeTensorsError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("learner-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var g = SeededGenerator(seed: 3)
        var dqnConfiguration = DQNConfiguration()
        dqnConfiguration.hiddenSizes = [4]
        var sacConfiguration = SACConfiguration()
        sacConfiguration.hiddenSizes = [4]
        let dqn = DQNLearner(observationSize: 3, actionCount: 2, configuration: dqnConfiguration, generator: &g)
        let sac = SACLearner(observationSize: 2, actionLow: [-1], actionHigh: [1], configuration: sacConfiguration, generator: &g)
        let bases = try [[UInt8](dqn.checkpoint().encoded()), [UInt8](sac.checkpoint().encoded())]

        let url = directory.appendingPathComponent("learner.safetensors")
        var tally = FuzzTally("learner checkpoints (DQN, SAC load(checkpoint:))")
        var generator = SeededGenerator(seed: budget.seed)
        for index in 0..<budget.cases {
            try Data(SafeTensorsMutator().mutate(bases[index % 2], using: &generator)).write(to: url)
            do {
                // As a resumed run loads it: errors from load(checkpoint:) name the file too.
                try SafeTensorsFile.read(from: url) { file in
                    if index % 2 == 0 { try dqn.load(checkpoint: file) } else { try sac.load(checkpoint: file) }
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
