import Foundation
@testable import Learners
import NN
import Replay
import SeededRandom
import TestSupport
import XCTest

final class BCLearnerTests: XCTestCase {
    static let low: [Float] = [-2, 0], high: [Float] = [2, 1]

    /// The known policy of the learning test: a = (0.5 s₀ − 0.3 s₁ + 0.2 s₂, 0.5 + 0.1 s₀ + 0.1 s₁ − 0.2 s₂), inside the bounds for s ∈ [−1, 1]³.
    static func linearPolicy(_ s: ArraySlice<Float>) -> [Float] {
        let s0 = s[s.startIndex], s1 = s[s.startIndex + 1], s2 = s[s.startIndex + 2]
        return [0.5 * s0 - 0.3 * s1 + 0.2 * s2, 0.5 + 0.1 * s0 + 0.1 * s1 - 0.2 * s2]
    }

    static func linearBatch(rows: Int, generator g: inout SeededGenerator) -> TransitionBatch {
        let observations = (0..<(rows * 3)).map { _ in g.uniform(Float(-1), 1) }
        let actions = (0..<rows).flatMap { linearPolicy(observations[($0 * 3)..<($0 * 3 + 3)]) }
        return TransitionBatch(observationSize: 3, actionSize: 2, observations: observations, actions: actions,
                               rewards: [Float](repeating: 0, count: rows), nextObservations: observations,
                               terminated: [Float](repeating: 0, count: rows), truncated: [Float](repeating: 0, count: rows))
    }

    func testConfigurationErrorsNameTheField() {
        var c = BCConfiguration()
        c.learningRate = -1
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("BC") && "\($0)".contains("learningRate"), "\($0)") }
    }

    /// mean((tanh(f(norm(s)))·scale + bias − a)²): the loss and the gradients of one update match a
    /// Double reference and its central differences, with a fitted observation normaliser.
    func testLossGradientMatchesFiniteDifferences() {
        var c = BCConfiguration()
        c.hiddenSizes = [8, 6]
        c.threads = 2
        var g = SeededGenerator(seed: 1)
        let learner = BCLearner(observationSize: 3, actionLow: Self.low, actionHigh: Self.high, configuration: c, generator: &g)
        let batch = randomBatch(rows: 7, observationSize: 3, actionLow: Self.low, actionHigh: Self.high, generator: &g)
        try! learner.fitObservationNormalizer(batch.observations.map { 2 * $0 + 1 })
        let loss = learner.computeGradients(batch)
        let ws = learner.workspace!
        ws.parameters.run([learner.policy.network], targets: nil, input: ws.observations, rows: 7, workspaces: [ws.pass],
                          learningRate: nil, tau: nil, queue: learner.queue)

        let normalizer = learner.policy.observationNormalizer
        XCTAssertNotEqual(normalizer.mean, [0, 0, 0])
        let s = batch.observations.enumerated().map { Double(($1 - normalizer.mean[$0 % 3]) / normalizer.std[$0 % 3]) }
        let scale = learner.policy.actionScale.map(Double.init), bias = learner.policy.actionBias.map(Double.init)
        var kink = Double.infinity
        func referenceLoss(_ parameters: [Double]) -> Double {
            let z = ReferenceDenseNetwork(parameters: parameters, layerSizes: learner.policy.network.layerSizes).forward(s, rows: 7, kink: &kink)
            var total = 0.0
            for i in 0..<14 {
                let d = tanh(z[i]) * scale[i % 2] + bias[i % 2] - Double(batch.actions[i])
                total += d * d / 14
            }
            return total
        }
        let parameters = learner.policy.network.flatParameters.map(Double.init)
        assertClose(loss, Float(referenceLoss(parameters)), relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
        assertClose(learner.policy.network.flatGradients, centralDifferences(parameters, referenceLoss),
                    relativeTolerance: 1e-3, absoluteTolerance: 1e-5, "policy")
        XCTAssertGreaterThan(kink, 1e-4, "pick another seed: a pre-activation sits on a ReLU kink")
    }

    /// Fresh batches of a known linear policy: 800 updates bring the held-out MSE from > 0.05 to < 2e-3.
    func testFitsAKnownLinearPolicy() {
        var c = BCConfiguration()
        c.hiddenSizes = [32, 32]
        c.learningRate = 3e-3
        c.threads = 2
        var g = SeededGenerator(seed: 2)
        let learner = BCLearner(observationSize: 3, actionLow: Self.low, actionHigh: Self.high, configuration: c, generator: &g)
        try! learner.fitObservationNormalizer(Self.linearBatch(rows: 1000, generator: &g).observations)
        let test = Self.linearBatch(rows: 256, generator: &g)
        func heldOutMSE() -> Float {
            var actions: [Float] = []
            learner.act(observations: test.observations, rows: 256, into: &actions)
            return zip(actions, test.actions).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Float(actions.count)
        }
        let before = heldOutMSE()
        var last: Float = 0
        for _ in 0..<800 { last = learner.update(on: Self.linearBatch(rows: 64, generator: &g)).loss }
        let after = heldOutMSE()
        XCTAssertGreaterThan(before, 0.05)
        XCTAssertLessThan(after, 2e-3, "held-out MSE \(before) → \(after), last training loss \(last)")
        XCTAssertEqual(learner.updates, 800)
    }

    /// 3 updates, a checkpoint, a fresh learner loading it and 3 more updates equal 6 uninterrupted ones.
    func testCheckpointRoundTripIsBitIdentical() throws {
        var c = BCConfiguration()
        c.hiddenSizes = [8, 6]
        c.threads = 2
        func make(_ seed: UInt64) -> BCLearner {
            var g = SeededGenerator(seed: seed)
            return BCLearner(observationSize: 3, actionLow: Self.low, actionHigh: Self.high, configuration: c, generator: &g)
        }
        var g = SeededGenerator(seed: 3)
        let batches = (0..<6).map { _ in Self.linearBatch(rows: 16, generator: &g) }
        let original = make(4)
        try! original.fitObservationNormalizer(batches[0].observations)
        for batch in batches.prefix(3) { original.update(on: batch) }
        let restored = make(5)
        try restored.load(checkpoint: SafeTensorsFile(data: original.checkpoint().encoded()))
        for batch in batches.suffix(3) {
            original.update(on: batch)
            restored.update(on: batch)
        }
        XCTAssertEqual(restored.policy.network.flatParameters, original.policy.network.flatParameters)
        XCTAssertEqual(restored.policy.observationNormalizer, original.policy.observationNormalizer)
        XCTAssertEqual(restored.updates, 6)
        var file = original.checkpoint()
        file.tensors["actor_optimizer.layers.0.weight.exp_avg"] = nil
        XCTAssertThrowsError(try restored.load(checkpoint: file)) { XCTAssertTrue("\($0)".contains("'actor_optimizer.layers.0.weight.exp_avg'"), "\($0)") }
    }
}
