import Foundation
@testable import Learners
import NN
import Replay
import SeededRandom
import TestSupport
import XCTest

final class DiscreteBCLearnerTests: XCTestCase {
    /// The known policy: a = argmax(W s) with W = [[1, 0], [0, 1], [−1, −1]] (three actions, s ∈ [−1, 1]²).
    static func label(_ s0: Float, _ s1: Float) -> Int {
        let scores = [s0, s1, -s0 - s1]
        return scores.indices.max { scores[$0] < scores[$1] }!
    }

    static func batch(rows: Int, generator g: inout SeededGenerator) -> TransitionBatch {
        let observations = (0..<(rows * 2)).map { _ in g.uniform(Float(-1), 1) }
        let actions = (0..<rows).map { Float(label(observations[2 * $0], observations[2 * $0 + 1])) }
        return TransitionBatch(observationSize: 2, actionSize: 1, observations: observations, actions: actions,
                               rewards: [Float](repeating: 0, count: rows), nextObservations: observations,
                               terminated: [Float](repeating: 0, count: rows), truncated: [Float](repeating: 0, count: rows))
    }

    /// −mean log softmax(z)_a: the loss and the gradients match a Double reference's value and central differences.
    func testCrossEntropyGradientMatchesFiniteDifferences() {
        var c = BCConfiguration()
        c.hiddenSizes = [8, 6]
        c.threads = 2
        var g = SeededGenerator(seed: 1)
        let learner = DiscreteBCLearner(observationSize: 2, actionCount: 3, configuration: c, generator: &g)
        let data = Self.batch(rows: 7, generator: &g)
        try! learner.fitObservationNormalizer(data.observations)
        let metrics = learner.computeGradients(data)
        let ws = learner.workspace!
        ws.parameters.run([learner.network], targets: nil, input: ws.observations, rows: 7, workspaces: [ws.pass],
                          learningRate: nil, tau: nil, queue: learner.queue)
        let normalizer = learner.observationNormalizer
        let s = data.observations.enumerated().map { Double(($1 - normalizer.mean[$0 % 2]) / normalizer.std[$0 % 2]) }
        var kink = Double.infinity
        func referenceLoss(_ p: [Double]) -> Double {
            let z = ReferenceDenseNetwork(parameters: p, layerSizes: learner.network.layerSizes).forward(s, rows: 7, kink: &kink)
            var total = 0.0
            for r in 0..<7 {
                let logits = z[(r * 3)..<(r * 3 + 3)]
                let logSum = log(logits.map { exp($0) }.reduce(0, +))
                total += (logSum - z[r * 3 + Int(data.actions[r])]) / 7
            }
            return total
        }
        let parameters = learner.network.flatParameters.map(Double.init)
        assertClose(metrics.loss, Float(referenceLoss(parameters)), relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
        assertClose(learner.network.flatGradients, centralDifferences(parameters, referenceLoss),
                    relativeTolerance: 1e-3, absoluteTolerance: 1e-5, "logits network")
        XCTAssertGreaterThan(kink, 1e-4, "pick another seed: a pre-activation sits on a ReLU kink")
    }

    /// 600 updates on fresh batches: held-out accuracy from chance to ≥ 95 %, and a checkpoint round trip.
    func testFitsAKnownDiscretePolicyAndResumes() throws {
        var c = BCConfiguration()
        c.hiddenSizes = [32, 32]
        c.learningRate = 3e-3
        c.threads = 2
        var g = SeededGenerator(seed: 2)
        let learner = DiscreteBCLearner(observationSize: 2, actionCount: 3, configuration: c, generator: &g)
        let test = Self.batch(rows: 400, generator: &g)
        func accuracy(_ l: DiscreteBCLearner) -> Float {
            let chosen = l.act(observations: test.observations, rows: 400)
            return Float(zip(chosen, test.actions).filter { Float($0) == $1 }.count) / 400
        }
        XCTAssertLessThan(accuracy(learner), 0.7)
        for _ in 0..<600 { learner.update(on: Self.batch(rows: 64, generator: &g)) }
        XCTAssertGreaterThanOrEqual(accuracy(learner), 0.95)

        var other = SeededGenerator(seed: 9)
        let restored = DiscreteBCLearner(observationSize: 2, actionCount: 3, configuration: c, generator: &other)
        try restored.load(checkpoint: SafeTensorsFile(data: learner.checkpoint().encoded()))
        let next = Self.batch(rows: 64, generator: &g)
        learner.update(on: next)
        restored.update(on: next)
        XCTAssertEqual(restored.network.flatParameters, learner.network.flatParameters)
        XCTAssertEqual(restored.updates, 601)
    }
}
