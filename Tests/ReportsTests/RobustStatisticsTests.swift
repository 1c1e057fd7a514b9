import SeededRandom
import XCTest
@testable import Reports

final class RobustStatisticsTests: XCTestCase {
    func testInterquartileMeanFollowsScipyTrimMean() {
        // scipy.stats.trim_mean(x, 0.25) (rliable's aggregate_iqm) cuts ⌊n/4⌋ values from each end.
        XCTAssertEqual(Aggregate.iqm([1, 2, 3, 4, 5, 6, 7, 8]), 4.5)                      // n=8: mean of 3...6
        XCTAssertEqual(Aggregate.iqm([1, 2, 4, 8, 16, 32, 64, 128, 256, 512]), 42)         // n=10: (4+8+...+128)/6
        XCTAssertEqual(Aggregate.iqm([8, 0, 5, 1, 3, 1, 2]), 2.4, accuracy: 1e-12)          // n=7: (1+1+2+3+5)/5
        XCTAssertEqual(Aggregate.iqm([3, 1, 2]), 2)                                          // n<4: nothing cut
        XCTAssertEqual(Aggregate.median([1, 2, 4, 8, 16, 32, 64, 128, 256, 512]), 24)
        XCTAssertEqual(Aggregate.mean([1, 2, 3, 10]), 4)
        XCTAssertTrue(Aggregate.iqm([]).isNaN)
    }

    func testPercentileInterpolatesLikeNumPy() {
        // numpy.percentile([1, 2, 3, 4], [2.5, 50, 97.5]) = [1.075, 2.5, 3.925]
        XCTAssertEqual(ConfidenceInterval.percentile([4, 1, 3, 2], 2.5), 1.075, accuracy: 1e-12)
        XCTAssertEqual(ConfidenceInterval.percentile([4, 1, 3, 2], 50), 2.5, accuracy: 1e-12)
        XCTAssertEqual(ConfidenceInterval.percentile([4, 1, 3, 2], 97.5), 3.925, accuracy: 1e-12)
    }

    func testProbabilityOfImprovementIsTheMannWhitneyFraction() {
        // pairs: 3>1, 3>2, 3=3 (½), 2>1, 2=2 (½), 2<3, 1=1 (½), 1<2, 1<3 → (4 + 1.5) / 9
        XCTAssertEqual(ProbabilityOfImprovement.estimate([1, 2, 3], [1, 2, 3]), 0.5)
        XCTAssertEqual(ProbabilityOfImprovement.estimate([3, 2, 1], [1, 2, 3]), 4.5 / 9)
        XCTAssertEqual(ProbabilityOfImprovement.estimate([10, 20], [1, 15, 30]), 3.0 / 6)
        XCTAssertEqual(ProbabilityOfImprovement.estimate([5, 6], [1, 2, 5]), 5.5 / 6)
        XCTAssertEqual(ProbabilityOfImprovement.estimate([9, 9], [1, 2]), 1)
        let interval = ProbabilityOfImprovement(bootstrap: StratifiedBootstrap(resamples: 500, seed: 1)).interval([5, 6, 7], [1, 2, 5])
        XCTAssertEqual(interval.estimate, 8.5 / 9)
        XCTAssertTrue(interval.lower <= interval.estimate && interval.estimate <= interval.upper, "\(interval)")
        XCTAssertLessThanOrEqual(interval.upper, 1)
    }

    func testBootstrapIsDeterministicGivenTheSeed() {
        let scores = [3.0, 9, 1, 4, 7, 2, 8]
        let a = StratifiedBootstrap(resamples: 300, seed: 7).interval(tasks: [scores], .iqm)
        let b = StratifiedBootstrap(resamples: 300, seed: 7).interval(tasks: [scores], .iqm)
        let c = StratifiedBootstrap(resamples: 300, seed: 8).interval(tasks: [scores], .iqm)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        XCTAssertEqual(a.estimate, Aggregate.iqm(scores))
        let band1 = CurveBand(x: [0, 1], curves: [[1, 2], [3, 5], [2, 2]], bootstrap: StratifiedBootstrap(resamples: 200, seed: 3))
        let band2 = CurveBand(x: [0, 1], curves: [[1, 2], [3, 5], [2, 2]], bootstrap: StratifiedBootstrap(resamples: 200, seed: 3))
        XCTAssertEqual(band1, band2)
        XCTAssertEqual(band1.mean, [2, 3])
        XCTAssertTrue(zip(band1.lower, band1.upper).allSatisfy { $0 <= $1 })
    }

    func testStratifiedBootstrapKeepsEachTasksRunCount() {
        // Task A's runs are all 0 and task B's all 100: every stratified resample keeps two of each, so the mean is
        // always 50 (a pooled bootstrap would spread it).
        let interval = StratifiedBootstrap(resamples: 200, seed: 0).interval(tasks: [[0, 0], [100, 100]], .mean)
        XCTAssertEqual(interval, ConfidenceInterval(estimate: 50, lower: 50, upper: 50))
    }

    func testBootstrapIntervalCoversTheTrueMeanAboutNinetyFivePercent() {
        // 400 samples of n = 30 from N(10, 2²); the percentile interval of the mean should cover 10 about 95% of
        // the time (the percentile bootstrap runs slightly narrow at n = 30, ≈ 93–94%).
        var generator = SeededGenerator(seed: 2021)
        var covered = 0
        let draws = 400
        for draw in 0..<draws {
            let sample = (0..<30).map { _ in 10 + 2 * generator.normal() }
            let interval = StratifiedBootstrap(resamples: 1000, seed: UInt64(draw)).interval(tasks: [sample], .mean)
            if interval.contains(10) { covered += 1 }
        }
        let coverage = Double(covered) / Double(draws)
        XCTAssertGreaterThanOrEqual(coverage, 0.91, "coverage \(coverage)")
        XCTAssertLessThanOrEqual(coverage, 0.98, "coverage \(coverage)")
    }
}
