import Replay
import SeededRandom
import XCTest
@testable import WorldModels

/// `ModelEnvironment`: histories are observed per row, rows stop at predicted
/// termination, rewards and terminations come from the model or known
/// functions, and ensembles sample a random elite per row while reporting
/// every member's prediction.
final class ModelEnvironmentTests: XCTestCase {
    /// A fake model: o' = o + a; reward = the number of steps the row has
    /// consumed (history, start and imagined steps), so a test can read how much
    /// history each row saw; terminates when o'_0 > 10.
    final class CountingModel: WorldModel {
        struct State { var observations: [Float]; var counts: [Int] }
        let observationSize = 2, actionSize = 1
        private(set) var imagineCalls = 0
        func initialState(batch: Int) -> State { State(observations: [Float](repeating: 0, count: batch * 2), counts: [Int](repeating: 0, count: batch)) }
        func observe(_ state: inout State, action: UnsafeBufferPointer<Float>?, observation: UnsafeBufferPointer<Float>) {
            state.observations = Array(observation)
            for r in state.counts.indices { state.counts[r] += 1 }
        }
        func replicated(_ state: State, candidates: Int, particles: Int) -> State { state }
        func rolloutState(_ state: State, reportingMembers: Bool) -> State { state }
        var ensembleSize: Int { 1 }
        func imagine(_ state: inout State, actions: UnsafeBufferPointer<Float>, into prediction: inout WorldModelPrediction,
                     using generator: inout SeededGenerator) {
            imagineCalls += 1
            let rows = state.counts.count
            prediction.resize(rows: rows, predictsStd: false, predictsReward: true, predictsTermination: true)
            for r in 0..<rows {
                state.counts[r] += 1
                for i in 0..<2 { prediction.nextObservations[r * 2 + i] = state.observations[r * 2 + i] + actions[r] }
                prediction.rewards[r] = Float(state.counts[r])
                prediction.terminated[r] = prediction.nextObservations[r * 2] > 10
            }
            state.observations = prediction.nextObservations
        }
    }

    /// Starts with the given history lengths (history entries encode row and step), start observation (row, 0).
    func starts(historyLengths: [Int], history: Int) -> RolloutStartBatch {
        var batch = RolloutStartBatch(batchSize: historyLengths.count, history: history, observationSize: 2, actionSize: 1)
        for (b, k) in historyLengths.enumerated() {
            batch.historyLengths[b] = k
            batch.observations[b * 2] = Float(b)
            for t in (history - k)..<history { batch.historyObservations[(b * history + t) * 2] = Float(100 + t); batch.historyActions[b * history + t] = 1 }
        }
        return batch
    }

    func testEveryRowObservesItsOwnHistoryAndRowsKeepTheirOrder() {
        let model = CountingModel()
        let environment = ModelEnvironment(model: model, termination: .model)
        let lengths = [3, 0, 1, 3, 2, 0]
        environment.reset(from: starts(historyLengths: lengths, history: 3))
        var step = ModelRolloutStep(), g = SeededGenerator(seed: 0)
        environment.step(actions: [0.5, 0.25, 0, 1, 2, 3], into: &step, using: &g)
        XCTAssertEqual(model.imagineCalls, 4, "one imagine per history length present (0, 1, 2, 3)")
        for (r, k) in lengths.enumerated() {
            XCTAssertEqual(step.rewards[r], Float(k + 2), "row \(r): \(k) history steps + the start + this step")
            XCTAssertEqual(step.observations[r * 2], Float(r), "row \(r)'s start observation")
            XCTAssertEqual(step.nextObservations[r * 2], Float(r) + [0.5, 0.25, 0, 1, 2, 3][r])
        }
        XCTAssertEqual(step.active, [Bool](repeating: true, count: 6))
        XCTAssertEqual(environment.observations, step.nextObservations)
    }

