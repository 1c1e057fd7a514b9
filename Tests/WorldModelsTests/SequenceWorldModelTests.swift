import Foundation
import Replay
import SeededRandom
import NN
import TensorCore
import TestSupport
@testable import WorldModels
import XCTest

final class SequenceWorldModelTests: XCTestCase {
    // MARK: - Fixtures

    /// A buffer of `episodes` random episodes of a 2-d linear system with 1 action, lengths 5…12,
    /// reward o'_0 and termination when |o'_0| > 1.5.
    static func linearEpisodes(_ episodes: Int, seed: UInt64) -> ReplayBuffer {
        var g = SeededGenerator(seed: seed)
        var buffer = ReplayBuffer(capacity: episodes * 12, observationSize: 2, actionSize: 1)
        for _ in 0..<episodes {
            var o: [Float] = [g.uniform(-1, 1), g.uniform(-1, 1)]
            let length = 5 + Int(g.next(upperBound: UInt64(8)))
            for t in 0..<length {
                let u = g.uniform(Float(-1), 1)
                let next: [Float] = [0.9 * o[0] + 0.1 * o[1] + 0.5 * u, -0.2 * o[0] + 0.8 * o[1] - 0.3 * u]
                let done = abs(next[0]) > 1.5
                buffer.add(observation: o, action: [u], reward: next[0], nextObservation: next,
                           terminated: done, truncated: !done && t == length - 1)
                o = next
                if done { break }
            }
        }
        return buffer
    }

    static func gruModel(members: Int = 1, deterministic: Bool = false, layers: Int = 1, hidden: Int = 6,
                         propagation: SequencePropagation = .tsInfinity, seed: UInt64 = 0) -> SequenceWorldModel<GRUBackbone> {
        var g = SeededGenerator(seed: seed)
        return SequenceWorldModel(observationSize: 2, actionSize: 1,
                                  configuration: SequenceWorldModelConfiguration(members: members, deterministic: deterministic,
                                                                                 propagation: propagation, headHiddenSize: 5),
                                  generator: &g) { GRUBackbone(inputSize: $0, hiddenSize: hidden, layers: layers, generator: &$1) }
    }

    /// Non-trivial normalisers so the tests exercise them.
    static func setNormalizers<B>(_ model: SequenceWorldModel<B>) {
        model.setNormalizers(input: Normalizer(mean: [0.1, -0.2, 0.05], std: [0.8, 1.3, 0.6]),
                             output: Normalizer(mean: [0.02, -0.01, 0.3], std: [0.5, 0.7, 1.1]))
    }

    // MARK: - Parameters

    func testParameterCounts() {
        var g = SeededGenerator(seed: 1)
        let gru = GRUBackbone(inputSize: 5, hiddenSize: 4, layers: 2, generator: &g)
        XCTAssertEqual(gru.parameterCount, (3 * 4 * (5 + 4) + 6 * 4) + (3 * 4 * (4 + 4) + 6 * 4))
        XCTAssertEqual(gru.namedParameters().map(\.0).first, "weight_ih_l0")
        let mlp = MLPSequenceBackbone(inputSize: 5, hiddenSize: 4, layers: 2, generator: &g)
        XCTAssertEqual(mlp.parameterCount, (5 * 4 + 4) + (4 * 4 + 4))
        let heads = SequenceModelHeads(featureSize: 4, observationSize: 3, deterministic: false, hiddenSize: 7, generator: &g)
        XCTAssertEqual(heads.parameterCount, (4 * 7 + 7) + (7 * 8 + 8) + 2 * 3)
        let model = Self.gruModel(members: 3)
        XCTAssertEqual(model.parameterCount, 3 * model.members[0].parameterCount)
    }

    func testUpdateGateBiasShiftsOnlyTheUpdateGate() {
        var g1 = SeededGenerator(seed: 4), g2 = SeededGenerator(seed: 4)
        let plain = GRUBackbone(inputSize: 3, hiddenSize: 2, layers: 2, generator: &g1)
        let biased = GRUBackbone(inputSize: 3, hiddenSize: 2, layers: 2, updateGateBias: 2, generator: &g2)
        for l in 0..<2 {
            let difference = zip(biased.biasIH[l].value.scalars, plain.biasIH[l].value.scalars).map { $0 - $1 }
            assertClose(difference, [0, 0, 2, 2, 0, 0])
            XCTAssertEqual(biased.biasHH[l].value.scalars, plain.biasHH[l].value.scalars)
            XCTAssertEqual(biased.weightIH[l].value.scalars, plain.weightIH[l].value.scalars)
        }
    }

