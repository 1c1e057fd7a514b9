import Foundation
import XCTest
@testable import Experiments

/// Every file in Configs/ decodes and validates, and renders back to itself.
final class ConfigFilesTests: XCTestCase {
    /// The repository root, found from this file's path (Tests/ExperimentsTests/ConfigFilesTests.swift).
    private var configsDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Configs")
    }

    private func load(_ name: String) throws -> ExperimentConfig {
        try ConfigLoader.load(ExperimentConfig.self, file: configsDirectory.appendingPathComponent(name).path)
    }

    func testEveryConfigFileDecodes() throws {
        let files = try FileManager.default.contentsOfDirectory(at: configsDirectory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" || $0.pathExtension == "yml" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        XCTAssertGreaterThanOrEqual(files.count, 4)
        for file in files {
            do {
                let config = try ConfigLoader.load(ExperimentConfig.self, file: file.path)
                let rendered = try ConfigRenderer.render(config)
                XCTAssertEqual(try ConfigLoader.decode(ExperimentConfig.self, yaml: rendered), config, file.lastPathComponent)
            } catch {
                XCTFail("\(error)")
            }
        }
    }

    func testPetsFilesMatchTheirIntent() throws {
        let cartpole = try load("pets-cartpole.yaml")
        XCTAssertEqual(cartpole.env.id, "ContinuousCartPole-v0")
        XCTAssertEqual(cartpole.trialLength, 200)
        var mbrlLibModel = ModelConfig()
        mbrlLibModel.learnedReward = false   // mbrl-lib's example plans with the known CartPole reward
        XCTAssertEqual(cartpole.model, mbrlLibModel, "pets-cartpole spells out mbrl-lib's settings")
        XCTAssertEqual(cartpole.planner, PlannerConfig())

        XCTAssertEqual(try load("pets-pendulum.yaml").env.id, "Pendulum-v1")

        let oracle = try load("mpc-oracle-cartpole.yaml")
        XCTAssertEqual(oracle.model.kind, .oracle)
        XCTAssertEqual(oracle.env.id, "ContinuousCartPole-v0")
        XCTAssertEqual(oracle.env.maxEpisodeSteps, 500)

        let quick = try load("quickstart.yaml")
        XCTAssertLessThanOrEqual(quick.planner.population, 100)
        XCTAssertLessThanOrEqual(quick.planner.particles, 5)
        XCTAssertLessThanOrEqual(quick.trials * (quick.trialLength ?? 500), 800)   // about a minute in release
    }
}
