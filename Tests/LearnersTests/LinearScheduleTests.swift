import Learners
import XCTest

final class LinearScheduleTests: XCTestCase {
    func testMovesLinearlyThenHolds() {
        let schedule = LinearSchedule(start: 1, end: 0.05, duration: 100)
        XCTAssertEqual(schedule.value(at: 0), 1)
        XCTAssertEqual(schedule.value(at: 50), 0.525, accuracy: 1e-12)
        XCTAssertEqual(schedule.value(at: 100), 0.05, accuracy: 1e-12)
        XCTAssertEqual(schedule.value(at: 10_000), 0.05, accuracy: 1e-12)
    }

    func testZeroDurationIsTheEndValue() {
        XCTAssertEqual(LinearSchedule(start: 1, end: 0.1, duration: 0).value(at: 0), 0.1)
    }
}
