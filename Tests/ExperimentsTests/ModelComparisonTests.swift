import Foundation
import WorldModels
import XCTest
@testable import Experiments

/// `ExperimentSweep.compareModels`: every variant trained on the same data
/// (the data a single evaluation of the seed uses), the files it writes, and
/// what it refuses. Tiny models and budgets (a few seconds in debug).
final class ModelComparisonTests: XCTestCase {
    static let openLoop = """
        name: cmp
        seed: 2
        env: {id: ContinuousCartPole-v0}
        trial_length: 50
        model: {learned_reward: true, members: 1}
        evaluation: {train_steps: 120, episodes: 2, horizon: 4}
        variants:
          mlp: {model: {hidden_size: 8, hidden_layers: 1, epochs_per_trial: 2}}
          gru: {model: {backbone: gru, train_steps: 3, sequence_length: 8, head_hidden_size: 8, gru: {hidden_size: 8}}}

        """

    static let memory = """
        name: mem
        env: {id: GridWorld-MemoryTMaze-v0}
        model: {members: 1, deterministic: true, validation_ratio: 0}
        evaluation: {kind: memory_probe, corridor_length: 2, train_episodes: 6, test_episodes: 4}
        variants:
          mlp: {model: {hidden_size: 8, hidden_layers: 1, epochs_per_trial: 2}}
          gru:
            model: {backbone: gru, train_steps: 2, sequence_length: 6, sequence_sampling: within_episode, reward_loss_weight: 4,
                    head_hidden_size: 8, gru: {hidden_size: 8}}

        """

    var temporary: URL!

