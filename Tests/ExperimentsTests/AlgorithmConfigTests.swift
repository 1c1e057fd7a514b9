import Foundation
import XCTest
@testable import Experiments

/// `algorithm:` and its sections: keys of another loop, bad values, and
/// environment spaces that do not fit the loop are errors naming the file,
/// `line:column`, the key and what fits.
final class AlgorithmConfigTests: XCTestCase {
    private func error(_ yaml: String, overrides: [String] = [], file: StaticString = #filePath, line: UInt = #line) -> ConfigError? {
        capturedConfigError(file: file, line: line) {
            _ = try ConfigLoader.decode(ExperimentConfig.self, yaml: yaml, file: "test.yaml", overrides: overrides)
        }
    }

    func testEveryAlgorithmDecodesWithItsSectionAndRendersBack() throws {
        for algorithm in Algorithm.allCases {
            let dataset = algorithm.isOffline ? "offline: {dataset: data.npz}\n" : ""
            let config = try ConfigLoader.decode(ExperimentConfig.self, yaml: "algorithm: \(algorithm.rawValue)\n" + dataset)
            XCTAssertEqual(config.algorithm, algorithm)
            let rendered = try ConfigRenderer.render(config)
            XCTAssertEqual(try ConfigLoader.decode(ExperimentConfig.self, yaml: rendered), config, rendered)
            XCTAssertEqual(rendered.contains("\nplanner:"), algorithm == .pets, rendered)
            XCTAssertEqual(rendered.contains("\nsac:"), algorithm.usesSAC, rendered)
            XCTAssertEqual(rendered.contains("\nmodel:"), algorithm.usesWorldModel, rendered)
            XCTAssertEqual(rendered.contains("\noffline:"), algorithm.isOffline, rendered)
            XCTAssertEqual(rendered.contains("\ntd3_bc:"), algorithm == .td3BC, rendered)
            XCTAssertEqual(rendered.contains("\nbc:"), algorithm == .bc, rendered)
            XCTAssertEqual(rendered.contains("\ntotal_steps:"), [.dqn, .sac, .mbpo].contains(algorithm), rendered)
            XCTAssertEqual(config.eval.every, algorithm == .pets ? 0 : algorithm.isOffline ? 5000 : 1000,
                           "PETS evaluates only when asked: its trials are planner episodes; offline loops count gradient steps")
        }
    }

    func testKeysOfAnotherLoopAreInapplicable() {
        XCTAssertEqual(error("algorithm: dqn\nplanner:\n  horizon: 5\n")?.description,
                       "test.yaml:3:3: planner: applies only when algorithm is pets, but algorithm is dqn; remove it "
                        + "(on the command line: planner=) or set algorithm to pets (choices: pets, dyna_q, dqn, sac, mbpo, mopo, morel, ravl, offline_mbpo, bc, td3_bc)")
        XCTAssertEqual(error("algorithm: sac\ndqn: {gamma: 0.9}\n")?.keyPath, ["dqn"])
        XCTAssertEqual(error("algorithm: pets\ntotal_steps: 5\n")?.message.hasPrefix("applies only when algorithm is dqn or sac or mbpo"), true)
        XCTAssertEqual(error("algorithm: dyna_q\nmodel: {members: 3}\n")?.message.hasPrefix("applies only when algorithm is pets or mbpo or mopo or morel or ravl or offline_mbpo"), true)
        XCTAssertEqual(error("algorithm: dqn\nsac: {gamma: 0.9}\n")?.message.hasPrefix("applies only when algorithm is sac or mbpo or mopo or morel or ravl or offline_mbpo"), true)
        XCTAssertEqual(error("algorithm: sac\nmbpo: {epoch_length: 5}\n")?.keyPath, ["mbpo"])
        XCTAssertEqual(error("algorithm: reinforce\n")?.description,
                       "test.yaml:1:12: algorithm: expected one of pets, dyna_q, dqn, sac, mbpo, mopo, morel, ravl, offline_mbpo, bc, td3_bc, found 'reinforce'")
    }

    func testBadValuesNameTheKey() {
        XCTAssertEqual(error("algorithm: mbpo\nmbpo:\n  rollout_schedule: [1, 15, 0, 1]\n")?.description,
                       "test.yaml:3:21: mbpo.rollout_schedule: expected rollout lengths (the last two entries) of at least 1, found [1, 15, 0, 1]")
        XCTAssertEqual(error("algorithm: mbpo\nmbpo:\n  rollout_schedule: [1, 15, 1]\n")?.message,
                       "expected [min_epoch, max_epoch, min_length, max_length], four integers, found [1, 15, 1]")
        XCTAssertEqual(error("algorithm: mbpo\nmbpo:\n  real_data_ratio: 1.5\n")?.description,
                       "test.yaml:3:20: mbpo.real_data_ratio: expected a number in [0.0, 1.0], found 1.5")
        XCTAssertEqual(error("algorithm: mbpo\nmbpo: {termination: learned}\n")?.description,
                       "test.yaml:2:21: mbpo.termination: expected known or none with model.backbone mlp (the MLP ensemble learns no "
                        + "termination; learned needs a sequence backbone: gru, s4wm, mamba, transformer), found learned")
        XCTAssertEqual(error("algorithm: dqn\ndqn: {hidden_sizes: [64, 0]}\n")?.message,
                       "expected a non-empty list of positive layer sizes, e.g. [256, 256], found [64, 0]")
        XCTAssertEqual(error("algorithm: dqn\ndqn: {loss: l1}\n")?.message, "expected one of mse, huber, found 'l1'")
        XCTAssertEqual(error("algorithm: sac\nsac: {log_std_min: 2, log_std_max: -5}\n")?.keyPath, ["sac", "log_std_max"])
        XCTAssertEqual(error("algorithm: dyna_q\ndyna_q: {epsilon: 1.5}\n")?.keyPath, ["dyna_q", "epsilon"])
        XCTAssertEqual(error("eval: {episodes: 0}\n")?.keyPath, ["eval", "episodes"])
        XCTAssertEqual(error("algorithm: sac", overrides: ["sac.policy_frequency=0"])?.description,
                       "override 'sac.policy_frequency=0': sac.policy_frequency: expected an integer of at least 1, found 0")
    }

