import Foundation
@testable import Learners
import NN
import Replay
import SeededRandom
import TestSupport
import XCTest

final class TD3BCLearnerTests: XCTestCase {
    static let low: [Float] = [-2, 0], high: [Float] = [2, 1]

    /// obs 3, act 2 with asymmetric bounds, hidden 8-6, a fitted normaliser, and targets
    /// moved away from the online networks (so a test can tell which one is read).
    func tinyLearner(seed: UInt64, _ edit: (inout TD3BCConfiguration) -> Void = { _ in }) -> TD3BCLearner {
        var configuration = TD3BCConfiguration()
        configuration.hiddenSizes = [8, 6]
        configuration.threads = 2
        edit(&configuration)
        var g = SeededGenerator(seed: seed)
        let learner = TD3BCLearner(observationSize: 3, actionLow: Self.low, actionHigh: Self.high, configuration: configuration, generator: &g)
        try! learner.fitObservationNormalizer((0..<60).map { _ in g.normal(mean: 0.5, std: 2) })
        for network in [learner.targetActor] + learner.targetCritics {
            network.flatParameters = network.flatParameters.map { $0 + g.normal(mean: 0, std: 0.1) }
        }
        return learner
    }

    func learnerForErrors() -> TD3BCLearner { tinyLearner(seed: 40) }

    func testDefaultsAreThePapersAndErrorsNameTheField() {
        let c = TD3BCConfiguration()
        XCTAssertEqual([c.alpha, c.policyNoise, c.noiseClip, c.tau, c.gamma, c.actorLearningRate, c.criticLearningRate],
                       [2.5, 0.2, 0.5, 0.005, 0.99, 3e-4, 3e-4])
        XCTAssertEqual(c.policyFrequency, 2)
        XCTAssertEqual(c.hiddenSizes, [256, 256])
        XCTAssertTrue(c.normalizeObservations)
        XCTAssertThrowsError(try learnerForErrors().fitObservationNormalizer([])) {
            XCTAssertTrue("\($0)".contains("TD3+BC") && "\($0)".contains("normaliser"), "\($0)")
        }
        XCTAssertThrowsError(try learnerForErrors().fitObservationNormalizer([1, 2, 3, 4]), "not whole rows of 3")
        var bad = c
        bad.alpha = -1
        XCTAssertThrowsError(try bad.validate()) { XCTAssertTrue("\($0)".contains("TD3+BC") && "\($0)".contains("alpha"), "\($0)") }
        var g = SeededGenerator(seed: 0)
        let learner = TD3BCLearner(observationSize: 3, actionLow: [-1], actionHigh: [1], configuration: c, generator: &g)
        XCTAssertEqual(learner.targetActor.flatParameters, learner.actor.network.flatParameters)
        XCTAssertEqual(learner.targetCritics.map(\.flatParameters), learner.critics.map(\.flatParameters))
        XCTAssertEqual(learner.critics.map(\.layerSizes), [[4, 256, 256, 1], [4, 256, 256, 1]])
    }

