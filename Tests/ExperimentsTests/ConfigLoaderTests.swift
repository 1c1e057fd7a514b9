import Foundation
import XCTest
@testable import Experiments

/// Error messages of the config loader, pinned: each names the file, the key
/// path, what was expected and found, and the line:column.
final class ConfigLoaderTests: XCTestCase {
    private func error(_ yaml: String, overrides: [String] = [],
                       file: StaticString = #filePath, line: UInt = #line) -> ConfigError? {
        capturedConfigError(file: file, line: line) {
            _ = try ConfigLoader.decode(ExperimentConfig.self, yaml: yaml, file: "test.yaml", overrides: overrides)
        }
    }

    /// Found by `ConfigFuzzTests`: before, a control character gave `c.yaml: invalid YAML: control characters
    /// are not allowed`, with no position (Yams' reader errors carry an offset, not a mark).
    func testControlCharacterIsReportedAtItsLineAndColumn() {
        let error = capturedConfigError { _ = try ExperimentSweep.decode(yaml: "name: a\nseed: 1\u{1}\n", file: "c.yaml") }
        XCTAssertEqual(error?.description, "c.yaml:2:8: invalid YAML: control characters are not allowed (U+0001)")
    }

    func testEmptyDocumentGivesDefaults() throws {
        XCTAssertEqual(try ConfigLoader.decode(ExperimentConfig.self, yaml: ""), ExperimentConfig())
        XCTAssertEqual(try ConfigLoader.decode(ExperimentConfig.self, yaml: "# only a comment\n"), ExperimentConfig())
    }

    func testDefaultsAreMbrlLibPets() {
        let config = ExperimentConfig()
        XCTAssertEqual(config.env.id, "ContinuousCartPole-v0")
        XCTAssertEqual(config.initialRandomSteps, 200)
        XCTAssertEqual(config.model.members, 5)
        XCTAssertEqual(config.model.hiddenSize, 200)
        XCTAssertEqual(config.model.hiddenLayers, 3)
        XCTAssertEqual(config.model.learningRate, 1e-3)
        XCTAssertEqual(config.model.weightDecay, 5e-5)
        XCTAssertEqual(config.model.batchSize, 32)
        XCTAssertEqual(config.model.epochsPerTrial, 50)
        XCTAssertEqual(config.planner.kind, .cem)
        XCTAssertEqual(config.planner.horizon, 15)
        XCTAssertEqual(config.planner.population, 500)
        XCTAssertEqual(config.planner.iterations, 5)
        XCTAssertEqual(config.planner.eliteRatio, 0.1)
        XCTAssertEqual(config.planner.alpha, 0.1)
        XCTAssertEqual(config.planner.particles, 20)
        XCTAssertEqual(config.planner.propagation, .tsInf)
        XCTAssertEqual(config.output.dir, "runs")
        XCTAssertNoThrow(try config.validate())
    }

    func testValuesAreRead() throws {
        let config = try ConfigLoader.decode(ExperimentConfig.self, yaml: """
            name: demo
            seed: 7
            env:
              id: Pendulum-v1
              settings: {g: 9.81, hard: true, steps: 3, mode: fast, code: "12"}
              max_episode_steps: 100
            trial_length: 50
            model: {learning_rate: 1e-4, activation: tanh, backbone: gru}
            planner: {kind: mppi, mppi_temperature: 0.5, population: 64}
            """)
        XCTAssertEqual(config.name, "demo")
        XCTAssertEqual(config.seed, 7)
        XCTAssertEqual(config.env.id, "Pendulum-v1")
        XCTAssertEqual(config.env.settings, ["g": .double(9.81), "hard": .bool(true), "steps": .int(3),
                                             "mode": .string("fast"), "code": .string("12")])
        XCTAssertEqual(config.env.maxEpisodeSteps, 100)
        XCTAssertEqual(config.trialLength, 50)
        XCTAssertEqual(config.model.learningRate, 1e-4)
        XCTAssertEqual(config.model.activation, .tanh)
        XCTAssertEqual(config.model.backbone, .gru)
        XCTAssertEqual(config.model.backbone.worldModelBackbone, .gru)
        XCTAssertEqual(ModelBackbone.allCases.map(\.worldModelBackbone.rawValue), ModelBackbone.allCases.map(\.rawValue))
        XCTAssertEqual(config.planner.kind, .mppi)
        XCTAssertEqual(config.planner.mppiTemperature, 0.5)
        XCTAssertEqual(config.planner.population, 64)
        XCTAssertEqual(config.model.members, 5, "absent keys keep their defaults")
    }

