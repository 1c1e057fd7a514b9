import Foundation
import Environments
import Replay
import SeededRandom
import TestSupport
@testable import WorldModels
import XCTest

final class ModelEvaluationTests: XCTestCase {
    /// An oracle-like model of the linear system: exact next observation, reward o'_0, no termination.
    final class ExactLinearModel: WorldModel {
        typealias State = [Float]
        let observationSize = 2, actionSize = 1
        func initialState(batch: Int) -> [Float] { [Float](repeating: 0, count: batch * 2) }
        func observe(_ state: inout [Float], action: UnsafeBufferPointer<Float>?, observation: UnsafeBufferPointer<Float>) {
            state = Array(observation)
        }
        func replicated(_ state: [Float], candidates: Int, particles: Int) -> [Float] {
            (0..<(candidates * particles)).flatMap { _ in state }
        }
        func rolloutState(_ state: [Float], reportingMembers: Bool) -> [Float] { state }
        var ensembleSize: Int { 1 }
        func imagine(_ state: inout [Float], actions: UnsafeBufferPointer<Float>, into prediction: inout WorldModelPrediction,
                     using generator: inout SeededGenerator) {
            let rows = state.count / 2
            prediction.resize(rows: rows, predictsStd: false, predictsReward: true, predictsTermination: false)
            for r in 0..<rows {
                let o0 = state[r * 2], o1 = state[r * 2 + 1], u = actions[r]
                prediction.nextObservations[r * 2] = 0.9 * o0 + 0.1 * o1 + 0.5 * u
                prediction.nextObservations[r * 2 + 1] = -0.2 * o0 + 0.8 * o1 - 0.3 * u
                prediction.rewards[r] = prediction.nextObservations[r * 2]
            }
            state = prediction.nextObservations
        }
    }

    func testExactModelHasZeroErrorAndCountsEveryScoredStep() {
        let buffer = SequenceWorldModelTests.linearEpisodes(10, seed: 3)
        let episodes = Array(buffer.episodes)
        var g = SeededGenerator(seed: 0)
        let evaluation = ModelEvaluation.evaluate(ExactLinearModel(), on: episodes, horizon: 4, stride: 2, name: "exact",
                                                  parameterCount: 0, using: &g)
        XCTAssertEqual(evaluation.observationRMSE.count, 4)
        for v in evaluation.observationRMSE + evaluation.rewardRMSE { XCTAssertLessThan(v, 1e-5) }
        XCTAssertEqual(evaluation.continuationAccuracy, [])
        // Starts 0, 2, 4, ...; k is scored when start + k − 1 < length.
        var expected = [Int](repeating: 0, count: 4)
        for e in episodes { for s in stride(from: 0, to: e.length, by: 2) { for k in 1...4 where s + k - 1 < e.length { expected[k - 1] += 1 } } }
        XCTAssertEqual(evaluation.counts, expected)
    }

    func testEnsembleBaselineIsEvaluatedAndWrittenAsJSON() throws {
        let buffer = SequenceWorldModelTests.linearEpisodes(60, seed: 4)
        var c = EnsembleWorldModelConfiguration()
        c.members = 2; c.elites = 2; c.hiddenSize = 16; c.hiddenLayers = 2; c.epochs = 20; c.threads = 1
        c.propagation = .mean
        var g = SeededGenerator(seed: 5)
        let model = try EnsembleWorldModel(observationSize: 2, actionSize: 1, configuration: c, generator: &g)
        let summary = try model.fit(on: buffer, using: &g)
        XCTAssertEqual(summary.steps, 20)
        let test = Array(SequenceWorldModelTests.linearEpisodes(10, seed: 6).episodes)
        var evaluation = ModelEvaluation.evaluate(model, on: test, horizon: 3, name: "mlp-ensemble",
                                                  parameterCount: model.parameterCount, trainingStepsPerSecond: nil, using: &g)
        evaluation.imaginationRowStepsPerSecond = ModelEvaluation.measureImagination(model, observation: [0.1, 0.2], candidates: 10,
                                                                                    particles: 2, steps: 3, using: &g)
        XCTAssertLessThan(evaluation.observationRMSE[0], 0.1)
        XCTAssertLessThanOrEqual(evaluation.observationRMSE[0], evaluation.observationRMSE[2] + 1e-6, "errors compound")
        XCTAssertEqual(evaluation.parameterCount, model.network.parameterCount)
        XCTAssertGreaterThan(evaluation.imaginationRowStepsPerSecond ?? 0, 0)

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("seqcore-eval-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("evaluation.json")
        try evaluation.write(to: url)
        try evaluation.write(to: url)  // replacing an existing file
        XCTAssertEqual(try ModelEvaluation.read(from: url), evaluation)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["evaluation.json"], "no temporary left")
        let text = try String(contentsOf: url, encoding: .utf8)
        XCTAssertTrue(text.contains("\"observationRMSE\""), text)
    }

