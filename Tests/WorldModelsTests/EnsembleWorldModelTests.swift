import XCTest
import Replay
import SeededRandom
@testable import WorldModels

final class EnsembleWorldModelTests: XCTestCase {
    /// o' = A o + B a with A = [[0.9, 0.1], [-0.2, 0.8]], B = [0.5, -0.3]; reward = o'_0.
    func linearSystem(count: Int, seed: UInt64) -> OfflineDataset {
        var g = SeededGenerator(seed: seed)
        var obs: [Float] = [], act: [Float] = [], next: [Float] = [], rew: [Float] = []
        for _ in 0..<count {
            let x0 = g.uniform(Float(-1), 1), x1 = g.uniform(Float(-1), 1), u = g.uniform(Float(-1), 1)
            let y0 = 0.9 * x0 + 0.1 * x1 + 0.5 * u, y1 = -0.2 * x0 + 0.8 * x1 - 0.3 * u
            obs += [x0, x1]; act.append(u); next += [y0, y1]; rew.append(y0)
        }
        return try! OfflineDataset(observationSize: 2, actionSize: 1, observations: obs, actions: act, rewards: rew,
                                   nextObservations: next, terminals: Array(repeating: false, count: count),
                                   timeouts: Array(repeating: false, count: count))
    }

    func makeModel(_ configure: (inout EnsembleWorldModelConfiguration) -> Void = { _ in }) throws -> EnsembleWorldModel {
        var c = EnsembleWorldModelConfiguration()
        c.members = 3; c.elites = 2; c.hiddenSize = 32; c.hiddenLayers = 2; c.activation = .silu
        c.epochs = 40; c.batchSize = 32; c.validationRatio = 0.1; c.threads = 1
        configure(&c)
        var g = SeededGenerator(seed: 0)
        return try EnsembleWorldModel(observationSize: 2, actionSize: 1, configuration: c, generator: &g)
    }

    func testFitsAKnownLinearSystem() throws {
        let model = try makeModel { $0.propagation = .mean }
        var g = SeededGenerator(seed: 1)
        let report = model.train(on: linearSystem(count: 600, seed: 2), using: &g)
        XCTAssertEqual(report.elites.count, 2)
        XCTAssertLessThan(report.eliteValidationMSE, 0.01, "validation MSE in normalised units")
        // One-step predictions on fresh data, through the imagination path.
        let test = linearSystem(count: 50, seed: 3)
        var state = model.initialState(batch: 50)
        test.observations.withUnsafeBufferPointer { model.observe(&state, action: nil, observation: $0) }
        var prediction = WorldModelPrediction(observationSize: 2)
        test.actions.withUnsafeBufferPointer { model.imagine(&state, actions: $0, into: &prediction, using: &g) }
        var squared: Float = 0
        for i in 0..<100 { let e = prediction.nextObservations[i] - test.nextObservations[i]; squared += e * e }
        XCTAssertLessThan((squared / 100).squareRoot(), 0.05)
        for r in 0..<50 { XCTAssertEqual(prediction.rewards[r], test.rewards[r], accuracy: 0.1) }
        XCTAssertEqual(state.observations, prediction.nextObservations)
    }

    func testAnUntrainedModelIsFarOff() throws {
        // The same check as above without training must fail: the test can tell.
        let model = try makeModel { $0.propagation = .mean }
        let test = linearSystem(count: 50, seed: 3)
        var state = model.initialState(batch: 50)
        test.observations.withUnsafeBufferPointer { model.observe(&state, action: nil, observation: $0) }
        var prediction = WorldModelPrediction(observationSize: 2)
        var g = SeededGenerator(seed: 1)
        test.actions.withUnsafeBufferPointer { model.imagine(&state, actions: $0, into: &prediction, using: &g) }
        var squared: Float = 0
        for i in 0..<100 { let e = prediction.nextObservations[i] - test.nextObservations[i]; squared += e * e }
        XCTAssertGreaterThan((squared / 100).squareRoot(), 0.05)
    }

    func testTSInfinityTiesEachParticleToOneElite() throws {
        let model = try makeModel()
        model.elites = [2, 0]
        let start = EnsembleWorldModel.State(observations: [0.1, 0.2], rows: 1, candidates: 0, particles: 1)
        let state = model.replicated(start, candidates: 3, particles: 4)
        var g = SeededGenerator(seed: 0)
        let (perMember, eliteSlot) = model.assignRows(state, using: &g)
        XCTAssertEqual(perMember, 6)
        XCTAssertEqual(eliteSlot, [1, -1, 0])
        // elite 0 (member 2) gets particles 0 and 2 → rows 0-2 and 6-8; member 0 gets particles 1, 3.
        XCTAssertEqual(Array(model.rowOfSlot[12..<18]), [0, 1, 2, 6, 7, 8])
        XCTAssertEqual(Array(model.rowOfSlot[0..<6]), [3, 4, 5, 9, 10, 11])
    }

    func testSampledImaginationIsReproducibleAndSpreads() throws {
        let model = try makeModel()
        var g = SeededGenerator(seed: 5)
        model.train(on: linearSystem(count: 300, seed: 2), using: &g)
        func rollout(seed: UInt64) -> [Float] {
            let start = EnsembleWorldModel.State(observations: [0.3, -0.2], rows: 1, candidates: 0, particles: 1)
            var state = model.replicated(start, candidates: 5, particles: 4)
            var prediction = WorldModelPrediction(observationSize: 2)
            var generator = SeededGenerator(seed: seed)
            let actions = [Float](repeating: 0.5, count: 20)
            for _ in 0..<3 { actions.withUnsafeBufferPointer { model.imagine(&state, actions: $0, into: &prediction, using: &generator) } }
            return state.observations
        }
        XCTAssertEqual(rollout(seed: 1), rollout(seed: 1))
        XCTAssertNotEqual(rollout(seed: 1), rollout(seed: 2))
    }
}