    func testUnknownKeySuggestsClosest() {
        let e = error("""
            seed: 1
            planner:
              horizon: 10
              populaton: 100
            """)
        XCTAssertEqual(e?.description, "test.yaml:4:3: planner.populaton: unknown key 'populaton'; did you mean "
            + "'population'? (valid keys: alpha, elite_ratio, horizon, iterations, kind, "
            + "mppi_noise_std, mppi_temperature, particles, population, propagation, replan_every)")
        XCTAssertEqual(e?.keyPath, ["planner", "populaton"])
    }

    func testUnknownTopLevelKeyAndCamelCaseSuggestion() {
        XCTAssertEqual(error("seed: 1\nplaner: {horizon: 3}\n")?.message.hasPrefix("unknown key 'planer'; did you mean 'planner'?"), true)
        XCTAssertEqual(error("model:\n  hiddenSize: 64\n")?.message.hasPrefix("unknown key 'hiddenSize'; did you mean 'hidden_size'?"), true)
        let far = error("colour: blue\n")
        XCTAssertEqual(far?.message.hasPrefix("unknown key 'colour' (valid keys: algorithm, bc, dqn, dyna_q, env, eval,"), true, far?.description ?? "")
    }

    func testWrongType() {
        XCTAssertEqual(error("planner:\n  population: \"many\"\n")?.description,
                       "test.yaml:2:15: planner.population: expected an integer, found the string 'many'")
        XCTAssertEqual(error("planner:\n  population: 1.5\n")?.description,
                       "test.yaml:2:15: planner.population: expected an integer, found 1.5")
        XCTAssertEqual(error("model:\n  bootstrap: yes\n")?.description,
                       "test.yaml:2:14: model.bootstrap: expected a boolean (true or false), found the string 'yes'")
        XCTAssertEqual(error("model: 5\n")?.description,
                       "test.yaml:1:8: model: expected a mapping (a section of key: value lines), found 5")
        XCTAssertEqual(error("model:\n  learning_rate: [1, 2]\n")?.description,
                       "test.yaml:2:18: model.learning_rate: expected a number, found a list")
        XCTAssertEqual(error("env:\n  settings: {g: [1]}\n")?.description,
                       "test.yaml:2:17: env.settings.g: expected a boolean, integer, number or string, found a list")
        XCTAssertEqual(error("seed: 99999999999999999999\n")?.description,
                       "test.yaml:1:7: seed: expected an integer in \(Int.min)...\(Int.max), found 99999999999999999999")
    }

    func testOutOfRange() {
        XCTAssertEqual(error("planner:\n  population: 0\n")?.description,
                       "test.yaml:2:15: planner.population: expected an integer of at least 1, found 0")
        XCTAssertEqual(error("model:\n  members: 3\n  elites: 4\n")?.description,
                       "test.yaml:3:11: model.elites: expected an integer in 1...3 (at most model.members), found 4")
        XCTAssertEqual(error("planner: {alpha: 1.0}\n")?.description,
                       "test.yaml:1:18: planner.alpha: expected a number in [0.0, 1.0), found 1.0")
        XCTAssertEqual(error("model: {learning_rate: -1e-3}\n")?.description,
                       "test.yaml:1:24: model.learning_rate: expected a finite number greater than 0, found -0.001")
        XCTAssertEqual(error("name: my run\n")?.description,
                       "test.yaml:1:7: name: expected a non-empty name of letters, digits, '.', '_' or '-', found 'my run'")
        XCTAssertEqual(error("planner: {horizon: 5, replan_every: 6}\n")?.keyPath, ["planner", "replan_every"])
    }

    func testElitesDefaultToAllMembers() throws {
        XCTAssertEqual(try ConfigLoader.decode(ExperimentConfig.self, yaml: "model: {members: 3}").model.elites, 3)
        XCTAssertEqual(try ConfigLoader.decode(ExperimentConfig.self, yaml: "model: {members: 7, elites: 5}").model.elites, 5)
    }

    func testAnchorsAndAliasesDoNotTrap() throws {
        let config = try ConfigLoader.decode(ExperimentConfig.self, yaml: """
            name: &n aliased
            output: {dir: *n}
            """)
        XCTAssertEqual(config.output.dir, "aliased")
        XCTAssertEqual(error("base: &b {horizon: 3}\nplanner:\n  <<: *b\n")?.keyPath.first, "base")
    }

