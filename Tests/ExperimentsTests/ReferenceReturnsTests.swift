import Environments
import XCTest
@testable import Experiments

/// `ReferenceReturns` are found by environment id and the settings they were measured with.
final class ReferenceReturnsTests: XCTestCase {
    private func runner(_ settings: String) throws -> ExperimentRunner {
        let sweep = try ExperimentSweep.decode(yaml: "name: t\nalgorithm: sac\nenv: {id: PointMaze-v0, settings: {\(settings)}}\n")
        return ExperimentRunner(config: try XCTUnwrap(sweep.runs.first).config, configFile: nil)
    }

    func testLookupMatchesTheMeasuredSettingsOnly() throws {
        let sparse = try XCTUnwrap(ReferenceReturns.forEnvironment("PointMaze-v0", settings: ["reward": .string("sparse")]))
        XCTAssertEqual(sparse.normalizedScore(sparse.expert), 100, accuracy: 1e-9)
        XCTAssertEqual(sparse.normalizedScore(sparse.random), 0, accuracy: 1e-9)
        XCTAssertNil(ReferenceReturns.forEnvironment("PointMaze-v0"), "the dense reward (the default) has no references")
        XCTAssertNotNil(ReferenceReturns.forEnvironment("Pendulum-v1"))
        // A run's settings: one given at its default value (layout umaze) counts as not given.
        XCTAssertEqual(try runner("reward: sparse, layout: umaze").referenceReturns, sparse)
        XCTAssertNil(try runner("reward: sparse, layout: medium").referenceReturns, "measured on umaze only")
        XCTAssertNil(try runner("reward: dense").referenceReturns)
    }
}
