import Replay
import SeededRandom
import TestSupport
import XCTest
@testable import WorldModels

/// The uncertainty penalties on hand-built member predictions with closed-form
/// values, MOReL's calibration and halting through a `ModelEnvironment`, the
/// configuration's errors, and a trained ensemble that is more uncertain far
/// from its data than on it.
final class UncertaintyPenaltyTests: XCTestCase {
    /// 3 members, 2 rows, observations of 2; rewards [1, 2].
    ///
    /// | member | row 0 mean | row 0 std  | row 1 mean | row 1 std  |
    /// |--------|------------|------------|------------|------------|
    /// | 0      | (0, 0)     | (3, 4)     | (1, 0)     | (0.6, 0.8) |
    /// | 1      | (3, 4)     | (1, 0)     | (−1, 0)    | (0, 0)     |
    /// | 2      | (0, 4)     | (0, 2)     | (1, 0)     | (1, 1)     |
    static func handBuilt() -> WorldModelPrediction {
        var p = WorldModelPrediction(observationSize: 2)
        p.resize(rows: 2, predictsStd: true, predictsReward: true, predictsTermination: false)
        p.resizeMembers(3, predictsStd: true, predictsReward: true)
        p.memberNextObservationMeans = [0, 0, 1, 0, /**/ 3, 4, -1, 0, /**/ 0, 4, 1, 0]
        p.memberNextObservationStds = [3, 4, 0.6, 0.8, /**/ 1, 0, 0, 0, /**/ 0, 2, 1, 1]
        p.rewards = [1, 2]
        return p
    }

    func u(_ penalty: any UncertaintyPenalty, _ p: WorldModelPrediction = handBuilt()) -> [Float] {
        var out: [Float] = []
        penalty.estimate(p, into: &out)
        return out
    }

    // MARK: - Closed forms

    /// max_i ‖σ_i‖: row 0 max(5, 1, 2) = 5; row 1 max(1, 0, √2) = √2.
    func testMOPOIsTheLargestStdNorm() {
        assertClose(u(MaxAleatoricPenalty()), [5, Float(2).squareRoot()], relativeTolerance: 1e-6, absoluteTolerance: 1e-6)
    }

    /// Row 0: member means' variances (population) 2 and 32/9, sum 50/9 → norm 5√2/3, mean over dims √(25/9) = 5/3.
    /// Row 1: variances 8/9 and 0 → norm 2√2/3, mean over dims 2/3.
    func testEnsembleDisagreementIsTheStdOfTheMeans() {
        let root2 = Float(2).squareRoot()
        assertClose(u(EnsembleDisagreementPenalty()), [5.0 / 3, 2.0 / 3], relativeTolerance: 1e-6, absoluteTolerance: 1e-6)
        assertClose(u(EnsembleDisagreementPenalty(reduction: .norm)), [5 * root2 / 3, 2 * root2 / 3],
                    relativeTolerance: 1e-6, absoluteTolerance: 1e-6)
    }

    /// Row 0: distances 5 (0–1), 4 (0–2), 3 (1–2) → 5; row 1: 2, 0, 2 → 2.
    func testMaxPairwiseDistance() {
        XCTAssertEqual(u(MaxPairwiseDistancePenalty()), [5, 2])
    }

    func testIdenticalMembersHaveNoEpistemicUncertainty() {
        var p = Self.handBuilt()
        p.memberNextObservationMeans = [1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]
        XCTAssertEqual(u(EnsembleDisagreementPenalty(), p), [0, 0])
        XCTAssertEqual(u(MaxPairwiseDistancePenalty(), p), [0, 0])
    }

    /// r − λu with λ = 0.5, and the buffer reused when the row count does not change.
    func testPenalisedRewardIsRMinusLambdaU() throws {
        let p = Self.handBuilt()
        var penalizer = try UncertaintyRewardPenalizer(configuration: UncertaintyPenaltyConfiguration(heuristic: .mopo, lambda: 0.5),
                                                       ensembleSize: 3, probabilistic: true)
        var rewards = p.rewards, terminated = [false, false]
        penalizer.estimate(p)
        let statistics = penalizer.apply(rewards: &rewards, terminated: &terminated, active: nil)
        assertClose(rewards, [1 - 2.5, 2 - 0.5 * Float(2).squareRoot()], relativeTolerance: 1e-6, absoluteTolerance: 1e-6)
        XCTAssertEqual(terminated, [false, false])
        XCTAssertEqual(statistics.rows, 2)
        XCTAssertEqual(statistics.maxUncertainty, 5)
        XCTAssertEqual(statistics.halted, 0)
        // An inactive row is left alone and not counted.
        rewards = p.rewards
        let partial = penalizer.apply(rewards: &rewards, terminated: &terminated, active: [false, true])
        XCTAssertEqual(rewards[0], 1)
        XCTAssertEqual(partial.rows, 1)
    }

