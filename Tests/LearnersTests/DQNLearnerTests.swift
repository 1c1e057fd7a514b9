import Foundation
@testable import Learners
import NN
import Replay
import SeededRandom
import TestSupport
import XCTest

final class DQNLearnerTests: XCTestCase {
    func learner(seed: UInt64 = 1, observationSize: Int = 3, actionCount: Int = 3,
                 _ edit: (inout DQNConfiguration) -> Void = { _ in }) -> DQNLearner {
        var configuration = DQNConfiguration()
        configuration.hiddenSizes = [8, 6]
        edit(&configuration)
        var g = SeededGenerator(seed: seed)
        return DQNLearner(observationSize: observationSize, actionCount: actionCount, configuration: configuration, generator: &g)
    }

    /// s, s' ~ N(0, 1), a uniform over the actions, r ~ N(0, rewardScale²).
    func batch(rows: Int, observationSize: Int = 3, actionCount: Int = 3, rewardScale: Float = 1,
               terminated: [Float]? = nil, truncated: [Float]? = nil, seed: UInt64) -> TransitionBatch {
        var g = SeededGenerator(seed: seed)
        return TransitionBatch(
            observationSize: observationSize, actionSize: 1,
            observations: (0..<(rows * observationSize)).map { _ in g.normal(mean: 0, std: 1) },
            actions: (0..<rows).map { _ in Float(g.next(upperBound: UInt64(actionCount))) },
            rewards: (0..<rows).map { _ in g.normal(mean: 0, std: rewardScale) },
            nextObservations: (0..<(rows * observationSize)).map { _ in g.normal(mean: 0, std: 1) },
            terminated: terminated ?? [Float](repeating: 0, count: rows),
            truncated: truncated ?? [Float](repeating: 0, count: rows))
    }

    /// y from the definitions in Double: max_a' Q'(s', a'), or Q'(s', argmax Q(s', ·)) for Double DQN.
    func referenceTargets(_ learner: DQNLearner, _ batch: TransitionBatch) -> [Double] {
        let n = learner.actionCount, b = batch.batchSize
        let s2 = batch.nextObservations.map(Double.init)
        let next = ReferenceDenseNetwork(learner.targetNetwork).forward(s2, rows: b)
        let online = ReferenceDenseNetwork(learner.qNetwork).forward(s2, rows: b)
        return (0..<b).map { i in
            let row = Array(next[(i * n)..<((i + 1) * n)])
            let choice = learner.configuration.doubleDQN
                ? Array(online[(i * n)..<((i + 1) * n)]).indices.max { online[i * n + $0] < online[i * n + $1] }!
                : row.indices.max { row[$0] < row[$1] }!
            return Double(batch.rewards[i]) + 0.99 * (1 - Double(batch.terminated[i])) * row[choice]
        }
    }

    /// mean ℓ(Q(s, a) − y) in Double for Q-network parameters `p`.
    func referenceLoss(_ learner: DQNLearner, _ p: [Double], _ batch: TransitionBatch, _ y: [Double]) -> Double {
        var network = ReferenceDenseNetwork(learner.qNetwork)
        network.parameters = p
        let q = network.forward(batch.observations.map(Double.init), rows: batch.batchSize)
        var loss = 0.0
        for i in 0..<batch.batchSize {
            let d = q[i * learner.actionCount + Int(batch.actions[i])] - y[i]
            switch learner.configuration.loss {
            case .mse: loss += d * d
            case .huber: loss += abs(d) < 1 ? 0.5 * d * d : abs(d) - 0.5
            }
        }
        return loss / Double(batch.batchSize)
    }

    func testSizes() {
        var g = SeededGenerator(seed: 0)
        let dqn = DQNLearner(observationSize: 4, actionCount: 2, configuration: DQNConfiguration(), generator: &g)
        XCTAssertEqual(dqn.parameterCount, 10_934)  // torch_bench dqn_update
        XCTAssertEqual(dqn.qNetwork.layerSizes, [4, 120, 84, 2])
        XCTAssertEqual(dqn.targetNetwork.flatParameters, dqn.qNetwork.flatParameters)
        XCTAssertThrowsError(try { var c = DQNConfiguration(); c.maxGradientNorm = 0; try c.validate() }()) {
            XCTAssertTrue("\($0)".contains("maxGradientNorm"), "\($0)")
        }
    }