    // MARK: - Heads and loss

    func testHeadsLossGradientMatchesFiniteDifferences() {
        for deterministic in [false, true] {
            var g = SeededGenerator(seed: 2)
            let heads = SequenceModelHeads(featureSize: 3, observationSize: 2, deterministic: deterministic, hiddenSize: 4, generator: &g)
            let features = Tensor(shape: [5, 3], normalMean: 0, std: 1, generator: &g)
            let targets = SequenceTargets(delta: Tensor(shape: [5, 2], normalMean: 0, std: 1, generator: &g),
                                          reward: Tensor(shape: [5, 1], normalMean: 0, std: 1, generator: &g),
                                          terminated: Tensor(shape: [5, 1], scalars: [0, 1, 0, 0, 1]))
            let weights = SequenceLossWeights(observation: 1, reward: 0.5, termination: 2)
            checkGradients(inputs: [features], parameters: heads.parameters) { _, v in
                heads.loss(heads(v[0]), targets: targets, weights: weights).total
            }
        }
    }

    func testLossTermsMatchTheirFormulas() {
        var g = SeededGenerator(seed: 3)
        let heads = SequenceModelHeads(featureSize: 2, observationSize: 1, deterministic: true, generator: &g)
        let features = Tensor(shape: [2, 2], scalars: [0.3, -0.1, 0.7, 0.2])
        let targets = SequenceTargets(delta: Tensor(shape: [2, 1], scalars: [0.5, -0.5]),
                                      reward: Tensor(shape: [2, 1], scalars: [1, 0]),
                                      terminated: Tensor(shape: [2, 1], scalars: [0, 1]))
        let out = heads(features)
        let tape = Tape()
        let loss = heads.loss(heads(tape.constant(features)), targets: targets, weights: SequenceLossWeights(observation: 2, reward: 3, termination: 5))
        var mse: Float = 0, rmse: Float = 0, bce: Float = 0
        for i in 0..<2 {
            mse += pow(out.mean.scalars[i] - targets.delta.scalars[i], 2) / 2
            rmse += pow(out.reward.scalars[i] - targets.reward.scalars[i], 2) / 2
            let l = out.terminationLogit.scalars[i], y = targets.terminated.scalars[i]
            let p = 1 / (1 + exp(-l))
            bce += -(y * log(p) + (1 - y) * log(1 - p)) / 2
        }
        assertClose([loss.observation, loss.reward, loss.termination], [mse, rmse, bce], relativeTolerance: 1e-4)
        assertClose(loss.total.value.scalar, 2 * mse + 3 * rmse + 5 * bce, relativeTolerance: 1e-4)
    }

    // MARK: - Recurrent form equals the parallel form