    // MARK: - MOReL

    func testMOReLCalibrationKeepsTheLargestDiscrepancy() {
        var calibration = DisagreementCalibration()
        calibration.observe(Self.handBuilt())
        XCTAssertEqual(calibration.maximum, 5)
        XCTAssertEqual(calibration.rows, 2)
        var smaller = Self.handBuilt()
        smaller.memberNextObservationMeans = smaller.memberNextObservationMeans.map { $0 / 10 }
        calibration.observe(smaller)
        XCTAssertEqual(calibration.maximum, 5, "a batch of smaller discrepancies does not lower the maximum")
        XCTAssertEqual(calibration.rows, 4)
        let halting = MOReLHalting(calibration: calibration, coefficient: 0.5, haltPenalty: 100)
        XCTAssertEqual(halting.threshold, 2.5)
        XCTAssertTrue(halting.isUnknown(2.6))
        XCTAssertFalse(halting.isUnknown(2.5))
    }

    /// A 3-member fake whose members' means spread with |o₀|: member k predicts
    /// `o + (a, 0) + ((k − 1)·o₀/2, 0)`, so disc(s, a) = |o₀|; rows move with member 1 (the centre).
    final class SpreadingEnsemble: WorldModel {
        struct State { var observations: [Float]; var reporting = false }
        let observationSize = 2, actionSize = 1
        var ensembleSize: Int { 3 }
        func initialState(batch: Int) -> State { State(observations: [Float](repeating: 0, count: batch * 2)) }
        func observe(_ state: inout State, action: UnsafeBufferPointer<Float>?, observation: UnsafeBufferPointer<Float>) {
            state.observations = Array(observation)
        }
        func replicated(_ state: State, candidates: Int, particles: Int) -> State { state }
        func rolloutState(_ state: State, reportingMembers: Bool) -> State { State(observations: state.observations, reporting: reportingMembers) }
        func imagine(_ state: inout State, actions: UnsafeBufferPointer<Float>, into prediction: inout WorldModelPrediction,
                     using generator: inout SeededGenerator) {
            let rows = state.observations.count / 2
            prediction.resize(rows: rows, predictsStd: false, predictsReward: true, predictsTermination: false)
            if state.reporting { prediction.resizeMembers(3, predictsStd: false, predictsReward: true) }
            for r in 0..<rows {
                let o0 = state.observations[r * 2], o1 = state.observations[r * 2 + 1]
                prediction.nextObservations[r * 2] = o0 + actions[r]
                prediction.nextObservations[r * 2 + 1] = o1
                prediction.rewards[r] = 1
                guard state.reporting else { continue }
                for k in 0..<3 {
                    prediction.memberNextObservationMeans[(k * rows + r) * 2] = o0 + actions[r] + Float(k - 1) * o0 / 2
                    prediction.memberNextObservationMeans[(k * rows + r) * 2 + 1] = o1
                    prediction.memberRewards[k * rows + r] = 1
                }
            }
            state.observations = prediction.nextObservations
        }
    }

