import Environments
import Experiments
import Foundation
import SeededRandom
import XCTest

/// The point mass of `Tests/EnvironmentsTests/Fixtures/point_mass_env.py`,
/// operation for operation, as a Swift environment.
struct PointMass1D: SnapshotByValue {
    static let id = "PointMass1D-v0"
    var x = -1.0, v = 0.0, t = 0, running = false

    var observationSpace: Space { .box(Box(low: [-.infinity, -.infinity], high: [.infinity, .infinity], shape: [2])) }
    var actionSpace: Space { .box(Box(low: [-1], high: [1], shape: [1])) }

    mutating func reset(seed: UInt64?) throws -> ResetResult {
        (x, v, t, running) = (-1, 0, 0, true)
        return ResetResult(observation: [Float(x), Float(v)])
    }

    mutating func step(_ action: Action) throws -> StepResult {
        guard case .continuous(let values) = action, actionSpace.contains(action) else {
            throw EnvironmentError.actionOutOfSpace(environment: Self.id, action: action.description, space: actionSpace.description)
        }
        guard running else { throw EnvironmentError.needsReset(environment: Self.id) }
        let a = Double(values[0])
        v = v + 0.1 * a
        x = x + 0.1 * v
        t += 1
        let reward = -(x * x) - 0.01 * a * a
        running = t < 40
        return StepResult(observation: [Float(x), Float(v)], reward: reward, terminated: false, truncated: t >= 40)
    }
}

/// Oracle MPC plans on snapshots of the real environment; over an external
/// child that supports `get_state`/`set_state` it must act exactly as over
/// the same dynamics in Swift.
final class ExternalOracleTests: XCTestCase {
    static let child = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("EnvironmentsTests/Fixtures/point_mass_env.py").path

    func oracleReturn(envID: String, settings: String, directory: URL) throws -> Double {
        var registry = EnvironmentRegistry.builtin
        registry.register(EnvironmentSpec(id: PointMass1D.id, summary: "1-D point mass (test)") { _ in PointMass1D() })
        let yaml = """
        name: oracle-point-mass
        seed: 3
        env: {id: \(envID), settings: \(settings)}
        trials: 1
        initial_random_steps: 0
        model: {kind: oracle}
        planner: {kind: cem, horizon: 6, population: 24, iterations: 2, particles: 1, elite_ratio: 0.25}
        output: {dir: \(directory.path), checkpoint: false}
        """
        let config = try XCTUnwrap(ExperimentSweep.decode(yaml: yaml).runs.first).config
        let summary = try ExperimentRunner(config: config, registry: registry).run(options: RunOptions(quiet: true))
        return try XCTUnwrap(summary.trialReturns.first)
    }

    func testOracleMPCOverASnapshottingChildMatchesTheSwiftEnvironment() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mbrl-oracle-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let swift = try oracleReturn(envID: PointMass1D.id, settings: "{}", directory: directory)
        let external = try oracleReturn(envID: "External-v0", settings: "{command: 'python3 \(Self.child)'}", directory: directory)
        XCTAssertEqual(external, swift, "oracle MPC over the child and over the Swift environment")
        // Doing nothing scores sum over 40 steps of -1 = -40; the planner must do far better.
        XCTAssertGreaterThan(swift, -20)
    }

    func testOracleOverAChildWithoutSnapshotsIsAClearError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mbrl-oracle-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        XCTAssertThrowsError(try oracleReturn(envID: "External-v0", settings: "{command: 'python3 \(Self.child) --no-snapshots'}",
                                              directory: directory)) { error in
            XCTAssertTrue("\(error)".contains("does not support snapshot/restore"), "\(error)")
        }
    }
}
