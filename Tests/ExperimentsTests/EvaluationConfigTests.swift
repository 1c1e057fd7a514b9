import Replay
import WorldModels
import XCTest
@testable import Experiments

/// `evaluation:` and the sequence-training keys the memory probe needs, pinned.
final class EvaluationConfigTests: XCTestCase {
    private func decode(_ yaml: String) throws -> ExperimentConfig {
        try ConfigLoader.decode(ExperimentConfig.self, yaml: yaml, file: "test.yaml")
    }

    private func message(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) -> String? {
        capturedConfigError(file: file, line: line) { _ = try decode(yaml) }?.description
    }

    func testDefaultsAreTheOpenLoopEvaluation() throws {
        let evaluation = try decode("{}\n").evaluation
        XCTAssertEqual(evaluation.kind, .openLoop)
        XCTAssertEqual([evaluation.trainSteps, evaluation.episodes, evaluation.horizon], [2000, 20, 15])
    }

    func testMemoryProbeKeysDecodeAndRenderOnlyForTheirKind() throws {
        let config = try decode("evaluation: {kind: memory_probe, corridor_length: 8, train_episodes: 50, test_episodes: 30}\n")
        XCTAssertEqual(config.evaluation.kind, .memoryProbe)
        XCTAssertEqual([config.evaluation.corridorLength, config.evaluation.trainEpisodes, config.evaluation.testEpisodes], [8, 50, 30])
        let rendered = try ConfigRenderer.render(config)
        XCTAssertTrue(rendered.hasSuffix("evaluation:\n  kind: memory_probe\n  corridor_length: 8\n  whole_episodes: false\n  train_episodes: 50\n  test_episodes: 30\n"),
                      rendered)
        XCTAssertEqual(try ConfigLoader.decode(ExperimentConfig.self, yaml: rendered), config)
    }

    func testKeysOfTheOtherKindAreInapplicable() {
        XCTAssertEqual(message("evaluation: {kind: memory_probe, horizon: 5}\n"),
                       "test.yaml:1:43: evaluation.horizon: applies only when evaluation.kind is open_loop, but evaluation.kind is "
                       + "memory_probe; remove it (on the command line: evaluation.horizon=) or set evaluation.kind to open_loop "
                       + "(choices: open_loop, memory_probe)")
        XCTAssertEqual(message("evaluation: {corridor_length: 5}\n"),
                       "test.yaml:1:31: evaluation.corridor_length: applies only when evaluation.kind is memory_probe, but "
                       + "evaluation.kind is open_loop; remove it (on the command line: evaluation.corridor_length=) or set "
                       + "evaluation.kind to memory_probe (choices: open_loop, memory_probe)")
        XCTAssertEqual(message("evaluation: {episodes: 0}\n"),
                       "test.yaml:1:24: evaluation.episodes: expected an integer of at least 1, found 0")
    }

    func testCorridorShorterThanOneCellIsAnError() {
        XCTAssertEqual(message("evaluation: {kind: memory_probe, corridor_length: 0}\n"),
                       "test.yaml:1:51: evaluation.corridor_length: expected an integer of at least 1, found 0")
        XCTAssertEqual(message("evaluation:\n  kind: memory_probe\n  corridor_length: -3\n"),
                       "test.yaml:3:20: evaluation.corridor_length: expected an integer of at least 1, found -3")
        XCTAssertNoThrow(try decode("evaluation: {kind: memory_probe, corridor_length: 1}\n"))
    }

    func testSequenceSamplingAndRewardWeightReachTheTrainer() throws {
        let config = try decode("model: {backbone: gru, sequence_sampling: within_episode, reward_loss_weight: 4}\n")
        let training = config.model.worldModelSettings.training
        XCTAssertEqual(training.sampling, .withinEpisode)
        XCTAssertEqual(training.lossWeights, SequenceLossWeights(observation: 1, reward: 4, termination: 1))
        let defaults = ExperimentConfig().model.worldModelSettings.training
        XCTAssertEqual(defaults.sampling, .acrossEpisodes)
        XCTAssertEqual(defaults.lossWeights, SequenceLossWeights())
        XCTAssertEqual(message("model: {reward_loss_weight: 4}\n"),
                       "test.yaml:1:29: model.reward_loss_weight: applies only to sequence backbones (model.backbone: gru, s4wm, "
                       + "mamba, transformer), but model.backbone is mlp; remove it (on the command line: model.reward_loss_weight=) "
                       + "or choose a sequence backbone")
        XCTAssertEqual(message("model: {backbone: gru, sequence_sampling: episodes}\n"),
                       "test.yaml:1:43: model.sequence_sampling: expected one of across_episodes, within_episode, found 'episodes'")
    }
}
