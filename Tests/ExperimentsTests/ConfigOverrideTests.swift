import XCTest
@testable import Experiments

/// Command-line overrides `key.path=value`: parsed as YAML, type-checked and
/// range-checked like the file, unknown keys reported with a suggestion.
final class ConfigOverrideTests: XCTestCase {
    private let yaml = "seed: 1\nplanner:\n  horizon: 10\n"

    private func decode(_ overrides: [String]) throws -> ExperimentConfig {
        try ConfigLoader.decode(ExperimentConfig.self, yaml: yaml, file: "test.yaml", overrides: overrides)
    }

    private func error(_ overrides: [String], file: StaticString = #filePath, line: UInt = #line) -> ConfigError? {
        do {
            _ = try decode(overrides)
            XCTFail("expected an error for \(overrides)", file: file, line: line)
        } catch let error as ConfigError {
            return error
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
        }
        return nil
    }

    func testOverrideChangesValues() throws {
        let config = try decode(["planner.horizon=30", "seed=3", "model.backbone=gru", "env.max_episode_steps=500",
                                 "planner.kind=mppi", "planner.mppi_temperature=0.25", "model.learning_rate=3e-4",
                                 "env.settings.gravity=9.8", "output.dir=/tmp/runs", "name=\"12\""])
        XCTAssertEqual(config.planner.horizon, 30)
        XCTAssertEqual(config.seed, 3)
        XCTAssertEqual(config.model.backbone, .gru)
        XCTAssertEqual(config.env.maxEpisodeSteps, 500)
        XCTAssertEqual(config.planner.kind, .mppi)
        XCTAssertEqual(config.planner.mppiTemperature, 0.25)
        XCTAssertEqual(config.model.learningRate, 3e-4)
        XCTAssertEqual(config.env.settings, ["gravity": .double(9.8)])
        XCTAssertEqual(config.output.dir, "/tmp/runs")
        XCTAssertEqual(config.name, "12")
    }

    func testLaterOverrideWinsAndEmptyValueResetsToDefault() throws {
        XCTAssertEqual(try decode(["seed=3", "seed=4"]).seed, 4)
        XCTAssertEqual(try decode(["planner.horizon="]).planner.horizon, PlannerConfig().horizon)
        XCTAssertEqual(try decode(["planner={population: 64}"]).planner.population, 64)
        XCTAssertEqual(try decode(["planner={population: 64}"]).planner.horizon, 15, "a mapping value replaces the section")
    }

    func testUnknownOverrideKeySuggestsClosest() {
        let e = error(["model.hiden_size=3"])
        XCTAssertEqual(e?.description, "override 'model.hiden_size=3': model.hiden_size: unknown key 'hiden_size'; "
            + "did you mean 'hidden_size'? (valid keys: activation, backbone, batch_size, bootstrap, burn_in, deterministic, "
            + "elites, epochs_per_trial, final_learning_rate_scale, gradient_clip, gru, head_hidden_size, head_input_skip, hidden_layers, hidden_size, kind, "
            + "learned_reward, learning_rate, mamba, members, patience, reward_loss_weight, s4wm, sequence_length, "
            + "sequence_sampling, train_steps, transformer, "
            + "validation_ratio, warmup_steps, weight_decay)")
        XCTAssertEqual(error(["modle.hidden_size=3"])?.description.hasPrefix(
            "override 'modle.hidden_size=3': modle: unknown key 'modle'; did you mean 'model'?"), true)
    }

    func testOverrideIsTypeChecked() {
        XCTAssertEqual(error(["planner.population=many"])?.description,
                       "override 'planner.population=many': planner.population: expected an integer, found the string 'many'")
        XCTAssertEqual(error(["planner.population=\"5\""])?.description,
                       "override 'planner.population=\"5\"': planner.population: expected an integer, found the string '5'")
        XCTAssertEqual(error(["planner.population=0"])?.description,
                       "override 'planner.population=0': planner.population: expected an integer of at least 1, found 0")
        XCTAssertEqual(error(["model.activation=gelu"])?.description,
                       "override 'model.activation=gelu': model.activation: expected one of silu, relu, leaky_relu, tanh, found 'gelu'")
    }

    func testSwitchingVariantOnTheCommandLine() throws {
        let file = "planner:\n  kind: cem\n  elite_ratio: 0.2\n"
        XCTAssertThrowsError(try ConfigLoader.decode(ExperimentConfig.self, yaml: file, file: "test.yaml",
                                                     overrides: ["planner.kind=mppi"])) { error in
            XCTAssertEqual((error as? ConfigError)?.location, "test.yaml:3:16")
            XCTAssertEqual((error as? ConfigError)?.keyPath, ["planner", "elite_ratio"])
        }
        let config = try ConfigLoader.decode(ExperimentConfig.self, yaml: file,
                                             overrides: ["planner.kind=mppi", "planner.elite_ratio="])
        XCTAssertEqual(config.planner.kind, .mppi)
    }

    func testOverrideIntoAScalarIsAnError() {
        XCTAssertEqual(error(["seed.value=3"])?.description,
                       "override 'seed.value=3': seed: expected a mapping to set 'value' in, found 1")
    }

    func testMalformedOverrides() {
        XCTAssertEqual(error(["seed"])?.description,
                       "override 'seed': malformed override: missing '=' (expected key.path=value, e.g. planner.population=100)")
        XCTAssertEqual(error(["=3"])?.kind, .malformedOverride(reason: "empty key before '='"))
        XCTAssertEqual(error(["planner..horizon=3"])?.kind,
                       .malformedOverride(reason: "empty segment in key 'planner..horizon'"))
        let badValue = error(["planner.horizon=[1, 2"])
        XCTAssertEqual(badValue?.override, "planner.horizon=[1, 2")
        XCTAssertEqual(badValue?.message.hasPrefix("malformed override: value '[1, 2' is not valid YAML ("), true,
                       badValue?.description ?? "")
    }

    func testFileErrorsKeepFileLocationAlongsideOverrides() {
        do {
            _ = try ConfigLoader.decode(ExperimentConfig.self, yaml: "planner:\n  populaton: 3\n", file: "test.yaml",
                                        overrides: ["planner.horizon=4"])
            XCTFail("expected an unknown-key error")
        } catch let error as ConfigError {
            XCTAssertEqual(error.location, "test.yaml:2:3")
            XCTAssertNil(error.override)
        } catch {
            XCTFail("unexpected \(error)")
        }
    }
}
