import Foundation
import XCTest

/// `mbrl run`: every config in Configs/ runs through the CLI with a tiny
/// budget, the same seed gives identical metrics, and bad input gives clear
/// errors that leave nothing behind.
final class RunCommandTests: XCTestCase {
    /// Overrides that shrink any PETS config to a few seconds in a debug build.
    static let tinyBudget = [
        "trials=1", "initial_random_steps=20", "trial_length=5",
        "planner.population=12", "planner.particles=5", "planner.horizon=4",
        "model.epochs_per_trial=2", "model.hidden_size=8", "model.hidden_layers=1",
    ]

    /// Overrides that shrink a config of each algorithm to a few seconds in a debug build.
    static let tinyBudgets: [String: [String]] = [
        "pets": tinyBudget,
        "dyna_q": ["dyna_q.episodes=2", "eval.every=50", "eval.episodes=1"],
        "dqn": ["total_steps=60", "dqn.learning_starts=20", "dqn.train_frequency=4", "dqn.gradient_steps=2", "dqn.batch_size=8",
                "dqn.hidden_sizes=[8]", "dqn.buffer_size=100", "dqn.target_network_frequency=10", "eval.every=30", "eval.episodes=1"],
        "sac": ["total_steps=60", "sac.learning_starts=20", "sac.batch_size=8", "sac.hidden_sizes=[8]", "eval.every=30", "eval.episodes=1"],
        "mbpo": ["total_steps=60", "mbpo.initial_exploration_steps=20", "mbpo.epoch_length=20", "mbpo.freq_train_model=10",
                 "mbpo.effective_model_rollouts_per_step=2", "mbpo.num_sac_updates_per_step=2", "mbpo.history_length=2",
                 "sac.batch_size=8", "sac.hidden_sizes=[8]", "model.hidden_size=8", "model.hidden_layers=1", "model.epochs_per_trial=2",
                 "eval.every=20", "eval.episodes=1"],
    ]

    /// For an offline config (one with an `offline:` section), a dataset for its dry runs; [] otherwise.
    func datasetOverride(for file: String) throws -> [String] {
        guard try String(contentsOfFile: file, encoding: .utf8).contains("\noffline:") else { return [] }
        return ["offline.dataset=\(try tinyDataset(for: file, beside: temporary))"]
    }

    /// For a config listing several seeds, only the first (the tiny runs check that each file runs, not its seeds).
    func firstSeedOverride(for file: String) throws -> [String] {
        try String(contentsOfFile: file, encoding: .utf8).contains("\nseeds:") ? ["seeds=[0]"] : []
    }

    /// The algorithm a config file runs, as `mbrl run --dry-run` prints it (its first run's).
    func algorithm(of file: String) throws -> String {
        let out = try mbrl(["run", file, "--dry-run"] + datasetOverride(for: file))
        XCTAssertEqual(out.status, 0, out.stderr)
        let line = out.stdout.split(separator: "\n").first { $0.hasPrefix("algorithm: ") }
        return line.map { String($0.dropFirst("algorithm: ".count)) } ?? "pets"
    }

