import Foundation
import WorldModels
import XCTest
@testable import Experiments

/// The sequence-backbone keys of `model:` and their error messages, pinned.
final class ModelConfigSequenceTests: XCTestCase {
    private func decode(_ yaml: String, overrides: [String] = []) throws -> ExperimentConfig {
        try ConfigLoader.decode(ExperimentConfig.self, yaml: yaml, file: "test.yaml", overrides: overrides)
    }

    private func message(_ yaml: String, overrides: [String] = [], file: StaticString = #filePath, line: UInt = #line) -> String? {
        capturedConfigError(file: file, line: line) { _ = try decode(yaml, overrides: overrides) }?.description
    }

    func testSequenceKeysAndBackboneGroupDecode() throws {
        let config = try decode("""
            model:
              backbone: gru
              sequence_length: 16
              burn_in: 4
              gradient_clip: 10
              train_steps: 200
              head_hidden_size: 32
              gru: {hidden_size: 64, layers: 2, update_gate_bias: 2}
            """)
        XCTAssertEqual(config.model.sequenceLength, 16)
        XCTAssertEqual(config.model.burnIn, 4)
        XCTAssertEqual(config.model.gradientClip, 10)
        XCTAssertEqual(config.model.trainSteps, 200)
        XCTAssertEqual(config.model.headHiddenSize, 32)
        XCTAssertEqual(config.model.gru.hiddenSize, 64)
        XCTAssertEqual(config.model.gru.layers, 2)
        let mamba = try decode("model: {backbone: mamba, mamba: {d_model: 32, d_state: 8, expand: 2, d_conv: 3, dt_rank: 2, layers: 1}}\n")
        XCTAssertEqual(mamba.model.mamba.dConv, 3)
        XCTAssertEqual(mamba.model.mamba.dtRank, 2)
        let s4 = try decode("model: {backbone: s4wm, s4wm: {d_model: 16, d_state: 32, layers: 3}}\n")
        XCTAssertEqual(s4.model.s4wm.dState, 32)
        let transformer = try decode("model: {backbone: transformer, sequence_length: 16, transformer: {d_model: 32, heads: 2, context_length: 16}}\n")
        XCTAssertEqual(transformer.model.transformer.heads, 2)
    }

    func testKeyOfAnotherBackboneGroupIsAnUnknownKeyNamingTheValidOnes() {
        XCTAssertEqual(message("model: {backbone: gru, gru: {d_state: 4}}\n"),
                       "test.yaml:1:30: model.gru.d_state: unknown key 'd_state' (valid keys: hidden_size, layers, observation_to_deterministic, stochastic_size, update_gate_bias)")
    }

    func testGroupOfAnotherBackboneIsInapplicable() {
        XCTAssertEqual(message("model: {backbone: gru, s4wm: {d_state: 4}}\n"),
                       "test.yaml:1:30: model.s4wm: applies only when model.backbone is s4wm, but model.backbone is gru; remove it "
                       + "(on the command line: model.s4wm=) or set model.backbone to s4wm (choices: mlp, gru, s4wm, mamba, transformer)")
    }

    func testSequenceKeysAreInapplicableToTheMLPEnsemble() {
        XCTAssertEqual(message("model: {sequence_length: 16}\n"),
                       "test.yaml:1:26: model.sequence_length: applies only to sequence backbones (model.backbone: gru, s4wm, mamba, "
                       + "transformer), but model.backbone is mlp; remove it (on the command line: model.sequence_length=) "
                       + "or choose a sequence backbone")
    }

    func testSequenceRangesAreValidated() {
        XCTAssertEqual(message("model: {backbone: gru, sequence_length: 8, burn_in: 8}\n"),
                       "test.yaml:1:53: model.burn_in: expected an integer in 0...7 (less than model.sequence_length), found 8")
        XCTAssertEqual(message("model: {backbone: transformer, transformer: {d_model: 30, heads: 4}}\n"),
                       "test.yaml:1:66: model.transformer.heads: expected a divisor of d_model (30), found 4")
        XCTAssertEqual(message("model: {backbone: mamba, mamba: {d_conv: 0}}\n"),
                       "test.yaml:1:42: model.mamba.d_conv: expected an integer of at least 1, found 0")
    }