    func testRowsStopAtPredictedTermination() {
        let environment = ModelEnvironment(model: CountingModel(), termination: .model)
        environment.reset(from: starts(historyLengths: [0, 0, 0], history: 0))   // starts 0, 1, 2
        var step = ModelRolloutStep(), g = SeededGenerator(seed: 0)
        var activeByStep: [[Bool]] = [], terminatedByStep: [[Bool]] = []
        for _ in 0..<4 {
            environment.step(actions: [1, 4, 9], into: &step, using: &g)   // row 2 passes 10 at step 0 (2 + 9), row 1 at step 2 (1 + 12)
            activeByStep.append(step.active)
            terminatedByStep.append(step.terminated)
        }
        XCTAssertEqual(activeByStep, [[true, true, true], [true, true, false], [true, true, false], [true, false, false]])
        XCTAssertEqual(terminatedByStep[0], [false, false, true])
        XCTAssertEqual(terminatedByStep[2][1], true)
        XCTAssertEqual(terminatedByStep[1][1], false)
        XCTAssertEqual(environment.alive, [true, false, false])
    }

    func testKnownRewardAndTerminationFunctionsReplaceTheModels() {
        // CartPole's function: reward 1 while |x| <= 2.4, terminated beyond. The model's own reward is ignored.
        final class FourDimensional: WorldModel {
            let observationSize = 4, actionSize = 1
            func initialState(batch: Int) -> [Float] { [Float](repeating: 0, count: batch * 4) }
            func observe(_ state: inout [Float], action: UnsafeBufferPointer<Float>?, observation: UnsafeBufferPointer<Float>) { state = Array(observation) }
            func replicated(_ state: [Float], candidates: Int, particles: Int) -> [Float] { state }
            func rolloutState(_ state: [Float], reportingMembers: Bool) -> [Float] { state }
            var ensembleSize: Int { 1 }
            func imagine(_ state: inout [Float], actions: UnsafeBufferPointer<Float>, into prediction: inout WorldModelPrediction,
                         using generator: inout SeededGenerator) {
                let rows = state.count / 4
                prediction.resize(rows: rows, predictsStd: false, predictsReward: true, predictsTermination: false)
                for r in 0..<rows {
                    for i in 0..<4 { prediction.nextObservations[r * 4 + i] = state[r * 4 + i] + (i == 0 ? actions[r] : 0) }
                    prediction.rewards[r] = -7
                }
                state = prediction.nextObservations
            }
        }
        let environment = ModelEnvironment(model: FourDimensional(), rewardFunction: CartPoleRewardFunction(),
                                           termination: .function(CartPoleRewardFunction()))
        var batch = RolloutStartBatch(batchSize: 2, history: 0, observationSize: 4, actionSize: 1)
        batch.observations = [0, 0, 0, 0, 2, 0, 0, 0]
        environment.reset(from: batch)
        var step = ModelRolloutStep(), g = SeededGenerator(seed: 0)
        environment.step(actions: [1, 1], into: &step, using: &g)
        XCTAssertEqual(step.rewards, [1, 0])
        XCTAssertEqual(step.terminated, [false, true])
        let never = ModelEnvironment(model: FourDimensional(), rewardFunction: CartPoleRewardFunction(), termination: .never)
        never.reset(from: batch)
        never.step(actions: [1, 1], into: &step, using: &g)
        XCTAssertEqual(step.terminated, [false, false])
        XCTAssertEqual(step.rewards, [1, 0], "the reward function still gives 0 past the threshold")
    }

