import XCTest
@testable import Experiments

/// `--dry-run` rendering: stable key order, and decoding it gives back the config.
final class ConfigRendererTests: XCTestCase {
    func testDefaultRenderingIsPinned() throws {
        XCTAssertEqual(try ConfigRenderer.render(ExperimentConfig()), """
            name: pets
            seed: 0
            algorithm: pets
            env:
              id: ContinuousCartPole-v0
              settings: {}
              max_episode_steps: null
            trials: 10
            initial_random_steps: 200
            trial_length: null
            model:
              kind: learned
              backbone: mlp
              members: 5
              elites: 5
              hidden_size: 200
              hidden_layers: 3
              activation: leaky_relu
              learned_reward: true
              deterministic: false
              learning_rate: 0.001
              weight_decay: 5e-05
              batch_size: 32
              epochs_per_trial: 50
              patience: 50
              validation_ratio: 0.05
              bootstrap: true
            planner:
              kind: cem
              horizon: 15
              population: 500
              iterations: 5
              elite_ratio: 0.1
              alpha: 0.1
              particles: 20
              propagation: ts_inf
              replan_every: 1
            eval:
              every: 0
              episodes: 5
            output:
              dir: runs
              checkpoint: true
              checkpoint_every: 5000
            evaluation:
              kind: open_loop
              train_steps: 2000
              episodes: 20
              horizon: 15

            """)
    }

    func testFullConfigRoundTrips() throws {
        var config = ExperimentConfig()
        config.name = "full-run"
        config.seed = 42
        config.env.id = "Pendulum-v1"
        config.env.settings = ["g": .double(9.81), "hard": .bool(true), "steps": .int(3), "label": .string("true"),
                               "code": .string("007"), "text": .string("a: b")]
        config.env.maxEpisodeSteps = 300
        config.trials = 4
        config.initialRandomSteps = 123
        config.trialLength = 150
        config.model.kind = .oracle
        config.model.backbone = .transformer
        config.model.members = 7
        config.model.elites = 5
        config.model.activation = .silu
        config.model.learningRate = 3.3e-4
        config.model.weightDecay = 1e-7
        config.model.validationRatio = 0.2
        config.model.bootstrap = false
        config.model.deterministic = true
        config.planner.kind = .mppi
        config.planner.mppiTemperature = 0.3
        config.planner.mppiNoiseStd = 0.25
        config.planner.propagation = .mean
        config.planner.replanEvery = 3
        config.output.dir = "out/runs"
        config.output.checkpoint = false

        let text = try ConfigRenderer.render(config)
        let decoded = try ConfigLoader.decode(ExperimentConfig.self, yaml: text, file: "rendered.yaml")
        XCTAssertEqual(decoded, config, text)
        XCTAssertEqual(try ConfigRenderer.render(decoded), text, "rendering is stable")
        XCTAssertTrue(text.contains("label: 'true'"), text)
        XCTAssertTrue(text.contains("code: '007'"), text)
        XCTAssertTrue(text.contains("mppi_temperature: 0.3"), text)
        XCTAssertFalse(text.contains("elite_ratio"), "keys that do not apply to mppi are not rendered:\n\(text)")
    }

    func testRandomShootingRenderingOmitsIterativeKeys() throws {
        var config = ExperimentConfig()
        config.planner.kind = .randomShooting
        let text = try ConfigRenderer.render(config)
        XCTAssertFalse(text.contains("iterations"))
        XCTAssertFalse(text.contains("alpha"))
        XCTAssertEqual(try ConfigLoader.decode(ExperimentConfig.self, yaml: text), config)
    }

    func testOverriddenConfigRendersResolvedValues() throws {
        let config = try ConfigLoader.decode(ExperimentConfig.self, yaml: "seed: 1\n", overrides: ["planner.population=64"])
        let text = try ConfigRenderer.render(config)
        XCTAssertTrue(text.contains("seed: 1\n"))
        XCTAssertTrue(text.contains("  population: 64\n"))
    }
}
