import Replay
import SeededRandom
import XCTest
@testable import WorldModels

/// A trained `EnsembleWorldModel`, driven through `ModelEnvironment` with
/// member reporting: the epistemic heuristics' `u` is larger at states far
/// outside the training data than at states inside it, and MOReL halts exactly
/// the far rows. MOPO's aleatoric std is not an out-of-distribution detector:
/// here it falls to the network's soft log-variance floor far from the data
/// (0.003 against 0.02–0.09 inside), so it is only checked to be finite.
final class UncertaintyPenaltyEnsembleTests: XCTestCase {
    /// o' = A o + B a on o, a ~ U(−1, 1) (as `EnsembleWorldModelTests`); reward o'_0.
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

    func testATrainedEnsembleIsMoreUncertainFarFromItsData() throws {
        var c = EnsembleWorldModelConfiguration()
        c.members = 5; c.elites = 5; c.hiddenSize = 32; c.hiddenLayers = 2; c.activation = .silu
        c.epochs = 25; c.batchSize = 32; c.validationRatio = 0.1; c.threads = 1
        var g = SeededGenerator(seed: 0)
        let model = try EnsembleWorldModel(observationSize: 2, actionSize: 1, configuration: c, generator: &g)
        let data = linearSystem(count: 400, seed: 1)
        model.train(on: data, using: &g)

        // Rows 0–3 inside the data's box [−1, 1]², rows 4–7 far outside it.
        var starts = RolloutStartBatch(batchSize: 8, history: 0, observationSize: 2, actionSize: 1)
        starts.observations = [0.2, -0.3, -0.5, 0.4, 0.7, 0.1, 0, 0, /**/ 6, -6, -8, 5, 10, 10, -7, -9]
        let actions: [Float] = [0.1, -0.4, 0.5, 0, 0.2, -0.3, 0.6, 0]
        let environment = ModelEnvironment(model: model, termination: .never, reportingMembers: true)
        environment.reset(from: starts)
        var step = ModelRolloutStep()
        environment.step(actions: actions, into: &step, using: &g)
        XCTAssertEqual(step.members, 5)

        var calibration = DisagreementCalibration()
        calibration.observe(model: model, dataset: data, chunkRows: 128, using: &g)
        for heuristic in UncertaintyHeuristic.allCases {
            var u: [Float] = []
            heuristic.makePenalty().estimate(step, into: &u)
            let inside = u[0..<4].max()!, outside = u[4..<8].min()!
            if heuristic != .mopo {
                XCTAssertGreaterThan(outside, 3 * inside, "\(heuristic.rawValue): u inside \(u[0..<4]), outside \(u[4..<8])")
            }
            XCTAssertTrue(u.allSatisfy { $0.isFinite && $0 >= 0 }, "\(heuristic.rawValue): \(u)")
        }
        // MOReL with the dataset's calibration: the far rows are unknown, the near ones known.
        var morel = UncertaintyPenaltyConfiguration(heuristic: .morel)
        morel.morelHaltPenalty = 10
        var penalizer = try UncertaintyRewardPenalizer(configuration: morel, ensembleSize: model.ensembleSize, probabilistic: true,
                                                       calibration: calibration)
        penalizer.penalize(&step)
        XCTAssertEqual(step.terminated, [false, false, false, false, true, true, true, true],
                       "threshold \(penalizer.halting!.threshold), u \(penalizer.uncertainties)")
        XCTAssertEqual(Array(step.rewards[4..<8]), [-10, -10, -10, -10])
    }
}