    func testRenderedSequenceConfigDecodesAgainWithOnlyItsGroup() throws {
        var config = ExperimentConfig()
        config.model.backbone = .gru
        config.model.gru.hiddenSize = 48
        config.model.sequenceLength = 12
        let text = try ConfigRenderer.render(config)
        XCTAssertEqual(try ConfigLoader.decode(ExperimentConfig.self, yaml: text), config, text)
        XCTAssertTrue(text.contains("gru:"), text)
        XCTAssertFalse(text.contains("mamba:"), text)
        XCTAssertFalse(try ConfigRenderer.render(ExperimentConfig()).contains("sequence_length"), "mlp renders no sequence keys")
    }

    func testWorldModelSettingsMapTheConfig() throws {
        let config = try decode("model: {backbone: gru, members: 3, train_steps: 40, gradient_clip: 0, gru: {hidden_size: 16}}\n")
        let settings = config.model.worldModelSettings
        XCTAssertEqual(settings.backbone, .gru)
        XCTAssertEqual(settings.sequence.members, 3)
        XCTAssertEqual(settings.training.trainSteps, 40)
        XCTAssertNil(settings.training.gradientClip)
        XCTAssertEqual(settings.gru.hiddenSize, 16)
        let model = try makeWorldModel(settings: settings, observationSize: 4, actionSize: 1, seed: 0)
        XCTAssertTrue(model is SequenceWorldModel<GRUBackbone>)
        let rssm = try decode("model: {backbone: gru, gru: {hidden_size: 16, stochastic_size: 4}}\n")
        XCTAssertEqual(rssm.model.worldModelSettings.gru.stochasticSize, 4)
        XCTAssertTrue(try makeWorldModel(settings: rssm.model.worldModelSettings, observationSize: 4, actionSize: 1, seed: 0)
                      is SequenceWorldModel<RSSMBackbone>)
    }

    func testSSMInitRangesAreValidated() {
        XCTAssertEqual(message("model: {backbone: s4wm, s4wm: {dt_min: 0.1, dt_max: 0.01}}\n"),
                       "test.yaml:1:53: model.s4wm.dt_max: expected a number of at least dt_min (0.1), found 0.01")
        XCTAssertEqual(message("model: {backbone: s4wm, s4wm: {mode: lin}}\n"),
                       "test.yaml:1:38: model.s4wm.mode: expected one of real, complex, found 'lin'")
        XCTAssertEqual(message("model: {backbone: mamba, mamba: {dt_init_min: 0.5}}\n"),
                       "test.yaml: model.mamba.dt_init_max: expected a number of at least dt_init_min (0.5); set both or neither, found null")
        XCTAssertEqual(message("model: {backbone: mamba, mamba: {dt_init_min: 0, dt_init_max: 1}}\n"),
                       "test.yaml:1:47: model.mamba.dt_init_min: expected a positive number, found 0.0")
        XCTAssertEqual(message("model: {backbone: mamba, mamba: {state_decay_init: -1}}\n"),
                       "test.yaml:1:52: model.mamba.state_decay_init: expected a positive number (null: A_n = -(n+1)), found -1.0")
        XCTAssertEqual(message("model: {backbone: mamba, mamba: {dt_rank: 0}}\n"),
                       "test.yaml:1:43: model.mamba.dt_rank: expected an integer of at least 1, found 0")
        let settings = try? decode("model: {backbone: mamba, mamba: {dt_init_min: 0.5, dt_init_max: 2, state_decay_init: 0.02}}\n")
            .model.worldModelSettings
        XCTAssertEqual(settings?.mamba.dtInitRange, 0.5...2)
        XCTAssertEqual(settings?.mamba.stateDecayInit, 0.02)
    }

    func testLearningRateScheduleKeysMapAndAreValidated() throws {
        let config = try decode("model: {backbone: s4wm, learning_rate: 0.002, warmup_steps: 100, final_learning_rate_scale: 0.1}\n")
        XCTAssertEqual(config.model.worldModelSettings.training.schedule,
                       LearningRateSchedule(base: 0.002, warmupSteps: 100, finalScale: 0.1))
        XCTAssertEqual(try decode("model: {backbone: gru}\n").model.worldModelSettings.training.schedule,
                       LearningRateSchedule(base: 1e-3), "default: constant")
        let scale = message("model: {backbone: gru, final_learning_rate_scale: 2}\n") ?? ""
        XCTAssertTrue(scale.contains("model.final_learning_rate_scale: expected") && scale.contains("found 2"), scale)
        let warmup = message("model: {backbone: gru, warmup_steps: -1}\n") ?? ""
        XCTAssertTrue(warmup.contains("model.warmup_steps: expected an integer of at least 0, found -1"), warmup)
        let mlp = message("model: {warmup_steps: 10}\n") ?? ""
        XCTAssertTrue(mlp.contains("model.warmup_steps: applies only to sequence backbones"), mlp)
    }

