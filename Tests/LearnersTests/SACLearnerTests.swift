import Foundation
@testable import Learners
import NN
import Replay
import SeededRandom
import TestSupport
import XCTest

final class SACLearnerTests: XCTestCase {
    static let low: [Float] = [-2, 0], high: [Float] = [2, 1]

    /// obs 3, act 2 with asymmetric bounds (scale [2, 0.5], bias [0, 0.5]), hidden 8-6.
    func tinyLearner(seed: UInt64 = 1, _ edit: (inout SACConfiguration) -> Void = { _ in }) -> SACLearner {
        var configuration = SACConfiguration()
        configuration.hiddenSizes = [8, 6]
        configuration.threads = 2
        edit(&configuration)
        var g = SeededGenerator(seed: seed)
        return SACLearner(observationSize: 3, actionLow: Self.low, actionHigh: Self.high, configuration: configuration, generator: &g)
    }

    func testSizesAndInitialTargets() {
        var g = SeededGenerator(seed: 0)
        let learner = SACLearner(observationSize: 3, actionLow: [-1], actionHigh: [1], configuration: SACConfiguration(), generator: &g)
        XCTAssertEqual(learner.parameterCount, 201_988)  // torch_bench sac_update
        XCTAssertEqual(learner.actor.layerSizes, [3, 256, 256, 2])
        XCTAssertEqual(learner.critics.map(\.layerSizes), [[4, 256, 256, 1], [4, 256, 256, 1]])
        XCTAssertEqual(learner.targetCritics.map(\.flatParameters), learner.critics.map(\.flatParameters))
        XCTAssertNotEqual(learner.critics[0].flatParameters, learner.critics[1].flatParameters)
        XCTAssertEqual(learner.alpha, 1)
        XCTAssertEqual(learner.targetEntropy, -1)
        XCTAssertThrowsError(try { var c = SACConfiguration(); c.tau = 0; try c.validate() }()) {
            XCTAssertTrue("\($0)".contains("tau"), "\($0)")
        }
    }

    // MARK: - Gradients through the hand-written backward