    func testSequenceModelThroughputAndContinuousCartPoleFit() throws {
        // Random-action episodes of ContinuousCartPole-v0; a small GRU model must beat "no change" by far at k = 1.
        var env = try EnvironmentRegistry.builtin.make("ContinuousCartPole-v0")
        var g = SeededGenerator(seed: 8)
        var buffer = ReplayBuffer(capacity: 5000, observationSpace: env.observationSpace, actionSpace: env.actionSpace)
        var test = buffer
        for episode in 0..<70 {
            var observation = try env.reset(seed: g.next()).observation
            for _ in 0..<200 {
                let action = Action.continuous([g.uniform(-1, 1)])
                let step = try env.step(action)
                if episode < 60 { buffer.add(observation: observation, action: action, step: step) }
                else { test.add(observation: observation, action: action, step: step) }
                observation = step.observation
                if step.terminated || step.truncated { break }
            }
        }
        var settings = WorldModelSettings()
        settings.backbone = .gru
        settings.gru.hiddenSize = 32
        settings.sequence = SequenceWorldModelConfiguration(members: 1, deterministic: true, headHiddenSize: 32)
        settings.training.sequenceLength = 10
        settings.training.batchSize = 16
        settings.training.trainSteps = 150
        settings.training.learningRate = 3e-3
        let model = try makeWorldModel(settings: settings, observationSize: 4, actionSize: 1, seed: 9)
        let summary = try model.fit(on: buffer, using: &g)
        let evaluation = ModelEvaluation.evaluate(model, on: Array(test.episodes), horizon: 5, name: "gru",
                                                  parameterCount: model.parameterCount,
                                                  trainingStepsPerSecond: summary.stepsPerSecond, using: &g)
        var baseline = 0.0, n = 0
        for e in test.episodes { for i in 0..<(e.length * 4) {
            let d = Double(e.nextObservations[i] - e.observations[i]); baseline += d * d; n += 1
        } }
        baseline = (baseline / Double(n)).squareRoot()
        let throughput = ModelEvaluation.measureImagination(model, observation: [0, 0, 0.01, 0], candidates: 50, particles: 4,
                                                            steps: 5, using: &g)
        print("ContinuousCartPole: 1-step RMSE \(evaluation.observationRMSE[0]) vs no-change \(baseline); k-step \(evaluation.observationRMSE); "
              + "continuation \(evaluation.continuationAccuracy); train \(summary.stepsPerSecond ?? 0) steps/s; imagination \(throughput) rows·steps/s")
        XCTAssertLessThan(evaluation.observationRMSE[0], 0.3 * baseline, "1-step error bound: 30% of the no-change error")
        XCTAssertGreaterThan(evaluation.continuationAccuracy[0], 0.9)
        // Terminations are a few % of steps: a model that never predicts one has accuracy > 0.9 and recall 0.
        let recall = try XCTUnwrap(evaluation.terminationRecall?.first ?? nil)
        XCTAssertGreaterThan(recall, 0.5, "1-step recall on terminal steps")
        XCTAssertGreaterThan(throughput, 0)
    }
}