    func testObservationToDeterministicIsAnRSSMSettingThatReachesTheBackbone() throws {
        let plain = message("model: {backbone: gru, gru: {observation_to_deterministic: true}}\n") ?? ""
        XCTAssertTrue(plain.contains("model.gru.observation_to_deterministic: expected false unless stochastic_size > 0"), plain)
        let config = try decode("model: {backbone: gru, gru: {hidden_size: 8, stochastic_size: 4, observation_to_deterministic: true}}\n")
        let model = try makeWorldModel(settings: config.model.worldModelSettings, observationSize: 4, actionSize: 1, seed: 0)
        let rssm = try XCTUnwrap(model as? SequenceWorldModel<RSSMBackbone>)
        XCTAssertTrue(rssm.members[0].backbone.observationToDeterministic)
        XCTAssertEqual(rssm.members[0].backbone.cell.inputSize, 4 + 4 + 1, "z, o and a enter the GRU")
    }

    func testRSSMNeedsOneGRULayer() {
        XCTAssertEqual(message("model: {backbone: gru, gru: {layers: 2, stochastic_size: 8}}\n"),
                       "test.yaml:1:38: model.gru.layers: expected 1 when stochastic_size > 0 (the RSSM-lite has one GRU layer), found 2")
    }

    /// The optional settings are null by default (no zero sentinels), render as null and decode again.
    func testUnsetOptionalSettingsAreNull() throws {
        let config = try decode("model: {backbone: mamba}\n")
        XCTAssertNil(config.model.mamba.dtRank)
        XCTAssertNil(config.model.mamba.dtInitRange)
        XCTAssertNil(config.model.mamba.stateDecayInit)
        let rendered = try config.renderedYAML()
        XCTAssertTrue(rendered.contains("dt_rank: null\n"), rendered)
        XCTAssertTrue(rendered.contains("state_decay_init: null\n"), rendered)
        XCTAssertEqual(try decode(rendered), config)
        let set = try decode("model: {backbone: mamba, mamba: {dt_rank: 3, dt_init_min: 0.25, dt_init_max: 1}}\n")
        XCTAssertEqual(try decode(try set.renderedYAML()), set)
        XCTAssertEqual(set.model.worldModelSettings.mamba.dtRank, 3)
    }

    func testTransformerContextShorterThanTheTrainingWindowIsAnError() {
        XCTAssertEqual(message("model: {backbone: transformer, sequence_length: 48, transformer: {context_length: 32}}\n"),
                       "test.yaml:1:83: model.transformer.context_length: expected an integer of at least model.sequence_length (48); "
                       + "the attention window must cover a training window, found 32")
        XCTAssertNoThrow(try decode("model: {backbone: transformer, sequence_length: 32, transformer: {context_length: 32}}\n"))
    }

    /// TS-1 needs a member per step; a sequence model's particle keeps its member's state, so ts1 is an error
    /// (the runner used to turn it into TS-inf silently), for `mbrl run` and `mbrl eval-model` alike.
    func testTS1WithASequenceBackboneIsAnError() {
        for backbone in ["gru", "transformer"] {
            XCTAssertEqual(message("model: {backbone: \(backbone)}\nplanner: {propagation: ts1}\n"),
                           "test.yaml:2:24: planner.propagation: expected ts_inf or mean with a sequence backbone (its particles keep "
                           + "one member each for the whole horizon: a recurrent state cannot switch members between steps); ts1 "
                           + "needs model.backbone mlp, found ts1")
        }
        XCTAssertNoThrow(try decode("model: {backbone: mlp}\nplanner: {propagation: ts1}\n"))
    }

    /// `agent_kind` was parsed and never read (every trial planned); it is gone.
    func testAgentKindIsAnUnknownKey() {
        XCTAssertEqual(message("agent_kind: random\n")?.hasPrefix("test.yaml:1:1: agent_kind: unknown key 'agent_kind'"), true,
                       message("agent_kind: random\n") ?? "no error")
    }

    func testClipActionsIsAnUnknownKey() {
        XCTAssertEqual(message("planner: {clip_actions: true}\n"),
                       "test.yaml:1:11: planner.clip_actions: unknown key 'clip_actions' (valid keys: alpha, elite_ratio, horizon, "
                       + "iterations, kind, mppi_noise_std, mppi_temperature, particles, population, propagation, replan_every)")
    }
}