    /// MSE and Huber (residuals on both sides of δ = 1): the loss matches the Double reference
    /// and the gradient its central differences.
    func testLossGradientMatchesFiniteDifferences() {
        for loss in [TDLoss.mse, .huber] {
            let dqn = learner(seed: 2) { $0.loss = loss }
            let data = batch(rows: 10, rewardScale: 3, terminated: [0, 1, 0, 0, 0, 1, 0, 0, 0, 0], seed: 3)
            let metrics = dqn.computeGradients(data)
            let y = referenceTargets(dqn, data)
            let p = dqn.qNetwork.flatParameters.map(Double.init)
            assertClose(metrics.loss, Float(referenceLoss(dqn, p, data, y)), relativeTolerance: 1e-5, absoluteTolerance: 1e-5, "\(loss)")
            let numeric = centralDifferences(p) { referenceLoss(dqn, $0, data, y) }
            assertClose(dqn.qNetwork.flatGradients, numeric, relativeTolerance: 1e-3, absoluteTolerance: 1e-5, "\(loss)")
            if loss == .huber {
                let q = ReferenceDenseNetwork(dqn.qNetwork).forward(data.observations.map(Double.init), rows: 10)
                let residuals = (0..<10).map { abs(q[$0 * 3 + Int(data.actions[$0])] - y[$0]) }
                XCTAssertTrue(residuals.contains { $0 < 1 } && residuals.contains { $0 > 1 }, "both Huber regimes: \(residuals)")
            }
        }
        var kink = Double.infinity
        let dqn = learner(seed: 2)
        _ = ReferenceDenseNetwork(dqn.qNetwork).forward(batch(rows: 10, rewardScale: 3, seed: 3).observations.map(Double.init), rows: 10, kink: &kink)
        XCTAssertGreaterThan(kink, 1e-4, "pick another seed: a pre-activation sits on a ReLU kink")
    }

    /// Huber is smooth L1 with δ = 1 (SB3): for one residual d, ½d² inside and |d| − ½ outside;
    /// MSE is d².
    func testHuberVersusMSE() {
        for (loss, residual, expected) in [(TDLoss.mse, Float(3), Float(9)), (.huber, 3, 2.5), (.huber, 0.5, 0.125), (.mse, 0.5, 0.25)] {
            let dqn = learner(seed: 4, observationSize: 1, actionCount: 1) { $0.loss = loss }
            let q = dqn.qValues(observations: [0.3], rows: 1)[0]
            // terminated row: y = r, so the residual is q − r
            let data = TransitionBatch(observationSize: 1, actionSize: 1, observations: [0.3], actions: [0], rewards: [q - residual],
                                       nextObservations: [0], terminated: [1], truncated: [0])
            assertClose(dqn.update(on: data).loss, expected, relativeTolerance: 1e-5, "\(loss) residual \(residual)")
        }
    }

    /// Terminated rows: y = r; truncated rows bootstrap from the target network.
    func testTDTargetTerminatedVersusTruncated() {
        let dqn = learner(seed: 5)
        let data = batch(rows: 4, terminated: [0, 1, 0, 1], truncated: [0, 0, 1, 1], seed: 6)
        _ = dqn.computeGradients(data)
        let y = Array(UnsafeBufferPointer(start: dqn.workspace!.targets, count: 4))
        XCTAssertEqual(y[1], data.rewards[1])
        XCTAssertEqual(y[3], data.rewards[3])
        let expected = referenceTargets(dqn, data)
        assertClose(y[0], Float(expected[0]), relativeTolerance: 1e-5)
        assertClose(y[2], Float(expected[2]), relativeTolerance: 1e-5, "truncated rows bootstrap")
        XCTAssertGreaterThan(abs(y[2] - data.rewards[2]), 1e-3)
    }