    func testTheEnsembleSamplesARandomEliteAndReportsEveryMember() throws {
        var c = EnsembleWorldModelConfiguration()
        c.members = 3; c.elites = 2; c.hiddenSize = 8; c.hiddenLayers = 1; c.deterministic = true; c.threads = 1
        var g = SeededGenerator(seed: 3)
        let model = try EnsembleWorldModel(observationSize: 2, actionSize: 1, configuration: c, generator: &g)
        model.elites = [2, 0]
        let rows = 64
        var batch = RolloutStartBatch(batchSize: rows, history: 0, observationSize: 2, actionSize: 1)
        for i in 0..<(rows * 2) { batch.observations[i] = g.uniform(-1, 1) }
        let actions = (0..<rows).map { _ in g.uniform(Float(-1), 1) }
        let reporting = ModelEnvironment(model: model, termination: .never, reportingMembers: true)
        reporting.reset(from: batch)
        var step = ModelRolloutStep()
        reporting.step(actions: actions, into: &step, using: &g)
        XCTAssertEqual(step.members, 3)
        XCTAssertEqual(step.memberNextObservationMeans.count, 3 * rows * 2)
        XCTAssertEqual(step.memberRewards.count, 3 * rows)
        var chosen = Set<Int>()
        for r in 0..<rows {
            let matches = (0..<3).filter { m in
                (0..<2).allSatisfy { step.memberNextObservationMeans[(m * rows + r) * 2 + $0] == step.nextObservations[r * 2 + $0] }
                    && step.memberRewards[m * rows + r] == step.rewards[r]
            }
            XCTAssertFalse(matches.isEmpty, "row \(r) took no member's prediction")
            chosen.formUnion(matches)
        }
        XCTAssertEqual(chosen, [0, 2], "rows sample the elites only, and both of them")
        // Without reporting members only the elites run; rows still take one elite's prediction.
        let plain = ModelEnvironment(model: model, termination: .never)
        plain.reset(from: batch)
        var plainStep = ModelRolloutStep()
        plain.step(actions: actions, into: &plainStep, using: &g)
        XCTAssertEqual(plainStep.members, 0)
        for r in 0..<rows {
            let matches = [0, 2].filter { m in
                (0..<2).allSatisfy { abs(step.memberNextObservationMeans[(m * rows + r) * 2 + $0] - plainStep.nextObservations[r * 2 + $0]) < 1e-5 }
            }
            XCTAssertFalse(matches.isEmpty, "row \(r) took no elite's prediction")
        }
    }

    func testASequenceModelObservesHistoryThenSamplesAMemberPerRow() {
        let model = SequenceWorldModelTests.gruModel(members: 2, deterministic: true, seed: 4)
        SequenceWorldModelTests.setNormalizers(model)
        var g = SeededGenerator(seed: 5)
        let buffer = SequenceWorldModelTests.linearEpisodes(20, seed: 6)
        var batch = RolloutStartBatch(observationSize: 2, actionSize: 1)
        try! buffer.sampleRolloutStarts(batchSize: 40, history: 4, into: &batch, using: &g)
        XCTAssertTrue(Set(batch.historyLengths).count > 1, "the test needs several history lengths")
        let environment = ModelEnvironment(model: model, termination: .model, reportingMembers: true)
        environment.reset(from: batch)
        var step = ModelRolloutStep()
        let actions = (0..<40).map { _ in g.uniform(Float(-1), 1) }
        environment.step(actions: actions, into: &step, using: &g)
        var chosen = Set<Int>()
        for r in 0..<40 {
            let matches = (0..<2).filter { m in
                (0..<2).allSatisfy { step.memberNextObservationMeans[(m * 40 + r) * 2 + $0] == step.nextObservations[r * 2 + $0] }
            }
            XCTAssertEqual(matches.count, 1, "row \(r)")
            chosen.formUnion(matches)
        }
        XCTAssertEqual(chosen, [0, 1])
        // The history matters: the same start without its history predicts differently.
        var noHistory = batch
        noHistory.historyLengths = [Int](repeating: 0, count: 40)
        let fresh = ModelEnvironment(model: model, termination: .model, reportingMembers: true)
        fresh.reset(from: noHistory)
        var freshStep = ModelRolloutStep()
        fresh.step(actions: actions, into: &freshStep, using: &g)
        let withHistory = (0..<40).filter { batch.historyLengths[$0] > 0 }
        XCTAssertTrue(withHistory.contains { r in
            abs(freshStep.memberNextObservationMeans[r * 2] - step.memberNextObservationMeans[r * 2]) > 1e-6
        }, "member 0's predictions ignore the history")
    }
}