    /// `sac.num_critics` and `sac.eta` (SAC-N / EDAC) reach the learner and are checked.
    func testSACNCriticsAndEDACDiversityKeys() throws {
        let config = try ConfigLoader.decode(ExperimentConfig.self, yaml: "algorithm: sac\nsac: {num_critics: 10, eta: 1.5}\n")
        let learner = config.sac.learnerConfiguration(threads: 1)
        XCTAssertEqual(learner.criticCount, 10)
        XCTAssertEqual(learner.diversityWeight, 1.5)
        XCTAssertNoThrow(try learner.validate())
        XCTAssertEqual(ExperimentConfig().sac.learnerConfiguration(threads: 1).criticCount, 2, "plain SAC by default")
        XCTAssertEqual(error("algorithm: sac\nsac: {num_critics: 1}\n")?.keyPath, ["sac", "num_critics"])
        XCTAssertEqual(error("algorithm: sac", overrides: ["sac.eta=-1"])?.description,
                       "override 'sac.eta=-1': sac.eta: expected a finite number ≥ 0, found -1.0")
    }

    func testTheRolloutScheduleIsMbrlLibsTruncatedLinear() {
        var mbpo = MBPOConfig()
        mbpo.rolloutSchedule = [20, 100, 1, 15]
        XCTAssertEqual([1, 20, 21, 60, 100, 150].map { mbpo.rolloutLength(epoch: $0) }, [1, 1, 1, 8, 15, 15])
        mbpo.rolloutSchedule = [1, 15, 1, 1]
        XCTAssertEqual(mbpo.rolloutLength(epoch: 8), 1)
    }

    func testSpacesThatDoNotFitTheLoopAreConfigErrorsAtTheAlgorithmKey() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mbrl-algorithm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let cases: [(String, String)] = [
            ("algorithm: dqn\nenv: {id: ContinuousCartPole-v0}\n",
             ":1:1: algorithm: algorithm dqn needs a Discrete action space, but ContinuousCartPole-v0 has actions Box(-1.0, 1.0, [1]); "
                + "algorithms that fit ContinuousCartPole-v0: pets, sac, mbpo"),
            ("seed: 3\nalgorithm: sac\nenv: {id: CartPole-v1}\n",
             ":2:1: algorithm: algorithm sac needs a Box action space, but CartPole-v1 has actions Discrete(2); algorithms that fit CartPole-v1: pets, dqn"),
            ("algorithm: dyna_q\nenv: {id: CartPole-v1}\n",
             ":1:1: algorithm: algorithm dyna_q needs Discrete observations (a table row per state), but CartPole-v1 has continuous observations"),
            ("algorithm: dyna_q\nenv: {id: Pendulum-v1}\n",
             ":1:1: algorithm: algorithm dyna_q needs a Discrete action space, but Pendulum-v1 has actions Box(-2.0, 2.0, [1]); "
                + "algorithms that fit Pendulum-v1: pets, sac, mbpo"),
            ("algorithm: mbpo\nenv: {id: MountainCarContinuous-v0}\nmbpo: {termination: known}\n",
             ":3:8: mbpo.termination: known: there is no known termination function for MountainCarContinuous-v0"),
        ]
        for (yaml, expected) in cases {
            let file = directory.appendingPathComponent("config.yaml")
            try yaml.write(to: file, atomically: true, encoding: .utf8)
            let config = try ConfigLoader.load(ExperimentConfig.self, file: file.path)
            let runner = ExperimentRunner(config: config, configFile: file.path)
            let error = capturedConfigError { try runner.run(options: RunOptions(outputRoot: directory.appendingPathComponent("runs").path, quiet: true)) }
            XCTAssertTrue(error?.description.contains(expected) ?? false, "expected '\(expected)' in \(error?.description ?? "nil")")
            XCTAssertTrue(error?.description.hasPrefix(file.path) ?? false, error?.description ?? "nil")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("runs").path), "nothing is written")
        // Set on the command line, the error names the override.
        let config = try ConfigLoader.decode(ExperimentConfig.self, yaml: "env: {id: CartPole-v1}\n", overrides: ["algorithm=sac"])
        let runner = ExperimentRunner(config: config, configFile: nil, overrides: ["algorithm=sac"])
        XCTAssertTrue(capturedConfigError { try runner.run(options: RunOptions(quiet: true)) }?.description
            .hasPrefix("override 'algorithm=sac': algorithm: algorithm sac needs a Box action space") ?? false)
    }
}