    /// The variant of each run of a config file, in order, as `mbrl run --dry-run` lists them ([] without variants or seeds; "-" for a seed of a file without variants).
    func variants(of file: String, overrides: [String] = []) throws -> [String] {
        let out = try mbrl(["run", file, "--dry-run"] + datasetOverride(for: file) + overrides)
        XCTAssertEqual(out.status, 0, out.stderr)
        return out.stdout.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("# variant: ") else { return nil }
            return String(line.dropFirst("# variant: ".count).prefix { $0 != "," })
        }
    }

    /// Overrides that shrink every sequence variant of `file` to a few gradient steps on short windows.
    func tinyVariantOverrides(of file: String) throws -> [String] {
        let sequenceBackbones = ["gru", "rssm", "s4wm", "mamba", "transformer"]
        return try Set(variants(of: file)).filter(sequenceBackbones.contains).sorted().flatMap {
            ["variants.\($0).model.train_steps=2", "variants.\($0).model.sequence_length=4"]
        }
    }

    var temporary: URL!

    override func setUpWithError() throws {
        temporary = FileManager.default.temporaryDirectory.appendingPathComponent("mbrl-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: temporary)
        try? FileManager.default.removeItem(at: datasetFolder(beside: temporary))
    }

    func runDirectories() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: temporary, includingPropertiesForKeys: nil).sorted { $0.path < $1.path }
    }

    /// Overrides that shrink an offline config to a few seconds: the shared `offline:` keys, and for each
    /// variant the sections of its own algorithm (a model-based one's model and SAC, or BC's / TD3+BC's network).
    func tinyOfflineOverrides(of file: String) throws -> [String] {
        var overrides = ["offline.dataset=\(try tinyDataset(for: file, beside: temporary))", "offline.gradient_steps=40", "offline.rollout_batch_size=20",
                         "offline.rollout_freq=20", "eval.every=20", "eval.episodes=1"]
        let out = try mbrl(["run", file, "--dry-run"] + overrides)
        XCTAssertEqual(out.status, 0, out.stderr)
        var variant: String?
        for line in out.stdout.split(separator: "\n") {
            if line.hasPrefix("# variant: ") { variant = String(line.dropFirst("# variant: ".count).prefix { $0 != "," }) }
            guard line.hasPrefix("algorithm: ") else { continue }
            let prefix = variant.map { $0 == "-" ? "" : "variants.\($0)." } ?? ""
            switch line.dropFirst("algorithm: ".count) {
            case "bc": overrides += [prefix + "bc.hidden_sizes=[8]", prefix + "bc.batch_size=8"]
            case "td3_bc": overrides += [prefix + "td3_bc.hidden_sizes=[8]", prefix + "td3_bc.batch_size=8"]
            default:
                overrides += [prefix + "model.hidden_size=8", prefix + "model.hidden_layers=1", prefix + "model.epochs_per_trial=1",
                              prefix + "sac.hidden_sizes=[8]", prefix + "sac.batch_size=8"]
            }
        }
        return overrides
    }

    func testEveryConfigRunsWithATinyBudget() throws {
        let configs = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot.appendingPathComponent("Configs").path)
            .filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertTrue(configs.contains("pets-cartpole.yaml") && configs.contains("quickstart.yaml"), "\(configs)")
        var runs = 0
        for name in configs {
            let file = repositoryRoot.appendingPathComponent("Configs/\(name)").path
            let seeds = try firstSeedOverride(for: file)
            let count = max(1, try variants(of: file, overrides: seeds).count)   // one per (variant × seed)
            let algorithm = try algorithm(of: file)
            let offline = ["mopo", "morel", "ravl", "offline_mbpo", "bc", "td3_bc"].contains(algorithm)
            let budget = offline ? try tinyOfflineOverrides(of: file) : try XCTUnwrap(Self.tinyBudgets[algorithm], name)
            let variantOverrides = offline ? [] : try tinyVariantOverrides(of: file)
            let out = try mbrl(["run", file] + budget + variantOverrides + seeds + ["--out", temporary.path, "--quiet"])
            XCTAssertEqual(out.status, 0, "\(name): \(out.stderr)")
            XCTAssertEqual(out.stdout.components(separatedBy: "run directory: ").count - 1, count, "\(name): \(out.stdout)")
            runs += count
        }
        let directories = try runDirectories()
        XCTAssertEqual(directories.count, runs)
        for variant in ["mlp", "gru", "rssm", "s4wm", "mamba", "transformer"] {
            XCTAssertTrue(directories.contains { $0.lastPathComponent.hasPrefix("ContinuousCartPole-v0__compare-backbones-cartpole-\(variant)__0__") },
                          "no run directory of variant \(variant)")
        }
        for directory in directories {
            for file in ["config.yaml", "run.json", "metrics.jsonl", "episodes.csv", "summary.json"] {
                XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path),
                              "\(directory.lastPathComponent) lacks \(file)")
            }
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".tmp-") }
            XCTAssertEqual(leftovers, [], "temporary files left in \(directory.lastPathComponent)")
        }
    }

    func testEveryBackboneGivesIdenticalMetricsWithOneAndTwoWorkerThreads() throws {
        let file = repositoryRoot.appendingPathComponent("Configs/mpc-backbones-cartpole.yaml").path
        let budget = Self.tinyBudget + ["output.checkpoint=false", "seeds=[0]"] + (try tinyVariantOverrides(of: file))
        for threads in ["1", "2"] {
            let out = try mbrl(["run", file] + budget + ["--threads", threads, "--out", temporary.appendingPathComponent(threads).path, "--quiet"])
            XCTAssertEqual(out.status, 0, out.stderr)
        }
        /// Each run's metrics without timings, by experiment name.
        func metrics(_ folder: String) throws -> [String: [String]] {
            var byName: [String: [String]] = [:]
            for run in try FileManager.default.contentsOfDirectory(at: temporary.appendingPathComponent(folder), includingPropertiesForKeys: nil) {
                let name = run.lastPathComponent.components(separatedBy: "__")[1]
                byName[name] = try metricsWithoutTimings(run)
            }
            return byName
        }
        let one = try metrics("1"), two = try metrics("2")
        XCTAssertEqual(Set(one.keys), Set(["mlp", "gru", "rssm", "s4wm", "mamba", "transformer"].map { "mpc-backbones-\($0)" }))
        for (name, lines) in one {
            XCTAssertTrue(lines.joined().contains("model/train_loss"), name)
            XCTAssertEqual(lines, two[name], "\(name): 1 vs 2 worker threads")
        }
    }

    func testSameSeedGivesIdenticalMetrics() throws {
        let file = repositoryRoot.appendingPathComponent("Configs/quickstart.yaml").path
        for _ in 0..<2 {
            let out = try mbrl(["run", file] + Self.tinyBudget + ["trials=2", "seed=5", "--out", temporary.path, "--quiet"])
            XCTAssertEqual(out.status, 0, out.stderr)
        }
        let directories = try runDirectories()
        XCTAssertEqual(directories.count, 2)
        let first = try metricsWithoutTimings(directories[0]), second = try metricsWithoutTimings(directories[1])
        XCTAssertGreaterThan(first.count, 2)
        XCTAssertEqual(first, second)
        XCTAssertTrue(first.joined().contains("\"model/val_loss\""), first.joined())
    }

    func testEvaluationRunsOnItsOwnEnvironmentAndChangesNothingInTraining() throws {
        // PETS evaluates with its planner; SAC with its deterministic policy. Either way the training
        // metrics are those of a run without evaluation.
        let cases: [(String, [String], Int)] = [
            ("Configs/quickstart.yaml", Self.tinyBudget + ["trials=3", "trial_length=10"], 10),
            ("Configs/sac-pendulum.yaml", ["total_steps=500", "sac.learning_starts=100", "sac.batch_size=16", "sac.hidden_sizes=[16]"], 200),
        ]
        for (config, budget, every) in cases {
            let file = repositoryRoot.appendingPathComponent(config).path
            for (name, eval) in [("with", ["eval.every=\(every)", "eval.episodes=2"]), ("without", ["eval.every=0"])] {
                let out = try mbrl(["run", file] + budget + eval + ["--out", temporary.appendingPathComponent(name).path, "--quiet"])
                XCTAssertEqual(out.status, 0, out.stderr)
            }
            func lines(_ name: String) throws -> [String] {
                let directory = try XCTUnwrap(FileManager.default.contentsOfDirectory(at: temporary.appendingPathComponent(name),
                                                                                      includingPropertiesForKeys: nil).first)
                return try String(contentsOf: directory.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
                    .split(separator: "\n").map(String.init)
            }
            let with = try lines("with"), without = try lines("without")
            let evaluations = with.filter { $0.contains("eval/episode_return") }
            XCTAssertGreaterThanOrEqual(evaluations.count, 2, "\(config): \(with)")
            XCTAssertTrue(evaluations.allSatisfy { $0.contains("eval/episode_return_std") }, config)
            let training = { (lines: [String]) in
                lines.filter { !$0.contains("eval/") }.map { $0.split(separator: ",").filter { !$0.contains("time/") && !$0.contains("ms_per_action") } }
            }
            XCTAssertEqual(training(with), training(without), "\(config): evaluation changed the training metrics")
            try FileManager.default.removeItem(at: temporary.appendingPathComponent("with"))
            try FileManager.default.removeItem(at: temporary.appendingPathComponent("without"))
        }
    }

    func testDryRunPrintsTheResolvedConfig() throws {
        let file = repositoryRoot.appendingPathComponent("Configs/pets-cartpole.yaml").path
        let out = try mbrl(["run", file, "seed=7", "planner.population=64", "--dry-run"])
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertTrue(out.stdout.contains("seed: 7\n"), out.stdout)
        XCTAssertTrue(out.stdout.contains("  population: 64\n"), out.stdout)
        XCTAssertTrue(out.stdout.contains("  id: ContinuousCartPole-v0\n"), out.stdout)
    }

    func testDryRunPrintsEveryVariant() throws {
        let file = repositoryRoot.appendingPathComponent("Configs/compare-backbones-cartpole.yaml").path
        let out = try mbrl(["run", file, "seeds=[0, 1]", "--dry-run"])
        XCTAssertEqual(out.status, 0, out.stderr)
        let headers = out.stdout.split(separator: "\n").filter { $0.hasPrefix("# variant: ") }
        XCTAssertEqual(headers.count, 12, out.stdout)   // 6 variants × 2 seeds
        XCTAssertEqual(headers.first, "# variant: mlp, seed: 0")
        XCTAssertEqual(headers.last, "# variant: transformer, seed: 1")
        XCTAssertTrue(out.stdout.contains("---\n# variant: gru, seed: 0\nname: compare-backbones-cartpole-gru\nseed: 0\n"), out.stdout)
    }

    func testBadInputGivesClearErrorsAndWritesNothing() throws {
        let good = repositoryRoot.appendingPathComponent("Configs/quickstart.yaml").path
        let compare = repositoryRoot.appendingPathComponent("Configs/compare-backbones-cartpole.yaml").path
        let memory = repositoryRoot.appendingPathComponent("Configs/compare-backbones-memory.yaml").path
        let invalid = temporary.appendingPathComponent("invalid.yaml")
        try "planner:\n  population: [1, 2\n".write(to: invalid, atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["run", temporary.appendingPathComponent("missing.yaml").path], "missing.yaml: config file not found"),
            (["run", invalid.path], "invalid.yaml:3:1: invalid YAML"),
            (["run", good, "env.id=CartPol-v1"], "unknown environment id 'CartPol-v1'; did you mean 'CartPole-v1'"),
            (["run", good, "planner.populaton=5"], "did you mean 'population'?"),
            (["run", good, "model.backbone=mamba", "model.mamba.d_state=0"], "mamba.d_state"),
            (["run", compare, "variants.gru.model.gru.hiden_size=8"],
             "override 'variants.gru.model.gru.hiden_size=8': variant 'gru': model.gru.hiden_size: unknown key 'hiden_size'; did you mean 'hidden_size'?"),
            (["run", compare, "variants.gur.model.train_steps=8"], "variants.gur: unknown key 'gur'; did you mean 'gru'?"),
            (["eval-model", compare, "--horizon", "0"],
             "override 'evaluation.horizon=0': variant 'mlp': evaluation.horizon: expected an integer of at least 1, found 0"),
            (["eval-model", memory, "--episodes", "3"],
             "override 'evaluation.episodes=3': variant 'mlp': evaluation.episodes: applies only when evaluation.kind is open_loop"),
        ]
        for (arguments, expected) in cases {
            let out = try mbrl(arguments + ["--out", temporary.appendingPathComponent("runs").path, "--quiet"])
            XCTAssertNotEqual(out.status, 0, arguments.joined(separator: " "))
            XCTAssertTrue(out.stderr.contains(expected), "expected '\(expected)' in:\n\(out.stderr)")
            XCTAssertFalse(out.stderr.contains("Fatal error"), out.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: temporary.appendingPathComponent("runs").path),
                       "a failed run must not leave a run directory")
    }

    func testAKilledRunResumesAfterItsLastCompletedTrial() throws {
        let file = repositoryRoot.appendingPathComponent("Configs/quickstart.yaml").path
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("mbrl")
        process.arguments = ["run", file] + Self.tinyBudget + ["trials=4", "trial_length=8", "output.checkpoint=true",
                                                           "--out", temporary.path, "--quiet"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Kill it once the first trial's state is saved.
        var stateFile: URL?
        let deadline = Date().addingTimeInterval(120)
        while stateFile == nil && Date() < deadline && process.isRunning {
            if let directory = try runDirectories().first {
                let candidate = directory.appendingPathComponent("checkpoints/state.json")
                if FileManager.default.fileExists(atPath: candidate.path) { stateFile = candidate }
            }
            if stateFile == nil { usleep(5_000) }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let directory = try XCTUnwrap(try runDirectories().first)
        XCTAssertNotNil(stateFile, "the run saved no state before the deadline")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("summary.json").path),
                       "the run finished before it was killed; the test needs a slower run")

        let resumed = try mbrl(["run", "--resume", directory.path, "--quiet"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let metrics = try String(contentsOf: directory.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        let trials = metrics.split(separator: "\n").filter { $0.contains("train/episode_return") }
        XCTAssertEqual(trials.count, 4, metrics)
        for trial in 0..<4 { XCTAssertEqual(trials.filter { $0.contains("\"train/trial\": \(trial)") }.count, 1, metrics) }
        let summary = try String(contentsOf: directory.appendingPathComponent("summary.json"), encoding: .utf8)
        XCTAssertTrue(summary.contains("\"trial_returns\""), summary)
        let episodes = try String(contentsOf: directory.appendingPathComponent("episodes.csv"), encoding: .utf8)
        XCTAssertEqual(episodes.split(separator: "\n").filter { $0.contains(",trial,") }.count, 4, episodes)
    }

    func testResumeErrors() throws {
        let missing = try mbrl(["run", "--resume", temporary.appendingPathComponent("nothing").path])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("nothing/config.yaml: config file not found"), missing.stderr)
        let both = try mbrl(["run", "Configs/quickstart.yaml", "--resume", temporary.path])
        XCTAssertNotEqual(both.status, 0)
        XCTAssertTrue(both.stderr.contains("--resume continues a run with its own config.yaml"), both.stderr)
    }

    func testEvalModelWritesTheKStepErrorsOfEachBackbone() throws {
        let file = repositoryRoot.appendingPathComponent("Configs/pets-cartpole.yaml").path
        for backbone in ["mlp", "gru"] {
            let sizes = backbone == "mlp" ? ["model.hidden_size=16", "model.epochs_per_trial=3"]
                                          : ["model.gru.hidden_size=16", "model.train_steps=10", "model.sequence_length=8"]
            let out = try mbrl(["eval-model", file, "model.backbone=\(backbone)"] + sizes
                               + ["--train-steps", "200", "--episodes", "3", "--horizon", "4", "--out", temporary.path])
            XCTAssertEqual(out.status, 0, out.stderr)
            XCTAssertTrue(out.stdout.hasPrefix("model: \(backbone), "), out.stdout)
            XCTAssertTrue(out.stdout.contains("\n1\t"), out.stdout)
        }
        let evaluations = try runDirectories().map { $0.appendingPathComponent("evaluation.json") }
        XCTAssertEqual(evaluations.count, 2)
        for url in evaluations {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
            let rmse = try XCTUnwrap(object["observationRMSE"] as? [Double])
            XCTAssertEqual(rmse.count, 4)
            XCTAssertTrue(rmse.allSatisfy { $0.isFinite && $0 > 0 }, "\(rmse)")
        }
    }

    func testEvalModelComparesEveryVariantOfTheCompareFilesOnTheSameData() throws {
        let budgets = [
            "compare-backbones-cartpole.yaml": ["--train-steps", "60", "--episodes", "2", "--horizon", "3"],
            "compare-backbones-memory.yaml": ["evaluation.train_episodes=4", "evaluation.test_episodes=4"],
        ]
        for (name, budget) in budgets.sorted(by: { $0.key < $1.key }) {
            let file = repositoryRoot.appendingPathComponent("Configs/\(name)").path
            let out = try mbrl(["eval-model", file, "seeds=[0]", "model.epochs_per_trial=1", "model.hidden_size=8", "model.hidden_layers=1"]
                               + (try tinyVariantOverrides(of: file)) + budget + ["--out", temporary.path, "--quiet"])
            XCTAssertEqual(out.status, 0, "\(name): \(out.stderr)")
            let rows = out.stdout.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| variant") }
            XCTAssertEqual(rows.map { $0.split(separator: "|")[0].trimmingCharacters(in: .whitespaces) },
                           try variants(of: file, overrides: ["seeds=[0]"]), "\(name): \(out.stdout)")
            XCTAssertTrue(rows.count >= 5, "\(name): \(out.stdout)")
            XCTAssertTrue(out.stdout.contains(name.contains("memory") ? "| accuracy | correct |" : "| obs RMSE k=1 | obs RMSE k=3 |"), out.stdout)
        }
        let directories = try runDirectories()
        XCTAssertEqual(directories.count, 2)
        for directory in directories {
            for variant in ["mlp", "gru", "s4wm", "mamba", "transformer"] {
                let url = directory.appendingPathComponent("\(variant)/evaluation.json")
                let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any], url.path)
                XCTAssertEqual(object["name"] as? String, variant)
            }
            XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent("comparison.md").path))
            let leftovers = try FileManager.default.subpathsOfDirectory(atPath: directory.path).filter { $0.contains(".tmp-") }
            XCTAssertEqual(leftovers, [], "temporary files left in \(directory.lastPathComponent)")
        }
        let cartpole = try XCTUnwrap(directories.first { $0.lastPathComponent.hasPrefix("ContinuousCartPole-v0__compare-backbones-cartpole__0__") })
        XCTAssertTrue(FileManager.default.fileExists(atPath: cartpole.appendingPathComponent("observation_rmse.svg").path))
    }

    func testEvalModelOverSeedsAndReportSummariseEachVariant() throws {
        let file = repositoryRoot.appendingPathComponent("Configs/pets-cartpole.yaml").path
        let out = try mbrl(["eval-model", file, "variants={narrow: {model.hidden_size: 4}, wide: {model.hidden_size: 8}}", "seeds=[0, 1]",
                            "model.epochs_per_trial=1", "model.hidden_layers=1", "--train-steps", "40", "--episodes", "2",
                            "--horizon", "2", "--out", temporary.path, "--quiet"])
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertTrue(out.stdout.contains("\nover seeds 0, 1 (mean ± std; "), out.stdout)
        XCTAssertTrue(out.stdout.contains("| variant | seeds | obs RMSE k=1 | obs RMSE k=2 | reward RMSE k=1 |\n"), out.stdout)
        XCTAssertTrue(out.stdout.contains("\n| wide | 2 | "), out.stdout)
        let directories = try runDirectories()
        XCTAssertEqual(directories.map { String($0.lastPathComponent.prefix(36)) },
                       ["ContinuousCartPole-v0__pets-cartpole", "ContinuousCartPole-v0__pets-cartpole"])

        let reportDirectory = temporary.appendingPathComponent("report")
        let report = try mbrl(["report"] + directories.map(\.path) + ["--out", reportDirectory.path])
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssertTrue(report.stdout.hasPrefix("| variant | seeds | obs RMSE k=1 | obs RMSE k=2 | reward RMSE k=1 |\n"), report.stdout)
        let markdown = try String(contentsOf: reportDirectory.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("| narrow | 2 | "), markdown)
        XCTAssertTrue(FileManager.default.fileExists(atPath: reportDirectory.appendingPathComponent("observation_rmse.svg").path))
    }
}