    /// Teacher-forced recurrent imagination (observe o₀, imagine a_t, then make the real o_{t+1} pending)
    /// matches the parallel forward over the window, including an episode reset in the middle.
    func checkRecurrentMatchesParallel<B>(_ model: SequenceWorldModel<B>, file: StaticString = #filePath, line: UInt = #line) {
        Self.setNormalizers(model)
        var g = SeededGenerator(seed: 9)
        let rows = 3, steps = 7, resetAt = 4, o = 2
        var batch = SequenceBatch(batchSize: rows, length: steps, observationSize: 2, actionSize: 1)
        for i in batch.observations.indices { batch.observations[i] = g.normal() }
        for i in batch.actions.indices { batch.actions[i] = g.normal() }
        for r in 0..<rows { for t in 0..<(steps - 1) { for i in 0..<o {
            batch.nextObservations[(r * steps + t) * o + i] = batch.observations[(r * steps + t + 1) * o + i]
        } } }
        for r in 0..<rows { batch.resetMask[r * steps + resetAt] = 1 }
        // Parallel: members' outputs averaged, denormalised.
        let (inputs, mask, _) = model.trainingTensors(batch)
        XCTAssertNotNil(mask)
        let tape = Tape(differentiating: [])
        let outputs = model.members.map { $0.outputs(tape.constant(inputs), resetMask: mask) }
        let e = Float(model.members.count)
        // Recurrent.
        var state = model.initialState(batch: rows)
        var prediction = WorldModelPrediction(observationSize: o)
        var maxError: Float = 0
        func column(_ array: [Float], _ t: Int, _ width: Int) -> [Float] {
            var out: [Float] = []
            for r in 0..<rows {
                let start: Int = (r * steps + t) * width
                out.append(contentsOf: array[start..<(start + width)])
            }
            return out
        }
        for t in 0..<steps {
            if t == 0 || t == resetAt {
                column(batch.observations, t, o).withUnsafeBufferPointer { model.observe(&state, action: nil, observation: $0) }
            } else {
                state.pending = column(batch.observations, t, o)
            }
            column(batch.actions, t, 1).withUnsafeBufferPointer { model.imagine(&state, actions: $0, into: &prediction, using: &g) }
            for r in 0..<rows {
                let k = r * steps + t
                for i in 0..<o {
                    let delta = outputs.map { $0.mean.value.scalars[k * o + i] * model.outputNormalizer.std[i] + model.outputNormalizer.mean[i] }
                    let expected = batch.observations[k * o + i] + delta.reduce(0, +) / e
                    maxError = max(maxError, abs(prediction.nextObservations[r * o + i] - expected))
                }
                let reward = outputs.map { $0.reward.value.scalars[k] * model.outputNormalizer.std[o] + model.outputNormalizer.mean[o] }
                maxError = max(maxError, abs(prediction.rewards[r] - reward.reduce(0, +) / e))
                let p = outputs.map { 1 / (1 + exp(-$0.terminationLogit.value.scalars[k])) }.reduce(0, +) / e
                if abs(p - 0.5) > 1e-3 { XCTAssertEqual(prediction.terminated[r], p > 0.5, file: file, line: line) }
            }
        }
        XCTAssertLessThan(maxError, 1e-4, "recurrent vs parallel", file: file, line: line)
    }

    func testRecurrentImaginationMatchesParallelForwardGRU() {
        checkRecurrentMatchesParallel(Self.gruModel(members: 2, layers: 2))
    }

    func testRecurrentImaginationMatchesParallelForwardMLP() {
        var g = SeededGenerator(seed: 5)
        let model = SequenceWorldModel(observationSize: 2, actionSize: 1, configuration: SequenceWorldModelConfiguration(members: 1),
                                       generator: &g) { MLPSequenceBackbone(inputSize: $0, hiddenSize: 8, generator: &$1) }
        checkRecurrentMatchesParallel(model)
    }

    func testResetMaskCutsTheGRUAtEpisodeBoundaries() {
        // Features after a reset depend only on steps at or after the reset.
        var g = SeededGenerator(seed: 6)
        let gru = GRUBackbone(inputSize: 2, hiddenSize: 3, generator: &g)
        var x = Tensor(shape: [1, 5, 2], normalMean: 0, std: 1, generator: &g)
        let mask = Tensor(shape: [1, 5], scalars: [0, 0, 1, 0, 0])
        let tape = Tape(differentiating: [])
        let a = gru(tape.constant(x), resetMask: mask).value
        for i in 0..<4 { x.scalars[i] += 1 }  // change steps 0 and 1
        let b = gru(tape.constant(x), resetMask: mask).value
        assertClose(Array(a.scalars[6...]), Array(b.scalars[6...]))
        XCTAssertNotEqual(Array(a.scalars[..<6]), Array(b.scalars[..<6]))
    }

    // MARK: - Ensembles

