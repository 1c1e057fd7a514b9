import Foundation
import XCTest
import WorldModels
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
                for run in try ExperimentSweep.load(file: file.path).runs {
                    let rendered = try ConfigRenderer.render(run.config)
                    XCTAssertEqual(try ConfigLoader.decode(ExperimentConfig.self, yaml: rendered), run.config, file.lastPathComponent)
                }
            } catch {
                XCTFail("\(error)")
            }
        }
    }

    func testCompareFilesTrainEveryBackboneOnTheSameData() throws {
        for name in ["compare-backbones-cartpole.yaml", "compare-backbones-memory.yaml"] {
            let sweep = try ExperimentSweep.load(file: configsDirectory.appendingPathComponent(name).path)
            let backbones = sweep.runs.map(\.config.model.backbone.rawValue)
            XCTAssertEqual(Set(backbones), ["mlp", "gru", "s4wm", "mamba", "transformer"], name)
            for (variant, backbone) in zip(sweep.runs.map { $0.variant ?? "" }, backbones) where backbones.contains(variant) {
                XCTAssertEqual(backbone, variant, "\(name): a variant named after a backbone uses it")
            }
            XCTAssertEqual(sweep.seeds, name.contains("memory") ? [0, 1, 2, 3] : [0, 1, 2], "\(name): every backbone × 3 or 4 seeds")
            for seed in sweep.seeds {   // per seed, every variant on the same data
                let runs = sweep.runs(seed: seed)
                XCTAssertEqual(runs.count, sweep.variants.count, name)
                for run in runs {
                    XCTAssertEqual(run.config.env, runs[0].config.env, name)
                    XCTAssertEqual(run.config.evaluation, runs[0].config.evaluation, name)
                }
            }
        }
        let cartpole = try ExperimentSweep.load(file: configsDirectory.appendingPathComponent("compare-backbones-cartpole.yaml").path)
        XCTAssertEqual(cartpole.runs[0].config.env.id, "ContinuousCartPole-v0")
        XCTAssertEqual(cartpole.runs[0].config.evaluation.kind, .openLoop)
        XCTAssertTrue(cartpole.runs.allSatisfy { $0.config.model.learnedReward }, "reward errors compare too")

        let memory = try ExperimentSweep.load(file: configsDirectory.appendingPathComponent("compare-backbones-memory.yaml").path)
        XCTAssertEqual(memory.runs[0].config.env.id, "GridWorld-MemoryTMaze-v0")
        XCTAssertEqual(memory.runs[0].config.evaluation.kind, .memoryProbe)
        XCTAssertEqual(memory.runs[0].config.evaluation.corridorLength, 16)
        for run in memory.runs where run.variant != "mlp" {   // the sequence models see whole episodes
            XCTAssertEqual(run.config.model.sequenceSampling, .withinEpisode, run.variant!)
            XCTAssertEqual(run.config.model.sequenceLength, 20, run.variant!)
            XCTAssertEqual(run.config.model.rewardLossWeight, 4, run.variant!)
        }
        let gru = try XCTUnwrap(memory.runs.first { $0.variant == "gru" }).config.model   // the recipe that reaches 100/100 (TMazeMemoryProbeTests)
        XCTAssertEqual([gru.gru.hiddenSize, gru.trainSteps, gru.batchSize, gru.headHiddenSize], [24, 600, 32, 32])
        XCTAssertEqual(gru.gru.updateGateBias, 6)
        XCTAssertEqual(gru.learningRate, 1e-2)
        XCTAssertTrue(gru.deterministic)
        let rssm = try XCTUnwrap(memory.runs.first { $0.variant == "rssm" }).config.model   // TMazeMemoryProbeTests' RSSM recipe
        XCTAssertEqual([rssm.gru.hiddenSize, rssm.gru.stochasticSize, rssm.trainSteps], [24, 8, 600])
        XCTAssertTrue(rssm.gru.observationToDeterministic)
        let s4wm = try XCTUnwrap(memory.runs.first { $0.variant == "s4wm" }).config.model.worldModelSettings.training
        XCTAssertEqual(s4wm.schedule, LearningRateSchedule(base: 2e-3, warmupSteps: 100, finalScale: 0.1))
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