    /// Double DQN evaluates the target network at the online network's argmax; here the two
    /// argmaxes differ on some rows, so plain DQN's max would give another y there.
    func testDoubleDQNTargetUsesOnlineArgmax() {
        let dqn = learner(seed: 7) { $0.doubleDQN = true }
        var g = SeededGenerator(seed: 8)
        dqn.targetNetwork.flatParameters = (0..<dqn.targetNetwork.parameterCount).map { _ in g.normal(mean: 0, std: 0.5) }
        let data = batch(rows: 32, seed: 9)
        _ = dqn.computeGradients(data)
        let y = Array(UnsafeBufferPointer(start: dqn.workspace!.targets, count: 32))
        let expected = referenceTargets(dqn, data)
        assertClose(y, expected.map { Float($0) }, relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        let next = dqn.targetNetwork(data.nextObservations, rows: 32)
        var plain: [Float] = []
        for i in 0..<32 {
            let best: Float = next[(i * 3)..<(i * 3 + 3)].max()!
            plain.append(data.rewards[i] + 0.99 * best)
        }
        XCTAssertGreaterThan(zip(plain, y).filter { abs($0 - $1) > 1e-4 }.count, 3, "the argmaxes should differ on some rows")
    }

    /// The target network changes only in updateTargetNetwork: a copy with τ = 1, θ' ← τθ + (1 − τ)θ' otherwise.
    func testTargetNetworkChangesOnlyWhenAsked() {
        for tau: Float in [1, 0.25] {
            let dqn = learner(seed: 10) { $0.tau = tau }
            let data = batch(rows: 16, seed: 11)
            let target0 = dqn.targetNetwork.flatParameters
            for _ in 0..<3 { dqn.update(on: data) }
            XCTAssertEqual(dqn.targetNetwork.flatParameters, target0)
            XCTAssertNotEqual(dqn.qNetwork.flatParameters, target0)
            dqn.updateTargetNetwork()
            let theta = dqn.qNetwork.flatParameters
            if tau == 1 {
                XCTAssertEqual(dqn.targetNetwork.flatParameters, theta)
            } else {
                assertClose(dqn.targetNetwork.flatParameters, zip(target0, theta).map { 0.75 * $0 + 0.25 * $1 }, relativeTolerance: 1e-6,
                            absoluteTolerance: 1e-7)
            }
        }
    }

    /// Global-norm clipping (SB3's max_grad_norm) caps the gradient's norm before Adam.
    func testGradientClipping() {
        let data = batch(rows: 16, rewardScale: 5, seed: 13)
        let dqn = learner(seed: 12) { $0.maxGradientNorm = 0.1 }
        _ = dqn.computeGradients(data)
        let norm = dqn.qNetwork.clipGradientNorm(maxNorm: 0.1)
        XCTAssertGreaterThan(norm, 0.1)
        let clipped = dqn.qNetwork.flatGradients
        assertClose(sqrt(clipped.reduce(0) { $0 + $1 * $1 }), 0.1, relativeTolerance: 1e-4)
    }

    /// A 2-state MDP from fixed transitions (γ 0.99): A —0→ B (r 0), A —1→ end (r 1),
    /// B —0→ end (r 2), B —1→ A (r 0; once as a plain and once as a truncated row, which must
    /// bootstrap the same). Q* = A: [1.98, 1], B: [2, 1.9602]. 2000 full-batch updates with a
    /// hard target copy every 25 reach it within 0.05.
    func testLearnsATwoStateMDP() {
        let dqn = learner(seed: 14, observationSize: 2, actionCount: 2) {
            $0.hiddenSizes = [32, 32]
            $0.learningRate = 1e-2
        }
        let a: [Float] = [1, 0], b: [Float] = [0, 1]
        let data = TransitionBatch(observationSize: 2, actionSize: 1,
                                   observations: a + a + b + b + b, actions: [0, 1, 0, 1, 1], rewards: [0, 1, 2, 0, 0],
                                   nextObservations: b + a + b + a + a, terminated: [0, 1, 1, 0, 0], truncated: [0, 0, 0, 0, 1])
        for step in 1...2000 {
            dqn.update(on: data)
            if step % 25 == 0 { dqn.updateTargetNetwork() }
        }
        let q = dqn.qValues(observations: a + b, rows: 2)
        assertClose(q, [1.98, 1, 2, 1.9602], relativeTolerance: 0, absoluteTolerance: 0.05, "Q \(q)")
        XCTAssertEqual(dqn.greedyAction(observation: a), 0)
        XCTAssertEqual(dqn.greedyAction(observation: b), 0)
    }

    /// qValues in chunks of 512 agrees with a single-row call; greedyAction is its argmax.
    func testQValuesAcrossChunks() {
        let dqn = learner(seed: 15)
        var g = SeededGenerator(seed: 16)
        let rows = 1030
        let observations = (0..<(rows * 3)).map { _ in g.normal(mean: 0, std: 1) }
        let q = dqn.qValues(observations: observations, rows: rows)
        let row = Array(observations[(1029 * 3)...])
        XCTAssertEqual(Array(q[(1029 * 3)...]), dqn.qValues(observations: row, rows: 1))
        let last = Array(q[(1029 * 3)...])
        XCTAssertEqual(dqn.greedyAction(observation: row), last.indices.max { last[$0] < last[$1] }!)
    }

    /// N updates, checkpoint bytes, load into a fresh learner, M more: bit-identical to N + M.
    func testCheckpointRoundTripIsBitIdentical() throws {
        let edit: (inout DQNConfiguration) -> Void = { $0.loss = .huber; $0.doubleDQN = true; $0.maxGradientNorm = 10 }
        let original = learner(seed: 17, edit)
        let batches = (0..<8).map { batch(rows: 16, seed: 100 + UInt64($0)) }
        for (i, data) in batches.prefix(4).enumerated() {
            original.update(on: data)
            if i % 2 == 1 { original.updateTargetNetwork() }
        }
        let restored = learner(seed: 99, edit)
        try restored.load(checkpoint: SafeTensorsFile(data: original.checkpoint().encoded()))
        XCTAssertEqual(restored.updates, 4)
        for (i, data) in batches.suffix(4).enumerated() {
            for dqn in [original, restored] {
                dqn.update(on: data)
                if i % 2 == 1 { dqn.updateTargetNetwork() }
            }
        }
        XCTAssertEqual(restored.qNetwork.flatParameters, original.qNetwork.flatParameters)
        XCTAssertEqual(restored.targetNetwork.flatParameters, original.targetNetwork.flatParameters)
        XCTAssertEqual(restored.checkpoint(), original.checkpoint())

        var file = original.checkpoint()
        file.tensors["target_network.layers.2.bias"] = nil
        XCTAssertThrowsError(try restored.load(checkpoint: file)) { XCTAssertTrue("\($0)".contains("'target_network.layers.2.bias'"), "\($0)") }
        file = original.checkpoint()
        file.metadata["optimizer.step"] = "x"
        XCTAssertThrowsError(try restored.load(checkpoint: file)) { XCTAssertTrue("\($0)".contains("'optimizer.step'"), "\($0)") }
    }
}
