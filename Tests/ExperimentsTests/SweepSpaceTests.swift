import XCTest
@testable import Experiments

/// `sweep:` (grid and random points): how they multiply the runs, their reproducibility, and their errors.
final class SweepSpaceTests: XCTestCase {
    static let grid = """
        name: g
        seeds: [0, 1]
        sweep:
          grid: {planner.horizon: [10, 15, 20], model.learning_rate: [1.0e-3, 3.0e-3]}

        """

    static let random = """
        name: r
        sweep:
          random:
            samples: 5
            seed: 7
            keys:
              model.learning_rate: {log_uniform: [1.0e-4, 1.0e-2]}
              planner.horizon: {int: [5, 20]}
              planner.kind: {choice: [cem, mppi]}
              planner.alpha: {uniform: [0.1, 0.2]}

        """

    private func message(_ yaml: String, overrides: [String] = [], file: StaticString = #filePath, line: UInt = #line) -> String? {
        capturedConfigError(file: file, line: line) {
            _ = try ExperimentSweep.decode(yaml: yaml, file: "s.yaml", overrides: overrides)
        }?.description
    }

    func testGridIsTheCartesianProductTimesSeeds() throws {
        let sweep = try ExperimentSweep.decode(yaml: Self.grid, file: "s.yaml")
        XCTAssertTrue(sweep.isSweep)
        XCTAssertEqual(sweep.points.count, 6)
        XCTAssertEqual(sweep.runs.count, 12)
        XCTAssertEqual(sweep.points.map(\.assignments), [
            ["planner.horizon=10", "model.learning_rate=1.0e-3"], ["planner.horizon=10", "model.learning_rate=3.0e-3"],
            ["planner.horizon=15", "model.learning_rate=1.0e-3"], ["planner.horizon=15", "model.learning_rate=3.0e-3"],
            ["planner.horizon=20", "model.learning_rate=1.0e-3"], ["planner.horizon=20", "model.learning_rate=3.0e-3"],
        ])
        XCTAssertEqual(sweep.runs.map(\.config.planner.horizon), [10, 10, 10, 10, 15, 15, 15, 15, 20, 20, 20, 20])
        XCTAssertEqual(sweep.runs.map(\.config.model.learningRate), [1e-3, 1e-3, 3e-3, 3e-3, 1e-3, 1e-3, 3e-3, 3e-3, 1e-3, 1e-3, 3e-3, 3e-3])
        XCTAssertEqual(sweep.runs.map(\.config.seed), [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1])
        XCTAssertEqual(sweep.runs.prefix(3).map(\.id), ["p0_s0", "p0_s1", "p1_s0"])
        XCTAssertEqual(Set(sweep.runs.map(\.id)).count, 12, "ids are distinct")
        XCTAssertEqual(sweep.runs[2].config.name, "g-p1")
    }

    func testVariantsTimesPointsAndCommandLineOverridesWin() throws {
        let yaml = Self.grid + "variants:\n  a: {planner.population: 11}\n  b: {planner.population: 12}\n"
        let sweep = try ExperimentSweep.decode(yaml: yaml, file: "s.yaml", overrides: ["model.learning_rate=5.0e-3"])
        XCTAssertEqual(sweep.runs.count, 24)
        XCTAssertEqual(sweep.runs[0].id, "a_p0_s0")
        XCTAssertEqual(sweep.runs[23].id, "b_p5_s1")
        XCTAssertEqual(sweep.runs[23].config.planner.population, 12)
        XCTAssertTrue(sweep.runs.allSatisfy { $0.config.model.learningRate == 5e-3 }, "the command line has the last word")
    }

    func testRandomSamplesAreReproducibleFromTheSeedAndWithinRange() throws {
        let first = try ExperimentSweep.decode(yaml: Self.random, file: "s.yaml")
        let second = try ExperimentSweep.decode(yaml: Self.random, file: "s.yaml")
        XCTAssertEqual(first.runs.count, 5)
        XCTAssertEqual(first.points, second.points, "the same seed gives the same points")
        let other = try ExperimentSweep.decode(yaml: Self.random.replacingOccurrences(of: "seed: 7", with: "seed: 8"), file: "s.yaml")
        XCTAssertNotEqual(first.points, other.points, "another seed gives other points")
        for run in first.runs {
            XCTAssertTrue((1e-4...1e-2).contains(run.config.model.learningRate), "\(run.config.model.learningRate)")
            XCTAssertTrue((5...20).contains(run.config.planner.horizon), "\(run.config.planner.horizon)")
            XCTAssertTrue((0.1...0.2).contains(run.config.planner.alpha), "\(run.config.planner.alpha)")
        }
        XCTAssertEqual(first.points[0].assignments.map { String($0.prefix { $0 != "=" }) },
                       ["model.learning_rate", "planner.horizon", "planner.kind", "planner.alpha"])
        // Grid and random together: their product.
        let both = try ExperimentSweep.decode(yaml: Self.random + "  grid: {planner.population: [8, 9]}\n", file: "s.yaml")
        XCTAssertEqual(both.points.count, 10)
        XCTAssertEqual(Array(both.points[0].assignments.dropFirst()), first.points[0].assignments)
    }

    func testErrorsNameTheFileTheLineAndTheKey() {
        let unknown = message("name: e\nsweep:\n  grid: {planner.horizn: [1, 2]}\n") ?? ""
        XCTAssertTrue(unknown.hasPrefix("s.yaml:3:10: planner.horizn: unknown key 'horizn'; did you mean 'horizon'?"), unknown)
        XCTAssertEqual(message("name: e\nsweep:\n  grid: {planner.horizon: []}\n"),
                       "s.yaml:3:27: sweep.grid.planner.horizon: expected at least one value, found an empty list")
        let wrongType = message("name: e\nsweep:\n  grid: {planner.horizon: [5, many]}\n") ?? ""
        XCTAssertTrue(wrongType.hasPrefix("s.yaml:3:31: planner.horizon: expected an integer"), wrongType)
        XCTAssertEqual(message("name: e\nsweep:\n  random: {samples: 2, keys: {model.learning_rate: {uniform: [0.3, 0.1]}}}\n"),
                       "s.yaml:3:62: sweep.random.keys.model.learning_rate.uniform: expected lo <= hi, found [0.3, 0.1]")
        XCTAssertEqual(message("name: e\nsweep:\n  random: {samples: 2, keys: {planner.horizon: {unifrom: [1, 3]}}}\n"),
                       "s.yaml:3:49: sweep.random.keys.planner.horizon.unifrom: unknown key 'unifrom'; did you mean 'uniform'? (valid keys: choice, int, log_uniform, uniform)")
        XCTAssertEqual(message("name: e\nsweep:\n  workers: 0\n  grid: {planner.horizon: [1]}\n"),
                       "s.yaml:3:12: sweep.workers: expected an integer of at least 1, found 0")
        XCTAssertEqual(message("name: e\nsweep:\n  random: {samples: 200000, keys: {planner.horizon: {int: [1, 3]}}}\n"),
                       "s.yaml:3:21: sweep.random.samples: expected at most 100000 samples, found 200000")
        XCTAssertEqual(message("name: e\nsweep:\n  gird: {planner.horizon: [1]}\n"),
                       "s.yaml:3:3: sweep.gird: unknown key 'gird'; did you mean 'grid'? (valid keys: grid, random, workers)")
        XCTAssertEqual(message("name: e\nsweep:\n  grid: {planner.horizon: [1]}\n", overrides: ["sweep.workers=0"]),
                       "override 'sweep.workers=0': sweep.workers: expected an integer of at least 1, found 0")
    }
}
