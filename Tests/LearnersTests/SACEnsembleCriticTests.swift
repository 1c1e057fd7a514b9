import Foundation
@testable import Learners
import NN
import Replay
import SeededRandom
import TestSupport
import XCTest

/// SAC with N ≥ 2 critics (SAC-N) and EDAC's ensemble-gradient diversity term
/// (An et al. 2021): the target and the actor take the minimum over all N, and
/// the critic gradients include η·∂ES/∂θ — each against a Double reference.
final class SACEnsembleCriticTests: XCTestCase {
    static let low: [Float] = [-2, 0], high: [Float] = [2, 1]

    func learner(critics: Int, eta: Float, seed: UInt64) -> SACLearner {
        var configuration = SACConfiguration()
        configuration.hiddenSizes = [8, 6]
        configuration.threads = 2
        configuration.criticCount = critics
        configuration.diversityWeight = eta
        var g = SeededGenerator(seed: seed)
        let learner = SACLearner(observationSize: 3, actionLow: Self.low, actionHigh: Self.high, configuration: configuration, generator: &g)
        for target in learner.targetCritics { target.flatParameters = target.flatParameters.map { $0 + g.normal(mean: 0, std: 0.1) } }
        return learner
    }

    func testConfigurationAndCheckpointNames() {
        var c = SACConfiguration()
        c.criticCount = 1
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("criticCount"), "\($0)") }
        c.criticCount = 3
        c.diversityWeight = -1
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("diversityWeight"), "\($0)") }
        let sac = learner(critics: 3, eta: 0, seed: 1)
        XCTAssertEqual(sac.critics.count, 3)
        XCTAssertEqual(sac.targetCritics.count, 3)
        XCTAssertNotNil(sac.checkpoint().tensors["qf3_target.layers.0.weight"])
        XCTAssertNil(sac.checkpoint().tensors["qf4.layers.0.weight"])
    }

    /// N = 3, η = 0.7: y = r + γ(1 − d)(min of 3 targets − α log π), ES, and every critic's
    /// gradient of Σ_k MSE(Q_k, y) + η·ES match the reference and its central differences.
    func testCriticLossWithDiversityMatchesFiniteDifferences() {
        let sac = learner(critics: 3, eta: 0.7, seed: 2)
        var g = SeededGenerator(seed: 3)
        let batch = randomBatch(rows: 6, observationSize: 3, actionLow: Self.low, actionHigh: Self.high,
                                terminated: [0, 1, 0, 0, 0, 0], generator: &g)
        let nextNoise = (0..<12).map { _ in g.normal(mean: 0, std: 1) }
        let ws = sac.prepare(batch)
        ws.nextNoise.update(from: nextNoise, count: nextNoise.count)
        let result = sac.criticGradientPhase(ws, alpha: sac.alpha, sampleActor: false)
        let diversity = sac.diversityPhase(ws)!
        sac.criticUpdatePhase(ws, adam: false, polyak: false)

        var reference = SACReference(sac)
        let y = reference.ensembleTargets(batch, nextNoise: nextNoise.map(Double.init), alpha: Double(sac.alpha))
        assertClose(Array(UnsafeBufferPointer(start: ws.target, count: 6)), y.map { Float($0) }, relativeTolerance: 1e-5,
                    absoluteTolerance: 1e-5, "critic target y (min over 3)")
        assertClose(result.loss, Float(reference.ensembleCriticLoss(batch, targets: y, eta: 0)), relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        assertClose(diversity, Float(reference.diversity(batch)), relativeTolerance: 1e-4, absoluteTolerance: 1e-5, "ES")
        XCTAssertGreaterThan(abs(diversity), 0.05, "a test of the diversity term needs ES away from 0")
        for k in 0..<3 {
            let numeric = centralDifferences(reference.critics[k].parameters) { p in
                var r = reference
                r.critics[k].parameters = p
                return r.ensembleCriticLoss(batch, targets: y, eta: 0.7)
            }
            assertClose(sac.critics[k].flatGradients, numeric, relativeTolerance: 2e-3, absoluteTolerance: 2e-5, "critic \(k + 1)")
        }
        XCTAssertGreaterThan(reference.kink, 1e-4, "pick another seed: a pre-activation sits on a ReLU kink")
    }

    /// N = 4: the actor's gradient of mean(α log π − min_k Q_k(s, ã)) matches central differences.
    func testActorLossTakesTheMinimumOverAllCritics() {
        let sac = learner(critics: 4, eta: 0, seed: 4)
        var g = SeededGenerator(seed: 5)
        let batch = randomBatch(rows: 7, observationSize: 3, actionLow: Self.low, actionHigh: Self.high, generator: &g)
        let noise = (0..<14).map { _ in g.normal(mean: 0, std: 1) }
        let ws = sac.prepare(batch)
        ws.noise.update(from: noise, count: noise.count)
        let result = sac.actorGradientPhase(ws, alpha: 0.3, resample: true)
        sac.actorUpdatePhase(ws, adam: false)
        var reference = SACReference(sac)
        assertClose(result.loss, Float(reference.ensembleActorLoss(batch, noise: noise.map(Double.init), alpha: 0.3)),
                    relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        let numeric = centralDifferences(reference.actor.parameters) { p in
            var r = reference
            r.actor.parameters = p
            return r.ensembleActorLoss(batch, noise: noise.map(Double.init), alpha: 0.3)
        }
        assertClose(sac.actor.flatGradients, numeric, relativeTolerance: 1e-3, absoluteTolerance: 1e-5, "actor")
        XCTAssertGreaterThan(reference.minGap, 1e-4, "pick another seed: two critics tie for the minimum")
    }

    /// Training with η = 2 drives the critics' action gradients apart: after 200 updates on an
    /// offline bandit (actions in [0, 0.2], reward −(a − 0.6)²) the batch's ES is well below the
    /// ES of the same run with η = 0. With one action dimension ĝ_k = ±1, so ES per row is
    /// (S² − N)/(N − 1) for S = Σ_k ĝ_k: 5 when every critic slopes the same way, −1 at best.
    func testDiversityTermDrivesTheCriticsActionGradientsApart() {
        func finalDiversity(eta: Float) -> Float {
            var configuration = SACConfiguration()
            configuration.hiddenSizes = [16, 16]
            configuration.threads = 2
            configuration.criticCount = 5
            configuration.diversityWeight = eta
            configuration.qLearningRate = 3e-3
            var g = SeededGenerator(seed: 8)
            let sac = SACLearner(observationSize: 2, actionLow: [-1], actionHigh: [1], configuration: configuration, generator: &g)
            var batch = randomBatch(rows: 32, observationSize: 2, actionLow: [0], actionHigh: [0.2],
                                    terminated: [Float](repeating: 1, count: 32), generator: &g)
            for i in 0..<32 { batch.rewards[i] = -(batch.actions[i] - 0.6) * (batch.actions[i] - 0.6) }
            for _ in 0..<200 { sac.update(on: batch, using: &g) }
            let probe = SACLearner(observationSize: 2, actionLow: [-1], actionHigh: [1], configuration: { var c = configuration; c.diversityWeight = 1; return c }(),
                                   generator: &g)
            for k in 0..<5 { probe.critics[k].flatParameters = sac.critics[k].flatParameters }
            let ws = probe.prepare(batch)
            return probe.diversityPhase(ws)!
        }
        let plain = finalDiversity(eta: 0), diversified = finalDiversity(eta: 2)
        XCTAssertLessThan(diversified, plain - 1, "ES with η = 2: \(diversified), with η = 0: \(plain)")
    }

    /// SAC-3 with the diversity term: 4 updates, a checkpoint, a fresh learner loading it and 4 more
    /// updates equal 8 uninterrupted ones bit for bit.
    func testEnsembleCheckpointRoundTripIsBitIdentical() throws {
        let original = learner(critics: 3, eta: 0.5, seed: 10)
        var g = SeededGenerator(seed: 11)
        let batches = (0..<8).map { _ in randomBatch(rows: 8, observationSize: 3, actionLow: Self.low, actionHigh: Self.high, generator: &g) }
        var stream = SeededGenerator(seed: 12)
        for batch in batches.prefix(4) { original.update(on: batch, using: &stream) }
        let restored = learner(critics: 3, eta: 0.5, seed: 13)
        try restored.load(checkpoint: SafeTensorsFile(data: original.checkpoint().encoded()))
        var resumed = stream
        for batch in batches.suffix(4) {
            original.update(on: batch, using: &stream)
            restored.update(on: batch, using: &resumed)
        }
        XCTAssertEqual(restored.checkpoint(), original.checkpoint())
        XCTAssertThrowsError(try learner(critics: 2, eta: 0, seed: 14).load(checkpoint: original.checkpoint())) {
            XCTAssertTrue("\($0)".contains("qf3"), "a 2-critic learner names the unexpected third critic: \($0)")
        }
    }
}

extension SACReference {
    /// y = r + γ(1 − terminated)(min_k Q'_k(s', a') − α log π(a'|s')) over every target critic.
    mutating func ensembleTargets(_ batch: TransitionBatch, nextNoise: [Double], alpha: Double) -> [Double] {
        let b = batch.batchSize, s2 = batch.nextObservations.map(Double.init)
        let (a2, logProb2) = policy(s2, rows: b, noise: nextNoise)
        let x2 = criticInput(s2, a2, rows: b)
        var smallest = [Double](repeating: .infinity, count: b)
        for k in targets.indices {
            let q = targets[k].forward(x2, rows: b, kink: &kink)
            for i in 0..<b { smallest[i] = min(smallest[i], q[i]) }
        }
        return (0..<b).map { Double(batch.rewards[$0]) + gamma * (1 - Double(batch.terminated[$0])) * (smallest[$0] - alpha * logProb2[$0]) }
    }

    /// EDAC's ES: mean over rows of Σ_{i≠j} ⟨ĝ_i, ĝ_j⟩ / (N − 1), ĝ_k = ∇_a Q_k / (‖∇_a Q_k‖ + 1e-10).
    mutating func diversity(_ batch: TransitionBatch) -> Double {
        let b = batch.batchSize, n = critics.count, width = observationSize + actionSize
        let x = criticInput(batch.observations.map(Double.init), batch.actions.map(Double.init), rows: b)
        let gradients = critics.map { $0.inputGradient(x, rows: b, kink: &kink) }
        var total = 0.0
        for r in 0..<b {
            let unit: [[Double]] = (0..<n).map { k in
                let g = (0..<actionSize).map { gradients[k][r * width + observationSize + $0] }
                let norm = g.map { $0 * $0 }.reduce(0, +).squareRoot()
                return g.map { $0 / (norm + 1e-10) }
            }
            for i in 0..<n {
                for j in 0..<n where j != i {
                    for c in 0..<actionSize { total += unit[i][c] * unit[j][c] / Double(n - 1) }
                }
            }
        }
        return total / Double(b)
    }

    /// Σ_k MSE(Q_k(s, a), y) + η·ES.
    mutating func ensembleCriticLoss(_ batch: TransitionBatch, targets y: [Double], eta: Double) -> Double {
        let b = batch.batchSize
        let x = criticInput(batch.observations.map(Double.init), batch.actions.map(Double.init), rows: b)
        var loss = 0.0
        for k in critics.indices {
            let q = critics[k].forward(x, rows: b, kink: &kink)
            for i in 0..<b { loss += (q[i] - y[i]) * (q[i] - y[i]) / Double(b) }
        }
        return eta == 0 ? loss : loss + eta * diversity(batch)
    }

    /// mean(α log π(ã|s) − min_k Q_k(s, ã)).
    mutating func ensembleActorLoss(_ batch: TransitionBatch, noise: [Double], alpha: Double) -> Double {
        let b = batch.batchSize, s = batch.observations.map(Double.init)
        let (a, logProb) = policy(s, rows: b, noise: noise)
        let x = criticInput(s, a, rows: b)
        let qs = critics.indices.map { critics[$0].forward(x, rows: b, kink: &kink) }
        var loss = 0.0
        for i in 0..<b {
            let sorted = qs.map { $0[i] }.sorted()
            minGap = min(minGap, sorted[1] - sorted[0])
            loss += (alpha * logProb[i] - sorted[0]) / Double(b)
        }
        return loss
    }
}
