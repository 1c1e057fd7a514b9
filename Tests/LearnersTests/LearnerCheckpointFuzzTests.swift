import Foundation
import Learners
import NN
import SeededRandom
import TestSupport
import XCTest

/// Fuzzing learners' `load(checkpoint:)` with a fixed budget: DQN and SAC
/// checkpoints mutated by `SafeTensorsMutator` (truncation, bit flips, JSON
/// headers that lie, bad `__metadata__` counters, huge header lengths), read
/// with `SafeTensorsFile.read(from:)` and loaded into a learner of the same
/// sizes. Every failure must be a `SafeTensorsError` naming the file or the
/// checkpoint; nothing may trap.
final class LearnerCheckpointFuzzTests: XCTestCase {
    private let cases = 1000

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
        var generator = SeededGenerator(seed: 0x1EA7)
        for index in 0..<cases {
            try Data(SafeTensorsMutator().mutate(bases[index % 2], using: &generator)).write(to: url)
            do {
                let file = try SafeTensorsFile.read(from: url)
                if index % 2 == 0 { try dqn.load(checkpoint: file) } else { try sac.load(checkpoint: file) }
                tally.accept()
            } catch let error as SafeTensorsError {
                tally.reject()
                if error.file.isEmpty {
                    XCTFail("case \(index): the error names no file: \(error)")
                }
            } catch {
                tally.reject()
                XCTFail("case \(index): threw \(type(of: error)) instead of a SafeTensorsError: \(error)")
            }
        }
        print(tally)
        XCTAssertGreaterThanOrEqual(tally.cases, 1000)
    }
}