/// Kill-and-resume of every learning loop: a run killed (SIGKILL) right after
/// a checkpoint and resumed gives the same metrics as an uninterrupted run.
final class ResumeTests: XCTestCase {
    var temporary: URL!

    override func setUpWithError() throws {
        temporary = FileManager.default.temporaryDirectory.appendingPathComponent("mbrl-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: temporary)
        try? FileManager.default.removeItem(at: datasetFolder(beside: temporary))
    }

    /// Runs `arguments` to the end in one directory, and killed after its first checkpoint then resumed in another;
    /// returns both run directories.
    func runUninterruptedAndResumed(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> (URL, URL) {
        let whole = temporary.appendingPathComponent("whole"), killed = temporary.appendingPathComponent("killed")
        let out = try mbrl(arguments + ["--out", whole.path, "--quiet"])
        XCTAssertEqual(out.status, 0, out.stderr, file: file, line: line)
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("mbrl")
        process.arguments = arguments + ["--out", killed.path, "--quiet"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var directory: URL?
        let deadline = Date().addingTimeInterval(300)
        while directory == nil && Date() < deadline && process.isRunning {
            if let candidate = try? FileManager.default.contentsOfDirectory(at: killed, includingPropertiesForKeys: nil).first,
               FileManager.default.fileExists(atPath: candidate.appendingPathComponent("checkpoints/state.json").path) {
                directory = candidate
            } else {
                usleep(2_000)
            }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let run = try XCTUnwrap(directory, "no checkpoint before the deadline", file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.appendingPathComponent("summary.json").path),
                       "the run finished before it was killed; the test needs a longer run", file: file, line: line)
        let resumed = try mbrl(["run", "--resume", run.path, "--quiet"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr, file: file, line: line)
        let wholeRun = try XCTUnwrap(FileManager.default.contentsOfDirectory(at: whole, includingPropertiesForKeys: nil).first)
        return (wholeRun, run)
    }

    func testAResumedMBPORunHasTheMetricsOfAnUninterruptedOne() throws {
        let file = repositoryRoot.appendingPathComponent("Configs/mbpo-cartpole.yaml").path
        let (whole, resumed) = try runUninterruptedAndResumed([
            "run", file, "seed=4", "total_steps=200", "mbpo.initial_exploration_steps=40", "mbpo.epoch_length=20",
            "mbpo.freq_train_model=10", "mbpo.effective_model_rollouts_per_step=3", "mbpo.num_sac_updates_per_step=3",
            "mbpo.rollout_schedule=[1, 4, 1, 3]", "sac.batch_size=16", "sac.hidden_sizes=[16]", "model.hidden_size=16",
            "model.hidden_layers=1", "model.epochs_per_trial=3", "model.batch_size=16", "eval.every=20", "eval.episodes=1",
        ])
        let expected = try metricsWithoutTimings(whole)
        XCTAssertTrue(expected.contains { $0.contains("eval/episode_return") } && expected.contains { $0.contains("model/val_loss") })
        XCTAssertEqual(try metricsWithoutTimings(resumed), expected)
        for name in ["episodes.csv"] {
            XCTAssertEqual(try String(contentsOf: resumed.appendingPathComponent(name), encoding: .utf8),
                           try String(contentsOf: whole.appendingPathComponent(name), encoding: .utf8), name)
        }
    }

    func testAResumedPETSRunHasTheMetricsOfAnUninterruptedOne() throws {
        // Every backbone family: the MLP ensemble and a sequence model (GRU with its RSSM latent, which samples noise).
        for backbone in [["model.backbone=mlp"], ["model.backbone=gru", "model.gru.stochastic_size=4", "model.gru.hidden_size=8",
                                                  "model.train_steps=3", "model.sequence_length=4"]] {
            try setUpWithError()
            let (whole, resumed) = try runUninterruptedAndResumed([
                "run", repositoryRoot.appendingPathComponent("Configs/quickstart.yaml").path, "seed=3", "trials=4",
                "initial_random_steps=20", "trial_length=12", "planner.population=12", "planner.particles=5", "planner.horizon=4",
                "model.epochs_per_trial=2", "model.hidden_size=8", "model.hidden_layers=1",
            ] + backbone)
            let expected = try metricsWithoutTimings(whole)
            XCTAssertTrue(expected.contains { $0.contains("model/train_loss") }, "\(expected)")
            XCTAssertEqual(try metricsWithoutTimings(resumed), expected, backbone[0])
            XCTAssertEqual(try String(contentsOf: resumed.appendingPathComponent("episodes.csv"), encoding: .utf8)
                            .split(separator: "\n").map { $0.split(separator: ",").dropLast().joined(separator: ",") },
                           try String(contentsOf: whole.appendingPathComponent("episodes.csv"), encoding: .utf8)
                            .split(separator: "\n").map { $0.split(separator: ",").dropLast().joined(separator: ",") },
                           "episodes.csv without its timing column")
            try tearDownWithError()
        }
    }

    func testResumedSACDQNAndDynaQRunsHaveTheMetricsOfUninterruptedOnes() throws {
        let runs: [[String]] = [
            ["run", repositoryRoot.appendingPathComponent("Configs/sac-pendulum.yaml").path, "total_steps=800", "sac.learning_starts=50",
             "sac.batch_size=16", "sac.hidden_sizes=[16]", "output.checkpoint_every=200", "eval.every=200", "eval.episodes=1"],
            ["run", repositoryRoot.appendingPathComponent("Configs/dqn-cartpole.yaml").path, "total_steps=3000", "dqn.learning_starts=100",
             "dqn.train_frequency=4", "dqn.gradient_steps=1", "dqn.batch_size=16", "dqn.hidden_sizes=[16]", "output.checkpoint_every=300",
             "eval.every=500", "eval.episodes=2"],
            ["run", repositoryRoot.appendingPathComponent("Configs/dyna-maze.yaml").path, "seeds=[2]", "variants=", "dyna_q.planning_steps=50",
             "dyna_q.episodes=100", "output.checkpoint=true", "eval.every=300", "eval.episodes=1"],
        ]
        for arguments in runs {
            try setUpWithError()
            let (whole, resumed) = try runUninterruptedAndResumed(arguments)
            XCTAssertEqual(try metricsWithoutTimings(resumed), try metricsWithoutTimings(whole), arguments[1])
            try tearDownWithError()
        }
    }

    func testResumedOfflineRunsHaveTheMetricsOfUninterruptedOnes() throws {
        let dataset = try tinyPendulumDataset(beside: temporary)
        let file = repositoryRoot.appendingPathComponent("Configs/offline-pendulum.yaml").path
        let shared = ["offline.dataset=\(dataset)", "offline.gradient_steps=600", "offline.rollout_batch_size=50",
                      "offline.rollout_freq=100", "output.checkpoint_every=150", "eval.every=150", "eval.episodes=1"]
        let runs: [[String]] = [
            ["run", file, "variants=", "algorithm=mopo", "model.hidden_size=16", "model.hidden_layers=2", "model.epochs_per_trial=3",
             "sac.hidden_sizes=[16]", "sac.batch_size=16"] + shared,
            ["run", file, "variants=", "algorithm=ravl", "model.hidden_size=16", "model.hidden_layers=2", "model.epochs_per_trial=3",
             "sac.hidden_sizes=[16]", "sac.batch_size=16", "sac.num_critics=4", "sac.eta=1"] + shared,
            ["run", file, "variants=", "algorithm=td3_bc", "td3_bc.hidden_sizes=[16]", "td3_bc.batch_size=16"] + shared,
        ]
        for arguments in runs {
            try setUpWithError()
            let (whole, resumed) = try runUninterruptedAndResumed(arguments)
            let expected = try metricsWithoutTimings(whole)
            XCTAssertTrue(expected.joined().contains("eval/normalized_score"), arguments[3])
            XCTAssertEqual(try metricsWithoutTimings(resumed), expected, arguments[3])
            try tearDownWithError()
        }
    }

    func testResumeRefusesACheckpointFileThatChangedSinceItsStateWasWritten() throws {
        let config = repositoryRoot.appendingPathComponent("Configs/sac-pendulum.yaml").path
        let out = try mbrl(["run", config, "total_steps=500", "sac.learning_starts=50", "sac.batch_size=16", "sac.hidden_sizes=[16]",
                            "output.checkpoint_every=200", "eval.every=0", "--out", temporary.path, "--quiet"])
        XCTAssertEqual(out.status, 0, out.stderr)
        let run = try XCTUnwrap(try FileManager.default.contentsOfDirectory(at: temporary, includingPropertiesForKeys: nil).first)
        let state = try String(contentsOf: run.appendingPathComponent("checkpoints/state.json"), encoding: .utf8)
        XCTAssertTrue(state.contains("\"sac.safetensors\"") && state.contains("\"replay.npz\""), state)
        for (name, offset) in [("sac.safetensors", 2000), ("replay.npz", 900)] {
            let file = run.appendingPathComponent("checkpoints/\(name)")
            let original = try Data(contentsOf: file)
            var flipped = original
            flipped[offset] ^= 0x10   // one bit, inside the data (the file still parses)
            try flipped.write(to: file)
            let resumed = try mbrl(["run", "--resume", run.path, "--quiet"])
            XCTAssertNotEqual(resumed.status, 0, name)
            XCTAssertTrue(resumed.stderr.contains("checkpoints/\(name): cannot resume: the file changed since its checkpoint was written"),
                          resumed.stderr)
            try original.write(to: file)
        }
        let resumed = try mbrl(["run", "--resume", run.path, "--quiet"])
        XCTAssertEqual(resumed.status, 0, "the restored files resume: \(resumed.stderr)")
    }

    func testOfflineBadInputGivesClearErrors() throws {
        let dataset = try tinyPendulumDataset(beside: temporary)
        let file = repositoryRoot.appendingPathComponent("Configs/offline-pendulum.yaml").path
        // A dataset of another environment: both shapes named.
        var out = try mbrl(["run", file, "variants=", "algorithm=td3_bc", "env.id=MountainCarContinuous-v0",
                            "offline.dataset=\(dataset)", "--dry-run"])
        XCTAssertNotEqual(out.status, 0)
        XCTAssertTrue(out.stderr.contains(dataset) && out.stderr.contains("[3]") && out.stderr.contains("[2]"), out.stderr)
        // No file there: a config error at offline.dataset.
        out = try mbrl(["run", file, "variants=", "algorithm=bc", "offline.dataset=no/such.npz", "--dry-run"])
        XCTAssertNotEqual(out.status, 0)
        XCTAssertTrue(out.stderr.contains("override 'offline.dataset=no/such.npz': offline.dataset: no dataset at 'no/such.npz'"), out.stderr)
        // A disagreement penalty on a single model: a config error naming the heuristic and the member count.
        out = try mbrl(["run", file, "variants=", "algorithm=mopo", "offline.penalty=max_pairwise_distance", "model.members=1",
                        "model.elites=1", "offline.dataset=\(dataset)", "--dry-run"])
        XCTAssertNotEqual(out.status, 0)
        XCTAssertTrue(out.stderr.contains("offline.penalty: uncertainty penalty 'max_pairwise_distance': needs an ensemble of at least 2 members"),
                      out.stderr)
        // Keys of another algorithm.
        out = try mbrl(["run", file, "variants=", "algorithm=bc", "sac.batch_size=8", "offline.dataset=\(dataset)", "--dry-run"])
        XCTAssertNotEqual(out.status, 0)
        XCTAssertTrue(out.stderr.contains("sac: applies only when algorithm is"), out.stderr)
    }
}

extension XCTestCase {
    /// The folder of the test's datasets, beside (not in) its runs' directory `temporary`.
    func datasetFolder(beside temporary: URL) -> URL {
        temporary.deletingLastPathComponent().appendingPathComponent(temporary.lastPathComponent + "-data")
    }

    /// A small random-policy Pendulum dataset for the offline configs (written once per test by `mbrl dataset collect`).
    func tinyPendulumDataset(beside temporary: URL) throws -> String {
        try tinyRandomDataset(["--env", "Pendulum-v1"], named: "pendulum-random.npz", beside: temporary)
    }

    /// The tiny random dataset of an offline config file's environment: PointMaze-v0's (sparse) for a
    /// file that names it, else Pendulum-v1's.
    func tinyDataset(for file: String, beside temporary: URL) throws -> String {
        guard try String(contentsOfFile: file, encoding: .utf8).contains("id: PointMaze-v0") else {
            return try tinyPendulumDataset(beside: temporary)
        }
        return try tinyRandomDataset(["--env", "PointMaze-v0", "--settings", "reward=sparse"], named: "pointmaze-random.npz",
                                     beside: temporary)
    }

    /// `mbrl dataset collect ENVIRONMENT --policy random` for 400 steps into `name` (once per test).
    func tinyRandomDataset(_ environment: [String], named name: String, beside temporary: URL) throws -> String {
        let folder = datasetFolder(beside: temporary)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent(name).path
        if !FileManager.default.fileExists(atPath: path) {
            let out = try mbrl(["dataset", "collect"] + environment + ["--policy", "random", "--steps", "400", "--seed", "0",
                                "--out", path])
            XCTAssertEqual(out.status, 0, out.stderr)
        }
        return path
    }
}