    func testTSInfinityTiesParticlesToMembersParticleMajor() {
        let model = Self.gruModel(members: 3, deterministic: true)
        Self.setNormalizers(model)
        var state = model.initialState(batch: 1)
        [0.3, -0.4].withUnsafeBufferPointer { model.observe(&state, action: nil, observation: $0) }
        let action: [Float] = [0.5], next: [Float] = [0.2, 0.1]
        action.withUnsafeBufferPointer { a in next.withUnsafeBufferPointer { model.observe(&state, action: a, observation: $0) } }
        let candidates = 2, particles = 4
        var replicated = model.replicated(state, candidates: candidates, particles: particles)
        XCTAssertTrue(replicated.isPartitioned)
        XCTAssertEqual(replicated.memberRows, [[0, 1, 6, 7], [2, 3], [4, 5]])
        var g = SeededGenerator(seed: 1)
        var prediction = WorldModelPrediction(observationSize: 2)
        let actions: [Float] = [0.1, -0.7, 0.1, -0.7, 0.1, -0.7, 0.1, -0.7]  // candidate c's action is the same in every particle
        actions.withUnsafeBufferPointer { model.imagine(&replicated, actions: $0, into: &prediction, using: &g) }
        func row(_ p: Int, _ c: Int) -> [Float] { Array(prediction.nextObservations[((p * candidates + c) * 2)..<((p * candidates + c) * 2 + 2)]) }
        XCTAssertEqual(row(0, 0), row(3, 0), "particles 0 and 3 share member 0")
        XCTAssertEqual(row(0, 1), row(3, 1))
        XCTAssertNotEqual(row(0, 0), row(1, 0), "members disagree")
        XCTAssertNotEqual(row(1, 0), row(2, 0))
        // Fewer particles than members: the extra members get no rows.
        XCTAssertEqual(model.replicated(state, candidates: 1, particles: 1).memberRows, [[0], [], []])
        // Mean propagation: every member tracks every row (shared).
        let meanModel = Self.gruModel(members: 3, propagation: .mean)
        var one = meanModel.initialState(batch: 1)
        [0.3, -0.4].withUnsafeBufferPointer { meanModel.observe(&one, action: nil, observation: $0) }
        let sharedState = meanModel.replicated(one, candidates: 2, particles: 2)
        XCTAssertFalse(sharedState.isPartitioned)
        XCTAssertEqual(sharedState.memberRows, [[0, 1, 2, 3], [0, 1, 2, 3], [0, 1, 2, 3]])
    }