    override func setUpWithError() throws {
        temporary = FileManager.default.temporaryDirectory.appendingPathComponent("mbrl-compare-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: temporary)
    }

    func testEveryVariantIsMeasuredOnTheDataASingleEvaluationOfItsSeedUses() throws {
        let sweep = try ExperimentSweep.decode(yaml: Self.openLoop, file: "cmp.yaml")
        let comparison = try sweep.compareModels(seed: 2, options: RunOptions(outputRoot: temporary.path, quiet: true))
        XCTAssertEqual(comparison.results.map(\.variant), ["mlp", "gru"])
        XCTAssertEqual(comparison.report.rows.map(\.variant), ["mlp", "gru"])
        XCTAssertTrue(comparison.directory.lastPathComponent.hasPrefix("ContinuousCartPole-v0__cmp__2__"), comparison.directory.path)
        for file in ["run.json", "comparison.md", "observation_rmse.svg", "mlp/config.yaml", "mlp/evaluation.json",
                     "gru/config.yaml", "gru/evaluation.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: comparison.directory.appendingPathComponent(file).path), file)
        }
        let markdown = try String(contentsOf: comparison.directory.appendingPathComponent("comparison.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("| variant | backbone | parameters | obs RMSE k=1 | obs RMSE k=4 | reward RMSE k=1 |"), markdown)
        XCTAssertTrue(markdown.contains("\n| gru | gru | "), markdown)
        let svg = try String(contentsOf: comparison.directory.appendingPathComponent("observation_rmse.svg"), encoding: .utf8)
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 2)

        // The same numbers as evaluating each variant's config on its own: same data, same initialisation.
        for (index, run) in sweep.runs.enumerated() {
            let single = try ExperimentRunner(config: run.config).evaluateModel(options: RunOptions(outputRoot: temporary.path, quiet: true))
            guard case .openLoop(let alone) = single.result, case .openLoop(let compared) = comparison.results[index].result else {
                return XCTFail("expected open-loop results")
            }
            XCTAssertEqual(compared.observationRMSE, alone.observationRMSE, run.variant!)
            XCTAssertEqual(compared.rewardRMSE, alone.rewardRMSE, run.variant!)
            XCTAssertEqual(compared.parameterCount, alone.parameterCount)
            XCTAssertEqual(compared.observationRMSE.count, 4)
            XCTAssertTrue(compared.observationRMSE.allSatisfy { $0.isFinite && $0 > 0 }, "\(compared.observationRMSE)")
        }
    }

    func testTheMemoryProbeComparesRewardSignAccuracy() throws {
        let sweep = try ExperimentSweep.decode(yaml: Self.memory, file: "mem.yaml")
        let comparison = try sweep.compareModels(seed: 0, options: RunOptions(outputRoot: temporary.path, quiet: true))
        for (variant, result) in comparison.results {
            guard case .memoryProbe(let probe) = result else { return XCTFail("\(variant): expected a memory-probe result") }
            XCTAssertEqual(probe.episodes, 4, variant)
            XCTAssertEqual(probe.trainEpisodes, 6, variant)
            XCTAssertEqual(probe.corridorLength, 2, variant)
            XCTAssertEqual(probe.accuracy, Double(probe.correct) / 4, variant)
            XCTAssertTrue(comparison.report.markdown().contains("| \(variant) |"), variant)
        }
        XCTAssertTrue(comparison.report.markdown().hasPrefix("| variant | backbone | parameters | accuracy | correct | train steps/s |\n"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: comparison.directory.appendingPathComponent("observation_rmse.svg").path))
    }

    func testWholeEpisodesTrainsOnTheEpisodeWhateverTheModelsWindow() throws {
        // A window longer than the episodes is an error, unless whole_episodes replaces it with the episode length;
        // then the result is the one of a window set to the episode length by hand.
        let whole = try ExperimentSweep.decode(yaml: Self.memory, file: "mem.yaml",
                                               overrides: ["variants.gru.model.sequence_length=7", "evaluation.whole_episodes=true"])
        let byHand = try ExperimentSweep.decode(yaml: Self.memory, file: "mem.yaml", overrides: ["variants.gru.model.sequence_length=6"])
        let options = RunOptions(outputRoot: temporary.path, quiet: true)
        let a = try whole.compareModels(seed: 0, options: options), b = try byHand.compareModels(seed: 0, options: options)
        guard case .memoryProbe(let wholeGRU) = a.results[1].result, case .memoryProbe(let handGRU) = b.results[1].result else {
            return XCTFail("expected memory-probe results")
        }
        XCTAssertEqual(a.results[1].variant, "gru")
        XCTAssertEqual(wholeGRU.correct, handGRU.correct)
        XCTAssertEqual(wholeGRU.trainLoss, handGRU.trainLoss)
        let shortContext = try ExperimentSweep.decode(yaml: Self.memory, file: "mem.yaml", overrides: [
            "evaluation.whole_episodes=true", "variants.gru.model.backbone=transformer", "variants.gru.model.gru=",
            "variants.gru.model.transformer={d_model: 8, heads: 2, layers: 1, feedforward_size: 8, context_length: 5}",
            "variants.gru.model.sequence_length=4"])
        XCTAssertThrowsError(try shortContext.compareModels(seed: 0, options: options)) { error in
            XCTAssertTrue("\(error)".contains("model.transformer.context_length: 5 is shorter than the T-maze episodes (6 steps"), "\(error)")
        }
        XCTAssertThrowsError(try ExperimentSweep.decode(yaml: Self.openLoop, file: "cmp.yaml", overrides: ["evaluation.whole_episodes=true"])) { error in
            XCTAssertTrue("\(error)".contains("evaluation.whole_episodes"), "\(error)")
            XCTAssertTrue("\(error)".contains("applies only when evaluation.kind is memory_probe"), "\(error)")
        }
    }

    func testVariantsThatChangeTheDataAreRefusedBeforeWriting() throws {
        let yaml = Self.openLoop + "  pendulum: {env.id: Pendulum-v1}\n"
        let sweep = try ExperimentSweep.decode(yaml: yaml, file: "cmp.yaml")
        XCTAssertThrowsError(try sweep.compareModels(seed: 2, options: RunOptions(outputRoot: temporary.path, quiet: true))) { error in
            XCTAssertEqual((error as? ExperimentError)?.description,
                           "cmp.yaml: variant 'pendulum' changes env of variant 'mlp'; eval-model trains every variant on the same data, "
                           + "so variants may change the model but not env, trial_length, evaluation or model.kind")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: temporary.path))
    }

    func testMemoryProbeErrorsAreClear() throws {
        let tooLong = try ExperimentSweep.decode(yaml: Self.memory, file: "mem.yaml", overrides: ["variants.gru.model.sequence_length=7"])
        XCTAssertThrowsError(try tooLong.compareModels(seed: 0, options: RunOptions(outputRoot: temporary.path))) { error in
            XCTAssertEqual((error as? ExperimentError)?.description,
                           "model.sequence_length: 7 is longer than the T-maze episodes (6 steps: evaluation.corridor_length + 4), "
                           + "so within-episode sampling finds no window; set model.sequence_length=6 or evaluation.whole_episodes=true")
        }
        let cartpole = try ExperimentSweep.decode(yaml: Self.memory, file: "mem.yaml", overrides: ["env.id=ContinuousCartPole-v0"])
        XCTAssertThrowsError(try cartpole.compareModels(seed: 0, options: RunOptions(outputRoot: temporary.path))) { error in
            XCTAssertEqual((error as? ExperimentError)?.description,
                           "evaluation.kind memory_probe runs on GridWorld-MemoryTMaze-v0, but env.id is ContinuousCartPole-v0; "
                           + "set env.id: GridWorld-MemoryTMaze-v0")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: temporary.path), "a refused comparison writes nothing")
    }
}
