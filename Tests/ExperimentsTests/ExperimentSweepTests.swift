import XCTest
@testable import Experiments

/// `variants:` and `seeds:`: how a sweep file resolves into runs, and its error messages, pinned.
final class ExperimentSweepTests: XCTestCase {
    static let yaml = """
        name: sweep
        model:
          learned_reward: false
        seeds: [3, 1]
        variants:
          mlp: {model.backbone: mlp, model.hidden_size: 16}
          gru:
            model.backbone: gru
            model: {train_steps: 20, gru: {hidden_size: 8}}
            model.gru.layers: 2

        """

    private func message(_ yaml: String, overrides: [String] = [], file: StaticString = #filePath, line: UInt = #line) -> String? {
        capturedConfigError(file: file, line: line) {
            _ = try ExperimentSweep.decode(yaml: yaml, file: "sweep.yaml", overrides: overrides)
        }?.description
    }

    func testVariantsTimesSeedsResolveInOrder() throws {
        let sweep = try ExperimentSweep.decode(yaml: Self.yaml, file: "sweep.yaml")
        XCTAssertTrue(sweep.isSweep)
        XCTAssertEqual(sweep.name, "sweep")
        XCTAssertEqual(sweep.variants, ["mlp", "gru"])
        XCTAssertEqual(sweep.seeds, [3, 1])
        XCTAssertEqual(sweep.runs.map { "\($0.variant!)/\($0.config.seed)" }, ["mlp/3", "mlp/1", "gru/3", "gru/1"])
        XCTAssertEqual(sweep.runs.map(\.config.name), ["sweep-mlp", "sweep-mlp", "sweep-gru", "sweep-gru"])
        XCTAssertEqual(sweep.runSeeds, [3, 1])
        XCTAssertEqual(sweep.runs(seed: 1).map(\.variant), ["mlp", "gru"])

        let mlp = sweep.runs[0].config.model, gru = sweep.runs[2].config.model
        XCTAssertEqual(mlp.backbone, .mlp)
        XCTAssertEqual(mlp.hiddenSize, 16)
        XCTAssertFalse(mlp.learnedReward, "the base applies to every variant")
        XCTAssertEqual(gru.backbone, .gru)
        XCTAssertEqual(gru.trainSteps, 20, "nested mappings are key-path segments")
        XCTAssertEqual(gru.gru.hiddenSize, 8)
        XCTAssertEqual(gru.gru.layers, 2)
        XCTAssertEqual(gru.hiddenSize, ModelConfig().hiddenSize, "one variant's overrides do not leak into another")
        XCTAssertFalse(gru.learnedReward)
    }

    func testAFileWithoutVariantsIsOneRun() throws {
        let sweep = try ExperimentSweep.decode(yaml: "name: one\nseed: 4\n", overrides: ["planner.population=7"])
        XCTAssertFalse(sweep.isSweep)
        XCTAssertEqual(sweep.runs.count, 1)
        XCTAssertNil(sweep.runs[0].variant)
        XCTAssertEqual(sweep.runs[0].config.name, "one")
        XCTAssertEqual(sweep.runs[0].config.seed, 4)
        XCTAssertEqual(sweep.runs[0].config.planner.population, 7)
    }

    func testCommandLineOverridesHaveTheLastWordAndCanEditAVariant() throws {
        let sweep = try ExperimentSweep.decode(yaml: Self.yaml, file: "sweep.yaml",
                                               overrides: ["model.hidden_size=4", "variants.gru.model.train_steps=3", "seeds=[9]"])
        XCTAssertEqual(sweep.runs.map(\.config.seed), [9, 9])
        XCTAssertEqual(sweep.runs[0].config.model.hiddenSize, 4, "the command line overrides the variant")
        XCTAssertEqual(sweep.runs[1].config.model.trainSteps, 3)
        XCTAssertEqual(sweep.runs[1].config.model.gru.hiddenSize, 8, "editing one key keeps the variant's others")

        let noVariants = try ExperimentSweep.decode(yaml: Self.yaml, overrides: ["variants="])
        XCTAssertEqual(noVariants.runs.map(\.variant), [nil, nil])
        XCTAssertEqual(noVariants.runs.map(\.config.name), ["sweep", "sweep"])

        let seeded = try ExperimentSweep.decode(yaml: "seed: 4\n", overrides: ["seeds=[1, 2]"])
        XCTAssertEqual(seeded.runs.map(\.config.seed), [1, 2], "seeds on the command line replace the file's seed")
    }

    func testAVariantMayRenameItsRun() throws {
        let sweep = try ExperimentSweep.decode(yaml: "name: base\nvariants:\n  a: {name: custom}\n  b: {}\n")
        XCTAssertEqual(sweep.runs.map(\.config.name), ["custom", "base-b"])
        XCTAssertEqual(sweep.name, "base")
    }

    // MARK: - Errors name the file, the position, the variant and the key

    func testUnknownKeyInAVariantNamesTheVariantAndSuggests() {
        XCTAssertEqual(message("variants:\n  gru: {model.backbone: gru, model.gru.hiden_size: 8}\n"),
                       "sweep.yaml:2:30: variant 'gru': model.gru.hiden_size: unknown key 'hiden_size'; did you mean 'hidden_size'? "
                       + "(valid keys: hidden_size, layers, observation_to_deterministic, stochastic_size, update_gate_bias)")
        XCTAssertEqual(message("variants:\n  a: {model: {hiden_size: 8}}\n"),
                       "sweep.yaml:2:15: variant 'a': model.hiden_size: unknown key 'hiden_size'; did you mean 'hidden_size'? "
                       + "(valid keys: activation, backbone, batch_size, bootstrap, burn_in, deterministic, elites, epochs_per_trial, "
                       + "final_learning_rate_scale, gradient_clip, gru, head_hidden_size, head_input_skip, hidden_layers, hidden_size, kind, learned_reward, learning_rate, mamba, "
                       + "members, patience, reward_loss_weight, s4wm, sequence_length, sequence_sampling, train_steps, transformer, "
                       + "validation_ratio, warmup_steps, weight_decay)")
    }