    func testSampledImaginationIsSeededAndSpreadsWithTheMembersStd() {
        let model = Self.gruModel(members: 2)
        Self.setNormalizers(model)
        var one = model.initialState(batch: 1)
        [0.3, -0.4].withUnsafeBufferPointer { model.observe(&one, action: nil, observation: $0) }
        func rollout(seed: UInt64) -> WorldModelPrediction {
            var state = model.replicated(one, candidates: 1, particles: 200)
            var g = SeededGenerator(seed: seed)
            var prediction = WorldModelPrediction(observationSize: 2)
            [Float](repeating: 0.2, count: 200).withUnsafeBufferPointer { model.imagine(&state, actions: $0, into: &prediction, using: &g) }
            return prediction
        }
        let a = rollout(seed: 1), b = rollout(seed: 1), c = rollout(seed: 2)
        XCTAssertEqual(a.nextObservations, b.nextObservations, "same seed, same samples")
        XCTAssertNotEqual(a.nextObservations, c.nextObservations)
        // Member 0's particles (even p): sample spread ≈ its predicted std.
        var values: [Float] = []
        for p in stride(from: 0, to: 200, by: 2) { values.append(a.nextObservations[p * 2]) }
        let mean = values.reduce(0, +) / Float(values.count)
        let spread = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(values.count - 1)).squareRoot()
        XCTAssertEqual(spread, a.nextObservationStd[0], accuracy: 0.25 * a.nextObservationStd[0])
    }

    // MARK: - Training

    func testFitsALinearSystemWithinOneStepBound() throws {
        let train = Self.linearEpisodes(120, seed: 11), test = Self.linearEpisodes(20, seed: 12)
        var g = SeededGenerator(seed: 13)
        let model = SequenceWorldModel(observationSize: 2, actionSize: 1,
                                       configuration: SequenceWorldModelConfiguration(members: 1, deterministic: true, headHiddenSize: 16),
                                       generator: &g) { GRUBackbone(inputSize: $0, hiddenSize: 16, generator: &$1) }
        var c = SequenceTrainingConfiguration()
        c.sequenceLength = 8; c.batchSize = 16; c.trainSteps = 150; c.learningRate = 3e-3; c.validationRatio = 0.1
        let report = try SequenceWorldModelTrainer(configuration: c).train(model, on: train, using: &g)
        XCTAssertEqual(report.trainEpisodes + report.validationEpisodes, 120)
        XCTAssertEqual(report.validationEpisodes, 12)
        XCTAssertNotNil(report.validationLoss)
        let evaluation = ModelEvaluation.evaluate(model, on: Array(test.episodes), horizon: 3, stride: 1, name: "gru",
                                                  parameterCount: model.parameterCount, using: &g)
        // "No change" baseline: RMSE of o' − o.
        var baseline = 0.0, n = 0
        for e in test.episodes { for t in 0..<e.length { for i in 0..<2 {
            let d = Double(e.nextObservations[t * 2 + i] - e.observations[t * 2 + i]); baseline += d * d; n += 1
        } } }
        baseline = (baseline / Double(n)).squareRoot()
        print("linear system: 1-step RMSE \(evaluation.observationRMSE[0]) vs no-change \(baseline); k-step \(evaluation.observationRMSE); reward \(evaluation.rewardRMSE); continuation \(evaluation.continuationAccuracy)")
        XCTAssertLessThan(evaluation.observationRMSE[0], 0.05, "1-step RMSE bound")
        XCTAssertLessThan(evaluation.observationRMSE[0], 0.15 * baseline)
        XCTAssertLessThan(evaluation.rewardRMSE[0], 0.1)
        XCTAssertGreaterThan(evaluation.continuationAccuracy[0], 0.9)
    }

    func testTrainerRejectsTooLittleDataWithAClearMessage() {
        let buffer = Self.linearEpisodes(1, seed: 1)
        let model = Self.gruModel()
        var c = SequenceTrainingConfiguration()
        c.sequenceLength = 50
        var g = SeededGenerator(seed: 0)
        XCTAssertThrowsError(try SequenceWorldModelTrainer(configuration: c).train(model, on: buffer, using: &g)) { error in
            XCTAssertEqual("\(error)", "the training episodes hold \(buffer.count) transitions, fewer than one window of sequence_length 50; collect more data or shorten the windows")
        }
        c.sequenceLength = 4; c.burnIn = 4
        XCTAssertThrowsError(try SequenceWorldModelTrainer(configuration: c).train(model, on: buffer, using: &g)) { error in
            XCTAssertEqual("\(error)", "sequence length 4 and burn-in 4: need sequence_length >= 1 and 0 <= burn_in < sequence_length")
        }
    }

    func testTrainingIsSeededAndEnsembleMembersTrainOnTheirOwnBatches() throws {
        let buffer = Self.linearEpisodes(30, seed: 21)
        func run() throws -> ([Float], SequenceTrainingReport) {
            let model = Self.gruModel(members: 2, seed: 4)
            var c = SequenceTrainingConfiguration()
            c.sequenceLength = 6; c.burnIn = 2; c.batchSize = 4; c.trainSteps = 5; c.validationInterval = 2; c.keepBestWeights = true
            var g = SeededGenerator(seed: 5)
            let report = try SequenceWorldModelTrainer(configuration: c).train(model, on: buffer, using: &g)
            return (model.members.flatMap { $0.parameters.flatMap(\.value.scalars) }, report)
        }
        let (a, ra) = try run(), (b, rb) = try run()
        XCTAssertEqual(a, b, "same seed, same parameters")
        XCTAssertEqual(ra.trainLoss, rb.trainLoss)
        XCTAssertEqual(ra.steps, 5)
        XCTAssertEqual(ra.validationLoss?.count, 2)
        XCTAssertNotEqual(ra.validationLoss?[0], ra.validationLoss?[1], "independent members")
    }

    // MARK: - RSSM-lite

    static func rssmModel(seed: UInt64) -> SequenceWorldModel<RSSMBackbone> {
        var g = SeededGenerator(seed: seed)
        return SequenceWorldModel(observationSize: 2, actionSize: 1,
                                  configuration: SequenceWorldModelConfiguration(members: 1, deterministic: true, headHiddenSize: 16),
                                  generator: &g) {
            RSSMBackbone(inputSize: $0, observationSize: 2, hiddenSize: 16, stochasticSize: 4, headHiddenSize: 16, generator: &$1)
        }
    }

    /// The trainer adds the RSSM's KL term (and takes it, so the backbone stops holding the tape), and
    /// the model still fits the linear system.
    func testTrainerAddsTheRSSMKLTermAndTheModelFits() throws {
        let train = Self.linearEpisodes(120, seed: 11), test = Self.linearEpisodes(20, seed: 12)
        var c = SequenceTrainingConfiguration()
        c.sequenceLength = 8; c.batchSize = 16; c.learningRate = 3e-3; c.validationRatio = 0.1
        // One step from the same initial parameters: the reported loss includes the KL term.
        var g = SeededGenerator(seed: 13)
        let probe = Self.rssmModel(seed: 3)
        c.trainSteps = 1
        let one = try SequenceWorldModelTrainer(configuration: c).train(probe, on: train, using: &g)
        XCTAssertNil(probe.members[0].backbone.regularizationLoss, "the trainer takes the KL term")
        let kl = probe.members[0].backbone
        XCTAssertGreaterThan(kl.lastKL, 0)
        let terms = try XCTUnwrap(one.validationTerms), total = try XCTUnwrap(one.validationLoss?.first)
        let headLoss = terms[0] + terms[1] + terms[2]
        XCTAssertGreaterThanOrEqual(total - headLoss, kl.dynamicsScale * kl.freeNats + kl.representationScale * kl.freeNats - 1e-4,
                                    "validation loss = head terms + KL terms (each at least the free nats)")

        g = SeededGenerator(seed: 13)
        let model = Self.rssmModel(seed: 3)
        c.trainSteps = 200
        _ = try SequenceWorldModelTrainer(configuration: c).train(model, on: train, using: &g)
        model.members[0].backbone.sampling = false
        let evaluation = ModelEvaluation.evaluate(model, on: Array(test.episodes), horizon: 3, stride: 1, name: "rssm",
                                                  parameterCount: model.parameterCount, using: &g)
        print("RSSM linear system: k-step RMSE \(evaluation.observationRMSE), KL \(model.members[0].backbone.lastKL)")
        XCTAssertLessThan(evaluation.observationRMSE[0], 0.05, "1-step RMSE bound")
    }

    /// `observe` filters with the RSSM's posterior (it reads the observation); `imagine` steps the prior.
    func testObserveUsesTheRSSMPosterior() {
        let model = Self.rssmModel(seed: 4)
        model.members[0].backbone.sampling = false
        func stochasticState(after second: [Float]) -> [Float] {
            var state = model.initialState(batch: 1)
            [Float](arrayLiteral: 0.1, 0.2).withUnsafeBufferPointer { model.observe(&state, action: nil, observation: $0) }
            [Float](arrayLiteral: 0.5).withUnsafeBufferPointer { a in
                second.withUnsafeBufferPointer { model.observe(&state, action: a, observation: $0) }
            }
            [Float](arrayLiteral: -0.5).withUnsafeBufferPointer { a in
                [Float](arrayLiteral: 0.3, 0.3).withUnsafeBufferPointer { model.observe(&state, action: a, observation: $0) }
            }
            return state.memberStates[0].stochastic.scalars
        }
        // The second observation enters the backbone at the third step's observe, through the posterior only.
        XCTAssertNotEqual(stochasticState(after: [0.4, -0.1]), stochasticState(after: [-0.9, 0.7]))
    }

    // MARK: - Checkpoints

    func testCheckpointRoundTripRestoresPredictionsAndRejectsAnotherModel() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sequence-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let saved = Self.gruModel(members: 2, deterministic: true, seed: 1)
        Self.setNormalizers(saved)
        try saved.checkpoint().write(to: url)
        let restored = Self.gruModel(members: 2, deterministic: true, seed: 2)
        func predict(_ model: SequenceWorldModel<GRUBackbone>) -> [Float] {
            var g = SeededGenerator(seed: 0)
            var state = model.initialState(batch: 1)
            [Float](arrayLiteral: 0.3, -0.4).withUnsafeBufferPointer { model.observe(&state, action: nil, observation: $0) }
            var prediction = WorldModelPrediction(observationSize: 2)
            [Float](arrayLiteral: 0.7).withUnsafeBufferPointer { model.imagine(&state, actions: $0, into: &prediction, using: &g) }
            return prediction.nextObservations + prediction.rewards
        }
        XCTAssertNotEqual(predict(restored), predict(saved))
        try restored.load(checkpointAt: url)
        XCTAssertEqual(predict(restored), predict(saved))
        XCTAssertEqual(restored.inputNormalizer.mean, saved.inputNormalizer.mean)

        let wider = Self.gruModel(members: 2, deterministic: true, hidden: 7, seed: 1)
        XCTAssertThrowsError(try wider.load(checkpointAt: url)) { error in
            XCTAssertTrue("\(error)".hasSuffix("tensor 'members.0.backbone.bias_hh_l0' has shape [18], expected [21]"), "\(error)")
        }
    }

    // MARK: - Factory

    func testFactoryBuildsTheNamedBackbone() throws {
        var settings = WorldModelSettings()
        settings.backbone = .gru
        settings.gru.hiddenSize = 8
        settings.sequence.members = 2
        let gru = try makeWorldModel(settings: settings, observationSize: 2, actionSize: 1, seed: 0)
        XCTAssertTrue(gru is SequenceWorldModel<GRUBackbone>)
        // Per member: GRU 3·8·(3 + 8) + 6·8, heads [8 features + 3 inputs]→64 (default hidden) → 6,
        // log-variance bounds 2·2.
        XCTAssertEqual(gru.parameterCount, 2 * ((3 * 8 * 11 + 48) + (11 * 64 + 64) + (64 * 6 + 6) + 4))
        settings.sequence.headInputSkip = false
        let noSkip = try makeWorldModel(settings: settings, observationSize: 2, actionSize: 1, seed: 0)
        XCTAssertEqual(noSkip.parameterCount, 2 * ((3 * 8 * 11 + 48) + (8 * 64 + 64) + (64 * 6 + 6) + 4))
        settings.gru.stochasticSize = 4
        XCTAssertTrue(try makeWorldModel(settings: settings, observationSize: 2, actionSize: 1, seed: 0) is SequenceWorldModel<RSSMBackbone>)
        settings.gru.layers = 2
        XCTAssertThrowsError(try makeWorldModel(settings: settings, observationSize: 2, actionSize: 1, seed: 0)) { error in
            XCTAssertEqual("\(error)", "gru.stochastic_size > 0 (RSSM-lite) needs gru.layers = 1, got 2")
        }
        settings.backbone = .mlp
        settings.ensemble.hiddenSize = 8
        XCTAssertTrue(try makeWorldModel(settings: settings, observationSize: 2, actionSize: 1, seed: 0) is EnsembleWorldModel)
        settings.backbone = .mamba
        settings.mamba.dModel = 8
        XCTAssertTrue(try makeWorldModel(settings: settings, observationSize: 2, actionSize: 1, seed: 0) is SequenceWorldModel<MambaBackbone>)
        settings.mamba.dState = 0
        XCTAssertThrowsError(try makeWorldModel(settings: settings, observationSize: 2, actionSize: 1, seed: 0)) { error in
            XCTAssertEqual("\(error)", "mamba.d_model, d_state, expand, d_conv, layers and dt_rank (when given) must be >= 1")
        }
    }

    /// `model.backbone: gru` is the fused `GRUBackbone` with every setting of the group applied,
    /// and the bench's single-backbone path builds the same backbone.
    func testFactoryGRUCarriesLayersUpdateGateBiasAndThreads() throws {
        var settings = WorldModelSettings()
        settings.backbone = .gru
        settings.gru.hiddenSize = 5
        settings.gru.layers = 2
        settings.gru.updateGateBias = 6
        settings.sequenceThreads = 2
        let model = try XCTUnwrap(try makeWorldModel(settings: settings, observationSize: 2, actionSize: 1, seed: 3)
                                  as? SequenceWorldModel<GRUBackbone>)
        let gru = model.members[0].backbone
        XCTAssertEqual([gru.layerCount, gru.hiddenSize, gru.threads], [2, 5, 2])
        for l in 0..<2 {
            let updateGate = gru.biasIH[l].value.scalars[5..<10]
            XCTAssertTrue(updateGate.allSatisfy { (6 - 1 / Float(5).squareRoot())...(6 + 1 / Float(5).squareRoot()) ~= $0 }, "\(updateGate)")
        }
        var g = SeededGenerator(seed: 3)
        let single = try XCTUnwrap(try makeSequenceBackbone(settings: settings, inputSize: 3, observationSize: 2, generator: &g)
                                   as? GRUBackbone)
        XCTAssertEqual(single.namedParameters().map(\.0), gru.namedParameters().map(\.0))
        XCTAssertEqual(single.threads, 2)
    }
}
