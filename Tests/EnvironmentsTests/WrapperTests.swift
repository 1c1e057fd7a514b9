import SeededRandom
import XCTest
@testable import Environments

final class WrapperTests: XCTestCase {
    func testTimeLimitTruncatesAndKeepsTerminatedDistinct() throws {
        var env = TimeLimit(Pendulum(), maxEpisodeSteps: 3)
        _ = try env.reset(seed: 1)
        for t in 1...3 {
            let r = try env.step(.continuous([0]))
            XCTAssertFalse(r.terminated)
            XCTAssertEqual(r.truncated, t == 3)
        }
        XCTAssertThrowsError(try env.step(.continuous([0]))) { XCTAssertEqual($0 as? EnvironmentError, .needsReset(environment: "TimeLimit<Pendulum>")) }
        _ = try env.reset()
        XCTAssertEqual(env.elapsedSteps, 0)
        // A terminal step is terminated, not truncated (CartPole falls before 500 steps).
        var cart = TimeLimit(CartPole(), maxEpisodeSteps: 500)
        _ = try cart.reset(seed: 0)
        var last: StepResult
        repeat { last = try cart.step(.discrete(1)) } while !last.done
        XCTAssertTrue(last.terminated)
        XCTAssertFalse(last.truncated)
    }

    func testActionRepeatSumsRewardsAndStopsAtEpisodeEnd() throws {
        var single = TimeLimit(Pendulum(), maxEpisodeSteps: 10)
        var repeated = ActionRepeat(TimeLimit(Pendulum(), maxEpisodeSteps: 10), repeats: 4)
        _ = try single.reset(seed: 5)
        _ = try repeated.reset(seed: 5)
        var sum = 0.0
        var lastSingle: StepResult?
        for _ in 0..<4 { lastSingle = try single.step(.continuous([0.5])); sum += lastSingle!.reward }
        let r = try repeated.step(.continuous([0.5]))
        XCTAssertEqual(r.reward, sum, accuracy: 1e-12)
        XCTAssertEqual(r.observation, lastSingle!.observation)
        _ = try repeated.step(.continuous([0.5]))
        let end = try repeated.step(.continuous([0.5]))  // steps 9, 10 then truncation stops the repeat
        XCTAssertTrue(end.truncated)
    }

    func testRescaleActionMapsAffinely() throws {
        var rescaled = try RescaleAction(Pendulum(), minAction: 0, maxAction: 1)
        var plain = Pendulum()
        XCTAssertEqual(rescaled.actionSpace, .box(Box(low: 0, high: 1, shape: [1])))
        _ = try rescaled.reset(seed: 2)
        _ = try plain.reset(seed: 2)
        // 0.75 in [0, 1] is 1.0 in [-2, 2].
        XCTAssertEqual(try rescaled.step(.continuous([0.75])).observation, try plain.step(.continuous([1.0])).observation)
        XCTAssertThrowsError(try rescaled.step(.continuous([1.5])))
        XCTAssertThrowsError(try RescaleAction(CartPole())) { XCTAssertTrue("\($0)".contains("bounded Box")) }
    }

    func testClipActionClipsButRejectsNaNAndWrongLength() throws {
        var clipped = try ClipAction(Pendulum())
        var plain = Pendulum()
        _ = try clipped.reset(seed: 4)
        _ = try plain.reset(seed: 4)
        XCTAssertEqual(try clipped.step(.continuous([10])).observation, try plain.step(.continuous([2])).observation)
        XCTAssertThrowsError(try clipped.step(.continuous([.nan])))
        XCTAssertThrowsError(try clipped.step(.continuous([1, 1])))
    }

    func testNormalizeObservationMatchesWelfordStatistics() throws {
        var env = try NormalizeObservation(TimeLimit(MountainCar(), maxEpisodeSteps: 1000))
        var raw = TimeLimit(MountainCar(), maxEpisodeSteps: 1000)
        var seen: [[Float]] = [try raw.reset(seed: 3).observation]
        _ = try env.reset(seed: 3)
        var last: [Float] = []
        for t in 0..<200 {
            let a = Action.discrete(t % 3)
            seen.append(try raw.step(a).observation)
            last = try env.step(a).observation
        }
        // Direct mean/variance with Gymnasium's prior (count 1e-4, mean 0, var 1).
        let n = Double(seen.count), prior = 1e-4
        for i in 0..<2 {
            let xs = seen.map { Double($0[i]) }
            let sampleMean = xs.reduce(0, +) / n
            let sampleVar = xs.map { ($0 - sampleMean) * ($0 - sampleMean) }.reduce(0, +) / n
            let total = prior + n
            let mean = sampleMean * n / total
            let variance = (prior * 1 + n * sampleVar + sampleMean * sampleMean * prior * n / total) / total
            XCTAssertEqual(env.statistics.mean[i], mean, accuracy: 1e-9 * max(1, abs(mean)))
            XCTAssertEqual(env.statistics.variance[i], variance, accuracy: 1e-9 * max(1, variance))
            let expected = (Double(seen.last![i]) - mean) / (variance + 1e-8).squareRoot()
            XCTAssertEqual(Double(last[i]), expected, accuracy: 1e-4 * max(1, abs(expected)))
        }
    }