    func testRangeDependingOnAnotherField() {
        XCTAssertEqual(error("planner: {replan_every: 20}\n")?.description,
                       "test.yaml:1:25: planner.replan_every: expected an integer in 1...15 (at most planner.horizon), found 20")
    }

    func testEnumListsChoices() {
        XCTAssertEqual(error("planner:\n  kind: cma\n")?.description,
                       "test.yaml:2:9: planner.kind: expected one of cem, mppi, random_shooting, found 'cma'")
        XCTAssertEqual(error("model: {backbone: lstm}\n")?.description,
                       "test.yaml:1:19: model.backbone: expected one of mlp, gru, s4wm, mamba, transformer, found 'lstm'")
        XCTAssertEqual(error("model: {activation: gelu}\n")?.message,
                       "expected one of silu, relu, leaky_relu, tanh, found 'gelu'")
    }

    func testInapplicableKeyForVariant() {
        XCTAssertEqual(error("planner:\n  kind: cem\n  mppi_temperature: 0.5\n")?.description,
                       "test.yaml:3:21: planner.mppi_temperature: applies only when planner.kind is mppi, but "
                       + "planner.kind is cem; remove it (on the command line: planner.mppi_temperature=) or set "
                       + "planner.kind to mppi (choices: cem, mppi, random_shooting)")
        XCTAssertEqual(error("planner: {kind: random_shooting, iterations: 3}\n")?.keyPath, ["planner", "iterations"])
        XCTAssertEqual(error("planner: {kind: mppi, elite_ratio: 0.2}\n")?.keyPath, ["planner", "elite_ratio"])
    }

    func testInvalidYAMLReportsLineAndColumn() {
        let e = error("seed: 1\nplanner:\n  horizon: [1, 2\n  kind: cem\n")
        XCTAssertEqual(e?.file, "test.yaml")
        XCTAssertNotNil(e?.line)
        XCTAssertNotNil(e?.column)
        XCTAssertEqual(e?.description.hasPrefix("test.yaml:\(e?.line ?? 0):\(e?.column ?? 0): invalid YAML: "), true,
                       e?.description ?? "")
        let tab = error("seed: 1\n  bad: : x\n")
        XCTAssertEqual(tab?.line, 2)
        XCTAssertEqual(error("seed: 1\nseed: 2\n")?.description, "test.yaml:2:1: invalid YAML: duplicate key(s) 'seed' in a mapping")
        XCTAssertEqual(error("model:\n  members: 1\n  elites: 1\n  members: 2\n")?.location, "test.yaml:4:3")
        XCTAssertEqual(error("- 1\n- 2\n")?.description,
                       "test.yaml:1:1: expected a mapping of keys to values at the top level, found a list")
    }

    func testInvalidYAMLExactMessage() {
        XCTAssertEqual(error("seed: 1\nname: \"unclosed\n")?.description,
                       "test.yaml:3:1: invalid YAML: found unexpected end of stream "
                       + "(while scanning a quoted scalar at 2:7)")
    }

    func testMissingFile() {
        XCTAssertThrowsError(try ConfigLoader.load(ExperimentConfig.self, file: "/nonexistent/pets.yaml")) { error in
            XCTAssertEqual(String(describing: error),
                           "/nonexistent/pets.yaml: config file not found (expected a YAML file at this path)")
        }
        XCTAssertThrowsError(try ConfigLoader.load(ExperimentConfig.self, file: NSTemporaryDirectory())) { error in
            XCTAssertEqual((error as? ConfigError)?.kind, .unreadable(reason: "it is a directory"))
        }
    }

    func testLoadFromFileNamesTheFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString).yaml")
        try "planner:\n  population: 0\n".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        XCTAssertThrowsError(try ConfigLoader.load(ExperimentConfig.self, file: url.path)) { error in
            XCTAssertEqual(String(describing: error),
                           "\(url.path):2:15: planner.population: expected an integer of at least 1, found 0")
        }
        try Data([0x73, 0x65, 0xFF, 0xFE]).write(to: url)
        XCTAssertThrowsError(try ConfigLoader.load(ExperimentConfig.self, file: url.path)) { error in
            XCTAssertEqual((error as? ConfigError)?.kind, .unreadable(reason: "it is not UTF-8 text"))
        }
    }

    func testErrorIsLocalized() {
        let e = error("planner: {population: 0}\n")
        XCTAssertEqual(e?.localizedDescription, e?.description)
    }
}