    func testBadValuesAndInapplicableKeysNameTheVariant() {
        XCTAssertEqual(message("variants:\n  a: {model.backbone: gpu}\n"),
                       "sweep.yaml:2:23: variant 'a': model.backbone: expected one of mlp, gru, s4wm, mamba, transformer, found 'gpu'")
        XCTAssertEqual(message("model:\n  s4wm: {d_model: 8}\nvariants:\n  a: {model.backbone: gru}\n"),
                       "sweep.yaml:2:9: variant 'a': model.s4wm: applies only when model.backbone is s4wm, but model.backbone is gru; "
                       + "remove it (on the command line: model.s4wm=) or set model.backbone to s4wm (choices: mlp, gru, s4wm, mamba, transformer)")
        XCTAssertEqual(message("variants:\n  a: {}\n  b: {model.backbone: gru}\n", overrides: ["model.train_steps=3"]),
                       "override 'model.train_steps=3': variant 'a': model.train_steps: applies only to sequence backbones "
                       + "(model.backbone: gru, s4wm, mamba, transformer), but model.backbone is mlp; remove it "
                       + "(on the command line: model.train_steps=) or choose a sequence backbone")
        XCTAssertEqual(message(Self.yaml, overrides: ["variants.gru.model.train_steps=x"]),
                       "override 'variants.gru.model.train_steps=x': variant 'gru': model.train_steps: expected an integer, found the string 'x'")
    }

    func testMalformedVariantsAreErrors() {
        XCTAssertEqual(message("variants: {}\n"),
                       "sweep.yaml:1:11: variants: expected at least one variant (name: {key.path: value, ...}), found an empty mapping")
        XCTAssertEqual(message("variants: [a, b]\n"),
                       "sweep.yaml:1:11: variants: expected a mapping of variant names to overrides, e.g. {gru: {model.backbone: gru}}, "
                       + "found a list")
        XCTAssertEqual(message("variants:\n  a b: {}\n"),
                       "sweep.yaml:2:3: variants.a b: expected a variant name of letters, digits, '.', '_' or '-' "
                       + "(it names run directories), found 'a b'")
        XCTAssertEqual(message("variants:\n  a: 3\n"),
                       "sweep.yaml:2:6: variants.a: expected a mapping of key paths to values, e.g. {model.backbone: gru}, found 3")
        XCTAssertEqual(message("variants:\n  a: {seeds: [1]}\n"),
                       "sweep.yaml:2:7: variants.a.seeds: a variant cannot set seeds; define variants and seeds at the top level")
        XCTAssertEqual(message("variants:\n  a: {model..x: 3}\n"),
                       "sweep.yaml:2:7: variants.a.model..x: expected a key path of non-empty segments separated by '.', "
                       + "e.g. model.gru.hidden_size, found 'model..x'")
        XCTAssertEqual(message(Self.yaml, overrides: ["variants.gur.model.train_steps=3"]),
                       "override 'variants.gur.model.train_steps=3': variants.gur: unknown key 'gur'; did you mean 'gru'? (valid keys: mlp, gru)")
    }

    func testMalformedSeedsAreErrors() {
        XCTAssertEqual(message("seeds: 3\n"), "sweep.yaml:1:8: seeds: expected a list of seeds such as [0, 1, 2], found 3")
        XCTAssertEqual(message("seeds: []\n"), "sweep.yaml:1:8: seeds: expected at least one seed, found an empty list")
        XCTAssertEqual(message("seeds: [1, x]\n"), "sweep.yaml:1:12: seeds.1: expected an integer, found the string 'x'")
        XCTAssertEqual(message("seeds: [1, -2]\n"), "sweep.yaml:1:12: seeds.1: expected an integer of at least 0, found -2")
        XCTAssertEqual(message("seeds: [1]\n", overrides: ["seeds=[2, 2]"]),
                       "override 'seeds=[2, 2]': seeds.1: expected distinct seeds, found 2 twice")
        XCTAssertEqual(message("seed: 2\nseeds: [1, 2]\n"),
                       "sweep.yaml:1:1: seed: the file lists seeds (seeds: [1, 2]); give either seed or seeds, not both")
        XCTAssertEqual(message("seeds: [1, 2]\n", overrides: ["seed=5"]),
                       "override 'seed=5': seed: the file lists seeds (seeds: [1, 2]); override seeds=[...] instead of seed")
    }

    func testLoadingASweepAsOneConfigSaysHowToLoadIt() {
        XCTAssertThrowsError(try ConfigLoader.decode(ExperimentConfig.self, yaml: "seeds: [1]\n", file: "sweep.yaml")) { error in
            XCTAssertEqual((error as? ConfigError)?.description,
                           "sweep.yaml:1:8: seeds: makes the file a sweep of several runs; load it with ExperimentSweep.load "
                           + "(as mbrl run and mbrl eval-model do), which resolves each run without this key")
        }
    }
}