    func testRecordEpisodeStatistics() throws {
        var env = RecordEpisodeStatistics(TimeLimit(CartPole(), maxEpisodeSteps: 500))
        _ = try env.reset(seed: 0)
        var steps = 0
        var result: StepResult
        repeat { result = try env.step(.discrete(0)); steps += 1 } while !result.done
        XCTAssertEqual(result.info[RecordEpisodeStatistics<TimeLimit<CartPole>>.lengthKey], .int(steps))
        XCTAssertEqual(result.info["episode_return"], .double(Double(steps)))
        XCTAssertEqual(env.completedLengths, [steps])
    }

    func testVectorEnvironmentSameStepAutoreset() throws {
        var vec = try VectorEnvironment(count: 3) { _ in TimeLimit(CartPole(), maxEpisodeSteps: 5) }
        let first = try vec.reset(seed: 10)
        XCTAssertEqual(first.observations.count, 12)
        // Copy i is seeded with 10 + i.
        var single = CartPole()
        XCTAssertEqual(Array(first.observations[4..<8]), try single.reset(seed: 11).observation)
        var result: VectorEnvironment<TimeLimit<CartPole>>.StepResults
        for _ in 0..<4 {
            result = try vec.step([.discrete(0), .discrete(1), .discrete(0)])
            XCTAssertEqual(result.finalObservations.compactMap { $0 }.count, 0)
        }
        result = try vec.step([.discrete(0), .discrete(1), .discrete(0)])
        XCTAssertEqual(result.truncated, [true, true, true])
        // Same-step: the returned rows are the new episodes' first observations,
        // the old episodes' last observations are in finalObservations.
        for i in 0..<3 {
            let row = Array(result.observations[(4 * i)..<(4 * i + 4)])
            XCTAssertTrue(row.allSatisfy { abs($0) <= 0.05 }, "reset observation \(row)")
            let final = try XCTUnwrap(result.finalObservations[i])
            XCTAssertNotEqual(final, row)
            XCTAssertNotNil(result.finalInfos[i])
        }
        // The copies keep stepping without an explicit reset.
        XCTAssertNoThrow(try vec.step([.discrete(0), .discrete(0), .discrete(0)]))
        XCTAssertThrowsError(try vec.step([.discrete(0)])) { XCTAssertTrue("\($0)".contains("1 actions for 3")) }
        // Works with environments made by id.
        var erased = try VectorEnvironment(count: 2) { _ in AnyEnvironment(try EnvironmentRegistry.builtin.make("Pendulum-v1")) }
        _ = try erased.reset(seed: 0)
        XCTAssertEqual(try erased.step([.continuous([0]), .continuous([1])]).observations.count, 6)
    }

    func testSnapshotRestoreThroughWrappersAndSettableState() throws {
        var env = try EnvironmentRegistry.builtin.make("Acrobot-v1")
        _ = try env.reset(seed: 1)
        for _ in 0..<7 { _ = try env.step(.discrete(2)) }
        let snapshot = try XCTUnwrap(env.snapshot())
        let a = try (0..<20).map { _ in try env.step(.discrete(0)).observation }
        try env.restore(snapshot)
        let b = try (0..<20).map { _ in try env.step(.discrete(0)).observation }
        XCTAssertEqual(a, b)
        // A snapshot of another type is an error naming both types.
        var other = try EnvironmentRegistry.builtin.make("CartPole-v1")
        XCTAssertThrowsError(try other.restore(snapshot)) { XCTAssertTrue("\($0)".contains("expected a snapshot")) }
        // The settable state through TimeLimit.
        var stateful = AnyEnvironment(env)
        try stateful.setSimulatorState([0.1, 0.2, 0.3, 0.4])
        XCTAssertEqual(stateful.simulatorState, [0.1, 0.2, 0.3, 0.4])
        XCTAssertThrowsError(try stateful.setSimulatorState([1, 2])) { XCTAssertTrue("\($0)".contains("needs 4 values, got 2")) }
    }
}