    /// Calibration on the dataset {o₀ = −2, 0.5, 2} gives max disc 2; coefficient 1.5 → threshold 3.
    /// Rows starting at o₀ = 1 (known) and 4 (unknown): the second gets −κ, terminates, and stays
    /// inactive on the next step; the first keeps the model's reward (MOReL has no λ).
    func testMOReLHaltsUnknownRowsWithMinusKappa() throws {
        let model = SpreadingEnsemble()
        var g = SeededGenerator(seed: 0)
        var calibration = DisagreementCalibration()
        calibration.observe(model: model, observations: [-2, 0, 0.5, 0, 2, 0], actions: [0, 0, 0], chunkRows: 2, using: &g)
        XCTAssertEqual(calibration.maximum, 2)
        XCTAssertEqual(calibration.rows, 3)
        var configuration = UncertaintyPenaltyConfiguration(heuristic: .morel)
        configuration.morelThresholdCoefficient = 1.5
        configuration.morelHaltPenalty = 50
        var penalizer = try UncertaintyRewardPenalizer(configuration: configuration, ensembleSize: 3, probabilistic: false,
                                                       calibration: calibration)
        XCTAssertEqual(penalizer.halting, MOReLHalting(threshold: 3, haltPenalty: 50))

        let environment = ModelEnvironment(model: model, termination: .never, reportingMembers: true)
        var starts = RolloutStartBatch(batchSize: 2, history: 0, observationSize: 2, actionSize: 1)
        starts.observations = [1, 0, 4, 0]
        environment.reset(from: starts)
        var step = ModelRolloutStep()
        environment.step(actions: [0, 0], into: &step, using: &g)
        let statistics = penalizer.penalize(&step)
        XCTAssertEqual(penalizer.uncertainties, [1, 4])
        XCTAssertEqual(step.rewards, [1, -50])
        XCTAssertEqual(step.terminated, [false, true])
        XCTAssertEqual(statistics.halted, 1)
        environment.endRows(terminatedIn: step)
        XCTAssertEqual(environment.alive, [true, false])
        environment.step(actions: [0, 0], into: &step, using: &g)
        XCTAssertEqual(step.active, [true, false], "the halted row stays stopped")
    }

    // MARK: - Configuration errors

    func testConfigurationErrorsNameTheHeuristicAndTheProblem() {
        for heuristic in [UncertaintyHeuristic.ensembleDisagreement, .maxPairwiseDistance, .morel] {
            XCTAssertThrowsError(try UncertaintyPenaltyConfiguration(heuristic: heuristic).validate(ensembleSize: 1, probabilistic: true)) {
                let error = $0 as? UncertaintyPenaltyError
                XCTAssertEqual(error?.field, "ensembleSize")
                XCTAssertTrue("\($0)".contains("'\(heuristic.rawValue)'") && "\($0)".contains("has 1 member"), "\($0)")
            }
        }
        XCTAssertNoThrow(try UncertaintyPenaltyConfiguration(heuristic: .mopo).validate(ensembleSize: 1, probabilistic: true),
                         "MOPO's aleatoric std is defined for one model")
        XCTAssertThrowsError(try UncertaintyPenaltyConfiguration(heuristic: .mopo).validate(ensembleSize: 5, probabilistic: false)) {
            XCTAssertEqual(($0 as? UncertaintyPenaltyError)?.field, "probabilistic")
        }
        XCTAssertThrowsError(try UncertaintyPenaltyConfiguration(heuristic: .maxPairwiseDistance, lambda: -1).validate()) {
            XCTAssertEqual(($0 as? UncertaintyPenaltyError)?.field, "lambda")
            XCTAssertTrue("\($0)".contains("λ") && "\($0)".contains("-1"), "\($0)")
        }
        XCTAssertThrowsError(try UncertaintyPenaltyConfiguration(heuristic: .mopo, lambda: .nan).validate())
        var morel = UncertaintyPenaltyConfiguration(heuristic: .morel)
        morel.morelThresholdCoefficient = 0
        XCTAssertThrowsError(try morel.validate()) { XCTAssertEqual(($0 as? UncertaintyPenaltyError)?.field, "morelThresholdCoefficient") }
        morel.morelThresholdCoefficient = 1
        morel.morelHaltPenalty = -1
        XCTAssertThrowsError(try morel.validate()) { XCTAssertEqual(($0 as? UncertaintyPenaltyError)?.field, "morelHaltPenalty") }
        XCTAssertThrowsError(try UncertaintyRewardPenalizer(configuration: UncertaintyPenaltyConfiguration(heuristic: .morel),
                                                            ensembleSize: 5, probabilistic: true)) {
            XCTAssertEqual(($0 as? UncertaintyPenaltyError)?.field, "calibration")
        }
        XCTAssertEqual(Set(UncertaintyHeuristic.allCases.map(\.rawValue)),
                       ["mopo", "ensemble_disagreement", "max_pairwise_distance", "morel"])
    }
}
