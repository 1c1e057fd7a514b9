import Environments
import Foundation
import Learners
import XCTest

/// Dyna-Q on Sutton & Barto's Dyna maze (Example 8.1, Figure 8.2).
final class DynaMazeTests: XCTestCase {
    /// Over 10 seeded repetitions, n = 50 planning steps bring the mean episode
    /// to ≤ 20 steps by episode 5 (the optimal path is 14), while Q-learning
    /// (n = 0) is still far from it (the book: about 25 episodes).
    func testPlanningFindsShortPathsWithinFiveEpisodes() throws {
        let experiment = DynaMazeExperiment(repetitions: 10, episodes: 5, seed: 1)
        let dyna = DynaMazeExperiment.meanSteps(try experiment.run(planningSteps: 50))
        let plain = DynaMazeExperiment.meanSteps(try experiment.run(planningSteps: 0))
        XCTAssertLessThanOrEqual(dyna[4], 20, "n = 50, mean steps per episode: \(dyna)")
        XCTAssertGreaterThan(plain[4], 20, "n = 0, mean steps per episode: \(plain)")
        XCTAssertGreaterThan(plain[4], 2 * dyna[4], "n = 0: \(plain), n = 50: \(dyna)")
    }

    /// ε-greedy around the optimal policy averages a bit more than the 14-step path.
    func testEpsilonGreedyOptimalLength() throws {
        XCTAssertEqual(try DynaMazeExperiment.epsilonGreedyOptimalLength(epsilon: 0), 14, accuracy: 1e-9)
        let length = try DynaMazeExperiment.epsilonGreedyOptimalLength(epsilon: 0.1)
        XCTAssertGreaterThan(length, 14)
        XCTAssertLessThan(length, 17)
    }

    /// Figure 8.2 in full: 30 repetitions × 50 episodes, n ∈ {0, 5, 50}, α 0.1,
    /// γ 0.95, ε 0.1 (about 3 s in a debug build). Prints the mean steps per
    /// episode and the first episode of *ε-optimal reach*: the 30-repetition mean
    /// ≤ 20 steps, within 25 % of L_ε ≈ 15.9, the expected episode length of
    /// ε-greedy on the true Q* (the optimal path is 14); also the stricter 10 %
    /// (≤ 17.5). The book reads ε-optimal paths after about 25, 5 and 3 episodes
    /// off its figure; the test holds each first episode within 1.5× of those.
    /// (Seeds 0–5 all pass; the learning curves level off at 16.3–17.0 steps for
    /// n = 5 and 50 and at 17.4–18.1 for n = 0, whose off-path values lag.)
    func testFigure8_2() throws {
        let experiment = DynaMazeExperiment()
        let reference = try DynaMazeExperiment.epsilonGreedyOptimalLength(epsilon: experiment.configuration.epsilon)
        let reach = 20.0, strict = 17.5
        XCTAssertEqual(reach, 1.25 * reference, accuracy: 0.25)
        XCTAssertEqual(strict, 1.1 * reference, accuracy: 0.1)
        func first(_ mean: [Double], atMost threshold: Double) -> Int? { mean.firstIndex { $0 <= threshold }.map { $0 + 1 } }
        let shown = Array(1...10) + [15, 20, 25, 30, 40, 50]
        var table = ["L_ε (ε-greedy on Q*) = \(String(format: "%.2f", reference)) steps",
                     "n  | " + shown.map { "ep \($0)" }.joined(separator: " | ") + " | first ≤ \(reach) | first ≤ \(strict)"]
        var firsts: [Int: Int] = [:]
        for n in [0, 5, 50] {
            let mean = DynaMazeExperiment.meanSteps(try experiment.run(planningSteps: n))
            firsts[n] = first(mean, atMost: reach)
            table.append("\(n) | " + shown.map { String(format: "%.1f", mean[$0 - 1]) }.joined(separator: " | ")
                         + " | \(first(mean, atMost: reach).map(String.init) ?? "never") | \(first(mean, atMost: strict).map(String.init) ?? "never")")
        }
        print(table.joined(separator: "\n"))
        for (n, book) in [(0, 25.0), (5, 5.0), (50, 3.0)] {
            let measured = Double(firsts[n] ?? 1000)
            XCTAssertTrue(measured <= 1.5 * book && measured >= book / 1.5,
                          "n = \(n): ε-optimal reach at episode \(measured), the book about \(book)\n\(table.joined(separator: "\n"))")
        }
    }
}
