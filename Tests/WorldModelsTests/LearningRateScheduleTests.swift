import WorldModels
import XCTest

/// `LearningRateSchedule`: linear warm-up, then a cosine from the base rate to `finalScale` of it.
final class LearningRateScheduleTests: XCTestCase {
    func testConstantByDefault() {
        let schedule = LearningRateSchedule(base: 0.01)
        XCTAssertEqual((0..<5).map { schedule.rate(step: $0, of: 5) }, [0.01, 0.01, 0.01, 0.01, 0.01])
    }

    func testWarmupThenCosineToTheFinalScale() {
        let schedule = LearningRateSchedule(base: 1, warmupSteps: 4, finalScale: 0.1)
        XCTAssertEqual(schedule.rate(step: 0, of: 101), 0.25, accuracy: 1e-6)   // (0 + 1) / 4, cosine still 1
        XCTAssertEqual(schedule.rate(step: 1, of: 101), 0.5, accuracy: 1e-3)
        XCTAssertEqual(schedule.rate(step: 50, of: 101), 0.55, accuracy: 1e-6)  // halfway: (1 + 0.1) / 2
        XCTAssertEqual(schedule.rate(step: 100, of: 101), 0.1, accuracy: 1e-6)  // the last step
        let rates = (4..<101).map { schedule.rate(step: $0, of: 101) }
        XCTAssertTrue(zip(rates, rates.dropFirst()).allSatisfy { $0 >= $1 }, "decays monotonically after the warm-up")
    }

    func testOneStepRunsAtTheWarmedRate() {
        XCTAssertEqual(LearningRateSchedule(base: 2, finalScale: 0).rate(step: 0, of: 1), 2)
    }
}