    /// The critic loss MSE(Q1, y) + MSE(Q2, y): the target y and the loss match a Double
    /// reference, and the critics' gradients match its central differences.
    func testCriticLossGradientMatchesFiniteDifferences() {
        let learner = tinyLearner()
        learner.logAlpha = log(0.3)
        var g = SeededGenerator(seed: 2)
        let batch = randomBatch(rows: 6, observationSize: 3, actionLow: Self.low, actionHigh: Self.high,
                                terminated: [0, 1, 0, 0, 1, 0], generator: &g)
        let nextNoise = (0..<12).map { _ in g.normal(mean: 0, std: 1) }
        let ws = learner.prepare(batch)
        ws.nextNoise.update(from: nextNoise, count: nextNoise.count)
        let result = learner.criticGradientPhase(ws, alpha: learner.alpha, sampleActor: false)
        let largest = (0..<2).flatMap { k in (0..<6).map { ws.criticPasses[k].output[$0] } }.max()!
        XCTAssertEqual(result.maxQ, largest, "max Q over the critics and the batch")
        learner.criticUpdatePhase(ws, adam: false, polyak: false)

        var reference = SACReference(learner)
        let y = reference.criticTargets(batch, nextNoise: nextNoise.map(Double.init), alpha: Double(learner.alpha))
        assertClose(Array(UnsafeBufferPointer(start: ws.target, count: 6)), y.map { Float($0) }, relativeTolerance: 1e-5,
                    absoluteTolerance: 1e-5, "critic target y")
        assertClose(result.loss, Float(reference.criticLoss(batch, targets: y)), relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        for k in 0..<2 {
            let numeric = centralDifferences(reference.critics[k].parameters) { p in
                var r = reference
                r.critics[k].parameters = p
                return r.criticLoss(batch, targets: y)
            }
            assertClose(learner.critics[k].flatGradients, numeric, relativeTolerance: 1e-3, absoluteTolerance: 1e-5, "critic \(k + 1)")
        }
        XCTAssertGreaterThan(reference.kink, 1e-4, "pick another seed: a pre-activation sits on a ReLU kink")
    }

    /// The actor loss mean(α log π − min(Q1, Q2)) through the squashed-Gaussian head and the
    /// critics' input gradients: the loss and the actor's gradients match a Double reference's
    /// value and central differences (ε fixed), and the critics' weight gradients are not touched.
    func testActorLossGradientMatchesFiniteDifferences() {
        let learner = tinyLearner(seed: 3)
        var g = SeededGenerator(seed: 4)
        let batch = randomBatch(rows: 7, observationSize: 3, actionLow: Self.low, actionHigh: Self.high, generator: &g)
        let noise = (0..<14).map { _ in g.normal(mean: 0, std: 1) }
        let alpha: Float = 0.3
        let ws = learner.prepare(batch)
        ws.noise.update(from: noise, count: noise.count)
        for critic in learner.critics { critic.gradients.update(repeating: 42) }
        let result = learner.actorGradientPhase(ws, alpha: alpha, resample: true)
        learner.actorUpdatePhase(ws, adam: false)
        for critic in learner.critics { XCTAssertTrue(critic.gradients.allSatisfy { $0 == 42 }, "critic weight gradients computed") }

        var reference = SACReference(learner)
        assertClose(result.loss, Float(reference.actorLoss(batch, noise: noise.map(Double.init), alpha: Double(alpha))),
                    relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        let numeric = centralDifferences(reference.actor.parameters) { p in
            var r = reference
            r.actor.parameters = p
            return r.actorLoss(batch, noise: noise.map(Double.init), alpha: Double(alpha))
        }
        assertClose(learner.actor.flatGradients, numeric, relativeTolerance: 1e-3, absoluteTolerance: 1e-5, "actor")
        XCTAssertGreaterThan(reference.kink, 1e-4, "pick another seed: a pre-activation sits on a ReLU kink")
        XCTAssertGreaterThan(reference.minGap, 1e-4, "pick another seed: Q1 ≈ Q2 on a row (the min's kink)")
    }

    // MARK: - Targets and temperature

    /// Terminated rows do not bootstrap (y = r exactly); truncated rows do.
    func testTerminatedRowsDoNotBootstrapAndTruncatedRowsDo() {
        let learner = tinyLearner(seed: 5)
        var g = SeededGenerator(seed: 6)
        // rows: plain, terminated, truncated, terminated and truncated
        let batch = randomBatch(rows: 4, observationSize: 3, actionLow: Self.low, actionHigh: Self.high,
                                terminated: [0, 1, 0, 1], truncated: [0, 0, 1, 1], generator: &g)
        let nextNoise = (0..<8).map { _ in g.normal(mean: 0, std: 1) }
        let ws = learner.prepare(batch)
        ws.nextNoise.update(from: nextNoise, count: nextNoise.count)
        _ = learner.criticGradientPhase(ws, alpha: learner.alpha, sampleActor: false)
        let y = Array(UnsafeBufferPointer(start: ws.target, count: 4))

        var reference = SACReference(learner)
        let s2 = batch.nextObservations.map(Double.init)
        let (a2, logProb2) = reference.policy(s2, rows: 4, noise: nextNoise.map(Double.init))
        let x2 = reference.criticInput(s2, a2, rows: 4)
        let q1 = reference.targets[0].forward(x2, rows: 4), q2 = reference.targets[1].forward(x2, rows: 4)
        let bootstrapped = (0..<4).map { Double(batch.rewards[$0]) + 0.99 * (min(q1[$0], q2[$0]) - logProb2[$0]) }
        XCTAssertEqual(y[1], batch.rewards[1], "terminated: y = r")
        XCTAssertEqual(y[3], batch.rewards[3], "terminated and truncated: y = r")
        assertClose(y[0], Float(bootstrapped[0]), relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        assertClose(y[2], Float(bootstrapped[2]), relativeTolerance: 1e-5, absoluteTolerance: 1e-5, "truncated rows bootstrap")
        XCTAssertGreaterThan(abs(y[2] - batch.rewards[2]), 1e-3)
    }

    /// Entropy above the target ⇒ α decreases; below ⇒ α increases; the reported loss is
    /// −log α · (mean log π + target entropy) before the step.
    func testTemperatureMovesTowardTheTargetEntropy() {
        var g = SeededGenerator(seed: 7)
        let batch = randomBatch(rows: 16, observationSize: 3, actionLow: Self.low, actionHigh: Self.high, generator: &g)
        for (target, direction) in [(Float(-50), Float(-1)), (Float(50), Float(1))] {
            let learner = tinyLearner(seed: 8) {
                $0.targetEntropy = target
                $0.initialAlpha = 0.5
            }
            var generator = SeededGenerator(seed: 9)
            let before = learner.alpha
            let metrics = learner.update(on: batch, using: &generator)
            let entropy = metrics.entropy!
            XCTAssertEqual(direction > 0, entropy < target, "entropy \(entropy) vs target \(target)")
            XCTAssertEqual((learner.alpha - before).sign == .minus ? -1 : 1, direction, "α \(before) → \(learner.alpha)")
            XCTAssertEqual(metrics.alpha, learner.alpha)
            assertClose(metrics.alphaLoss!, -log(0.5) * (-entropy + target), relativeTolerance: 1e-5)
        }
        let fixed = tinyLearner(seed: 8) { $0.autotuneAlpha = false; $0.initialAlpha = 0.2 }
        var generator = SeededGenerator(seed: 9)
        let metrics = fixed.update(on: batch, using: &generator)
        XCTAssertNil(metrics.alphaLoss)
        XCTAssertEqual(fixed.alpha, 0.2)
    }

    /// Targets move by θ' ← τθ + (1 − τ)θ' with the updated critics, only every
    /// `targetNetworkFrequency` updates; the actor steps `policyFrequency` times every
    /// `policyFrequency` updates.
    func testPolyakTargetsAndDelayedUpdates() {
        let learner = tinyLearner(seed: 10) {
            $0.tau = 0.1
            $0.targetNetworkFrequency = 2
            $0.policyFrequency = 2
        }
        var g = SeededGenerator(seed: 11)
        let batch = randomBatch(rows: 8, observationSize: 3, actionLow: Self.low, actionHigh: Self.high, generator: &g)
        let targets0 = learner.targetCritics.map(\.flatParameters), actor0 = learner.actor.flatParameters
        let first = learner.update(on: batch, using: &g)
        XCTAssertNil(first.actorLoss)
        XCTAssertNil(first.entropy)
        XCTAssertEqual(learner.targetCritics.map(\.flatParameters), targets0, "no target update on update 1")
        XCTAssertEqual(learner.actor.flatParameters, actor0, "no actor step on update 1")
        XCTAssertEqual(learner.critics[0].optimizerStep, 1)

        let second = learner.update(on: batch, using: &g)
        XCTAssertNotNil(second.actorLoss)
        XCTAssertEqual(learner.actor.optimizerStep, 2, "two actor steps on update 2")
        XCTAssertEqual(learner.alphaOptimizerStep, 2)
        for k in 0..<2 {
            let theta = learner.critics[k].flatParameters
            assertClose(learner.targetCritics[k].flatParameters, zip(targets0[k], theta).map { 0.9 * $0 + 0.1 * $1 },
                        relativeTolerance: 1e-6, absoluteTolerance: 1e-7, "target \(k + 1)")
        }
        XCTAssertEqual(learner.updates, 2)
    }

    // MARK: - Acting

    /// Deterministic actions are tanh(μ)·scale + bias (checked in Double), the same batched or
    /// row by row across chunks; sampled actions stay in the bounds, differ from the mean and
    /// repeat from the same generator state.
    func testActDeterministicAndSampled() {
        let learner = tinyLearner(seed: 12)
        var g = SeededGenerator(seed: 13)
        let rows = 1100  // three chunks of 512
        let observations = (0..<(rows * 3)).map { _ in g.normal(mean: 0, std: 2) }
        var actions: [Float] = []
        learner.act(observations: observations, rows: rows, deterministic: true, into: &actions, using: &g)
        let head = ReferenceDenseNetwork(learner.actor).forward(observations.map(Double.init), rows: rows)
        let scale = learner.actionScale.map(Double.init), bias = learner.actionBias.map(Double.init)
        var expected: [Float] = []
        for r in 0..<rows {
            for j in 0..<2 { expected.append(Float(tanh(head[r * 4 + j]) * scale[j] + bias[j])) }
        }
        assertClose(actions, expected, relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        var single: [Float] = []
        learner.act(observations: Array(observations[(1000 * 3)..<(1001 * 3)]), rows: 1, deterministic: true, into: &single, using: &g)
        XCTAssertEqual(single, Array(actions[2000..<2002]))

        var sampled: [Float] = [], again: [Float] = []
        var g1 = SeededGenerator(seed: 14), g2 = SeededGenerator(seed: 14)
        learner.act(observations: observations, rows: rows, deterministic: false, into: &sampled, using: &g1)
        learner.act(observations: observations, rows: rows, deterministic: false, into: &again, using: &g2)
        XCTAssertEqual(sampled, again)
        for i in 0..<(rows * 2) {
            XCTAssertTrue(sampled[i] >= Self.low[i % 2] && sampled[i] <= Self.high[i % 2], "action \(sampled[i]) out of bounds")
        }
        XCTAssertGreaterThan(zip(sampled, actions).filter { abs($0 - $1) > 1e-3 }.count, rows)
        XCTAssertTrue(actions.allSatisfy { $0 >= -2 && $0 <= 2 })
    }

    // MARK: - Learning

    /// A one-step continuous bandit, reward −(a − 0.6)² whatever the (random) observation,
    /// every transition terminal: after 3000 updates on uniformly random actions the
    /// deterministic action is within 0.05 of 0.6 for every observation tried (0.60–0.62,
    /// α 0.018). Tried by hand: flipping the sign of dL/dQ in the actor loss (→ −0.92), of
    /// the whole actor gradient (→ 1.0) or dropping the critics' input gradient (→ 0.0) fails.
    func testLearnsAOneStepBandit() {
        var configuration = SACConfiguration()
        configuration.hiddenSizes = [32, 32]
        configuration.policyLearningRate = 3e-3
        configuration.qLearningRate = 3e-3
        configuration.threads = 2
        var g = SeededGenerator(seed: 21)
        let learner = SACLearner(observationSize: 2, actionLow: [-1], actionHigh: [1], configuration: configuration, generator: &g)
        let rows = 64
        var batch = randomBatch(rows: rows, observationSize: 2, actionLow: [-1], actionHigh: [1],
                                terminated: [Float](repeating: 1, count: rows), generator: &g)
        for _ in 0..<3000 {
            for i in 0..<rows {
                batch.observations[2 * i] = g.normal(mean: 0, std: 1)
                batch.observations[2 * i + 1] = g.normal(mean: 0, std: 1)
                batch.actions[i] = g.uniform(-1, 1)
                batch.rewards[i] = -(batch.actions[i] - 0.6) * (batch.actions[i] - 0.6)
            }
            learner.update(on: batch, using: &g)
        }
        let probes = (0..<16).map { _ in g.normal(mean: 0, std: 1) }
        var actions: [Float] = []
        learner.act(observations: probes, rows: 8, deterministic: true, into: &actions, using: &g)
        for a in actions { XCTAssertEqual(a, 0.6, accuracy: 0.05, "deterministic actions \(actions), α \(learner.alpha)") }
    }

    // MARK: - Checkpoints

    /// N updates, a checkpoint through safetensors bytes, a fresh learner loading it and M more
    /// updates give bit-identical parameters to N + M uninterrupted updates.
    func testCheckpointRoundTripIsBitIdentical() throws {
        let edit: (inout SACConfiguration) -> Void = { $0.policyFrequency = 2; $0.targetNetworkFrequency = 3 }
        let original = tinyLearner(seed: 30, edit)
        var g = SeededGenerator(seed: 31)
        let batches = (0..<10).map { _ in randomBatch(rows: 8, observationSize: 3, actionLow: Self.low, actionHigh: Self.high, generator: &g) }
        var stream = SeededGenerator(seed: 32)
        for batch in batches.prefix(5) { original.update(on: batch, using: &stream) }
        let bytes = try original.checkpoint().encoded()

        let restored = tinyLearner(seed: 99, edit)
        try restored.load(checkpoint: SafeTensorsFile(data: bytes))
        XCTAssertEqual(restored.updates, 5)
        var resumed = stream
        for batch in batches.suffix(5) {
            original.update(on: batch, using: &stream)
            restored.update(on: batch, using: &resumed)
        }
        XCTAssertEqual(restored.actor.flatParameters, original.actor.flatParameters)
        for k in 0..<2 {
            XCTAssertEqual(restored.critics[k].flatParameters, original.critics[k].flatParameters)
            XCTAssertEqual(restored.targetCritics[k].flatParameters, original.targetCritics[k].flatParameters)
        }
        XCTAssertEqual(restored.logAlpha, original.logAlpha)
        XCTAssertEqual(restored.updates, 10)
        XCTAssertEqual(restored.checkpoint(), original.checkpoint())
    }

    func testLoadErrorsNameTheTensor() throws {
        let learner = tinyLearner()
        var file = learner.checkpoint()
        file.tensors["qf2_target.layers.1.weight"] = nil
        XCTAssertThrowsError(try learner.load(checkpoint: file)) { XCTAssertTrue("\($0)".contains("'qf2_target.layers.1.weight'"), "\($0)") }
        file = learner.checkpoint()
        file.tensors["actor.layers.0.bias"] = CheckpointArray(shape: [7], values: [Float](repeating: 0, count: 7))
        XCTAssertThrowsError(try learner.load(checkpoint: file)) {
            XCTAssertTrue("\($0)".contains("'actor.layers.0.bias' has shape [7], expected [8]"), "\($0)")
        }
        file = learner.checkpoint()
        file.metadata["qf1_optimizer.step"] = nil
        XCTAssertThrowsError(try learner.load(checkpoint: file)) { XCTAssertTrue("\($0)".contains("'qf1_optimizer.step'"), "\($0)") }
    }
}