    /// The smoothed target (ε large enough to hit the clip and the bounds on some rows), y with
    /// terminated rows not bootstrapping, the critic loss and both critics' gradients match a
    /// Double reference and its central differences.
    func testCriticLossGradientMatchesFiniteDifferences() {
        let learner = tinyLearner(seed: 1)
        var g = SeededGenerator(seed: 2)
        let batch = randomBatch(rows: 6, observationSize: 3, actionLow: Self.low, actionHigh: Self.high,
                                terminated: [0, 1, 0, 0, 1, 0], truncated: [0, 0, 1, 0, 0, 0], generator: &g)
        let noise = (0..<12).map { _ in g.normal(mean: 0, std: 4) }
        let ws = learner.prepare(batch)
        ws.noise.update(from: noise, count: noise.count)
        let result = learner.criticGradientPhase(ws)
        ws.criticParameters.run(learner.critics, targets: nil, input: ws.criticInput, rows: 6, workspaces: ws.criticPasses,
                                learningRate: nil, tau: nil, queue: learner.queue)

        var reference = TD3BCReference(learner)
        let y = reference.criticTargets(batch, noise: noise.map(Double.init))
        assertClose(Array(UnsafeBufferPointer(start: ws.target, count: 6)), y.map { Float($0) }, relativeTolerance: 1e-5,
                    absoluteTolerance: 1e-5, "critic target y")
        XCTAssertEqual(ws.target[1], batch.rewards[1], "terminated: y = r")
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

    /// L_π = −λ mean Q1(s, π(s)) + mean (π − a)² with λ = α / mean|Q1|: λ, the loss and the actor's
    /// gradients match a Double reference (λ held fixed, as detached) and its central differences;
    /// the critics' weight gradients are not touched.
    func testActorLossGradientMatchesFiniteDifferences() {
        let learner = tinyLearner(seed: 3)
        var g = SeededGenerator(seed: 4)
        let batch = randomBatch(rows: 7, observationSize: 3, actionLow: Self.low, actionHigh: Self.high, generator: &g)
        let ws = learner.prepare(batch)
        for critic in learner.critics { critic.gradients.update(repeating: 42) }
        let result = learner.actorGradientPhase(ws)
        ws.actorParameters.run([learner.actor.network], targets: nil, input: ws.observations, rows: 7, workspaces: [ws.actorPass],
                               learningRate: nil, tau: nil, queue: learner.queue)
        for critic in learner.critics { XCTAssertTrue(critic.gradients.allSatisfy { $0 == 42 }, "critic weight gradients computed") }

        var reference = TD3BCReference(learner)
        let q = reference.policyQ(batch).q
        let lambda = 2.5 / (q.map(abs).reduce(0, +) / 7)
        assertClose(result.lambda, Float(lambda), relativeTolerance: 1e-5, absoluteTolerance: 1e-6, "λ")
        assertClose(result.loss, Float(reference.actorLoss(batch, lambda: lambda)), relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        let numeric = centralDifferences(reference.actor.parameters) { p in
            var r = reference
            r.actor.parameters = p
            return r.actorLoss(batch, lambda: lambda)
        }
        assertClose(learner.actor.network.flatGradients, numeric, relativeTolerance: 1e-3, absoluteTolerance: 1e-5, "actor")
        XCTAssertGreaterThan(reference.kink, 1e-4, "pick another seed: a pre-activation sits on a ReLU kink")
    }

    /// With the delay 2: the first update moves only the critics; the second also the actor, and
    /// every target by θ' ← τθ + (1 − τ)θ'.
    func testDelayedActorAndPolyakTargets() {
        let learner = tinyLearner(seed: 5) { $0.tau = 0.1 }
        var g = SeededGenerator(seed: 6)
        let batch = randomBatch(rows: 8, observationSize: 3, actionLow: Self.low, actionHigh: Self.high, generator: &g)
        let actor0 = learner.actor.network.flatParameters, targetActor0 = learner.targetActor.flatParameters
        let targets0 = learner.targetCritics.map(\.flatParameters), critics0 = learner.critics.map(\.flatParameters)
        let first = learner.update(on: batch, using: &g)
        XCTAssertNil(first.actorLoss)
        XCTAssertEqual(learner.actor.network.flatParameters, actor0)
        XCTAssertEqual(learner.targetActor.flatParameters, targetActor0)
        XCTAssertEqual(learner.targetCritics.map(\.flatParameters), targets0)
        XCTAssertNotEqual(learner.critics.map(\.flatParameters), critics0)
        let second = learner.update(on: batch, using: &g)
        XCTAssertNotNil(second.actorLoss)
        XCTAssertNotEqual(learner.actor.network.flatParameters, actor0)
        func polyak(_ online: [Float], _ target: [Float]) -> [Float] { zip(online, target).map { 0.1 * $0 + 0.9 * $1 } }
        assertClose(learner.targetActor.flatParameters, polyak(learner.actor.network.flatParameters, targetActor0),
                    relativeTolerance: 1e-5, absoluteTolerance: 1e-6, "target actor")
        for k in 0..<2 {
            assertClose(learner.targetCritics[k].flatParameters, polyak(learner.critics[k].flatParameters, targets0[k]),
                        relativeTolerance: 1e-5, absoluteTolerance: 1e-6, "target critic \(k + 1)")
        }
        XCTAssertEqual(learner.updates, 2)
    }

    /// An offline one-step bandit: reward −(a − 0.6)², every transition terminal, actions from a
    /// noisy behaviour policy N(0.2, 0.3²) (clipped to [−1, 1]). Behaviour cloning alone would give
    /// the behaviour mean 0.2 (reward −0.16); TD3+BC's optimum of −λ(π − 0.6)² − E(π − a)² with
    /// λ ≈ α / mean|Q| ≈ 10 is ≈ 0.56. Required: every probe's action within 0.1 of 0.6. Tried by
    /// hand: with λ = 0 (cloning only) the actions were 0.16–0.24; with the Q term's sign flipped, −0.91 … −1.
    func testBeatsTheBehaviourPolicyOnAnOfflineBandit() {
        var configuration = TD3BCConfiguration()
        configuration.hiddenSizes = [32, 32]
        configuration.actorLearningRate = 1e-3
        configuration.criticLearningRate = 1e-3
        configuration.threads = 2
        var g = SeededGenerator(seed: 21)
        let learner = TD3BCLearner(observationSize: 2, actionLow: [-1], actionHigh: [1], configuration: configuration, generator: &g)
        let count = 2000
        let observations = (0..<(count * 2)).map { _ in g.normal(mean: 0, std: 1) }
        let actions = (0..<count).map { _ in min(max(g.normal(mean: 0.2, std: 0.3), -1), 1) }
        try! learner.fitObservationNormalizer(observations)
        let rows = 64
        var batch = TransitionBatch(batchSize: rows, observationSize: 2, actionSize: 1)
        batch.terminated = [Float](repeating: 1, count: rows)
        for _ in 0..<2000 {
            for i in 0..<rows {
                let t = Int(g.next(upperBound: UInt64(count)))
                batch.observations[2 * i] = observations[2 * t]
                batch.observations[2 * i + 1] = observations[2 * t + 1]
                batch.nextObservations[2 * i] = observations[2 * t]
                batch.nextObservations[2 * i + 1] = observations[2 * t + 1]
                batch.actions[i] = actions[t]
                batch.rewards[i] = -(actions[t] - 0.6) * (actions[t] - 0.6)
            }
            learner.update(on: batch, using: &g)
        }
        let probes = (0..<16).map { _ in g.normal(mean: 0, std: 1) }
        var chosen: [Float] = []
        learner.act(observations: probes, rows: 8, into: &chosen)
        for a in chosen { XCTAssertEqual(a, 0.6, accuracy: 0.1, "actions \(chosen) (behaviour mean 0.2)") }
    }

    // MARK: - Checkpoints

    /// 5 updates, a checkpoint through safetensors bytes, a fresh learner loading it and 5 more
    /// updates give bit-identical networks, targets, moments and normaliser to 10 uninterrupted updates.
    func testCheckpointRoundTripIsBitIdentical() throws {
        let original = tinyLearner(seed: 30)
        var g = SeededGenerator(seed: 31)
        let batches = (0..<10).map { _ in randomBatch(rows: 8, observationSize: 3, actionLow: Self.low, actionHigh: Self.high, generator: &g) }
        var stream = SeededGenerator(seed: 32)
        for batch in batches.prefix(5) { original.update(on: batch, using: &stream) }
        let bytes = try original.checkpoint().encoded()

        let restored = tinyLearner(seed: 99)
        try restored.load(checkpoint: SafeTensorsFile(data: bytes))
        XCTAssertEqual(restored.updates, 5)
        XCTAssertEqual(restored.actor.observationNormalizer, original.actor.observationNormalizer)
        var resumed = stream
        for batch in batches.suffix(5) {
            original.update(on: batch, using: &stream)
            restored.update(on: batch, using: &resumed)
        }
        XCTAssertEqual(restored.actor.network.flatParameters, original.actor.network.flatParameters)
        XCTAssertEqual(restored.targetActor.flatParameters, original.targetActor.flatParameters)
        for k in 0..<2 {
            XCTAssertEqual(restored.critics[k].flatParameters, original.critics[k].flatParameters)
            XCTAssertEqual(restored.targetCritics[k].flatParameters, original.targetCritics[k].flatParameters)
        }
        XCTAssertEqual(restored.checkpoint(), original.checkpoint())
    }

    func testLoadErrorsNameTheTensor() throws {
        let learner = tinyLearner(seed: 33)
        var file = learner.checkpoint()
        file.tensors["actor_target.layers.1.weight"] = nil
        XCTAssertThrowsError(try learner.load(checkpoint: file)) { XCTAssertTrue("\($0)".contains("'actor_target.layers.1.weight'"), "\($0)") }
        file = learner.checkpoint()
        file.metadata["qf2_optimizer.step"] = nil
        XCTAssertThrowsError(try learner.load(checkpoint: file)) { XCTAssertTrue("\($0)".contains("'qf2_optimizer.step'"), "\($0)") }
        file = learner.checkpoint()
        file.tensors["obs_normalizer.std"] = CheckpointArray(shape: [3], values: [1, 0, 1])
        let before = learner.checkpoint()
        XCTAssertThrowsError(try learner.load(checkpoint: file)) { XCTAssertTrue("\($0)".contains("obs_normalizer.std"), "\($0)") }
        XCTAssertEqual(learner.checkpoint(), before, "a failed load changes nothing")
    }
}
