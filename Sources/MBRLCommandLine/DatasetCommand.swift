import ArgumentParser
import Environments
import Experiments
import Foundation
import Replay

/// `mbrl dataset ...`: offline-RL datasets in the D4RL layout (`.npz` with
/// `observations`, `actions`, `rewards`, `next_observations`, `terminals`,
/// `timeouts` and a JSON `metadata` string). The work is in
/// `Experiments/Datasets`; this file parses arguments and prints.
struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Collect, inspect and mix offline-RL datasets (D4RL layout, .npz).",
        subcommands: [Info.self, Collect.self, Mix.self]
    )

    /// Runs `body`, printing the library's errors (which name the file, array or key) and exiting with status 1.
    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as ExitCode {
            throw error
        } catch let error as DatasetError {
            throw fail(error.description)
        } catch let error as ExperimentError {
            throw fail(error.description)
        } catch let error as EnvironmentError {
            throw fail(error.description)
        } catch let error as ConfigError {
            throw fail(error.description)
        } catch {
            throw fail("\(error)")
        }
    }

    static func fail(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data(("error: " + message + "\n").utf8))
        return ExitCode.failure
    }

    // MARK: - info

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a dataset's size, arrays (dtype, shape), episodes, return statistics and metadata.")

        @Argument(help: "The dataset file (.npz).")
        var file: String

        @Option(help: "Also check that the rows fit this environment's observation and action spaces.")
        var env: String?

        @Option(parsing: .upToNextOption, help: "Settings of --env, key=value ...")
        var settings: [String] = []

        func run() throws {
            try DatasetCommand.run {
                print(try DatasetSummary.describe(URL(fileURLWithPath: file), environment: env, settings: settings,
                                                  registry: MBRLCommandLine.registry))
            }
        }
    }

    // MARK: - collect

    struct Collect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a dataset by running a policy in an environment, or from a run's replay buffer.",
            discussion: """
            mbrl dataset collect --env CartPole-v1 --steps 10000 --seed 0 --out random.npz
            mbrl dataset collect --policy runs/CartPole-v1__dqn-cartpole__0__... --level expert --steps 10000 --out expert.npz
            mbrl dataset collect --from-replay runs/Pendulum-v1__sac-pendulum__0__... --out medium-replay.npz
            mbrl dataset collect --env PointMaze-v0 --settings reward=sparse --policy waypoint --noise 0.5 --level medium --steps 10000 --out noisy.npz
            """)

        @Option(help: "Environment id (default with --policy RUN_DIR: the run's).")
        var env: String?

        @Option(parsing: .upToNextOption, help: "Environment settings, key=value ...")
        var settings: [String] = []

        @Option(help: "Truncate episodes after this many steps (default: the environment's own limit).")
        var maxEpisodeSteps: Int?

        @Option(help: "Transitions to record.")
        var steps: Int?

        @Option(help: "Seed for episode resets and the policy's sampling.")
        var seed: UInt64 = 0

        @Option(help: "'random', 'waypoint' (PointMaze-v0's scripted controller), or a sac or dqn run directory whose checkpoint's policy acts.")
        var policy: String?

        @Option(help: "With --policy waypoint: the standard deviation of Gaussian noise added to each action component before clipping to [-1, 1] (default 0).")
        var noise: Double?

        @Flag(help: "With --policy RUN_DIR: sample actions (SAC's Gaussian, DQN ε-greedy at end_e) instead of the deterministic policy.")
        var stochastic = false

        @Option(help: "Write this run directory's replay buffer as the dataset (D4RL medium-replay).")
        var fromReplay: String?

        @Option(help: "D4RL level recorded in the metadata: random, medium, expert, medium-replay, mixed (default: random for --policy random, medium-replay for --from-replay).")
        var level: String?

        @Option(help: "The dataset file to write (.npz).")
        var out: String

        func validate() throws {
            if let level, DatasetMetadata.Level(rawValue: level) == nil {
                throw ValidationError("--level '\(level)': expected one of \(DatasetMetadata.Level.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if fromReplay != nil {
                guard policy == nil, env == nil, steps == nil, settings.isEmpty, maxEpisodeSteps == nil, !stochastic, noise == nil else {
                    throw ValidationError("--from-replay writes the run's buffer as it is: give no --policy, --env, --settings, "
                                          + "--max-episode-steps, --steps, --stochastic or --noise")
                }
                return
            }
            guard let steps else { throw ValidationError("--steps is required (or --from-replay RUN_DIR)") }
            guard steps > 0 else { throw ValidationError("--steps must be positive, got \(steps)") }
            let policy = policy ?? "random"
            if noise != nil && policy != "waypoint" { throw ValidationError("--noise applies to --policy waypoint") }
            if policy == "waypoint" {
                guard env != nil else { throw ValidationError("--policy waypoint needs --env PointMaze-v0") }
                guard !stochastic else { throw ValidationError("--stochastic applies to --policy RUN_DIR (use --noise with waypoint)") }
                guard level != nil else { throw ValidationError("--policy waypoint needs --level (expert without noise, or how good the noisy data is)") }
            } else if policy == "random" {
                guard env != nil else { throw ValidationError("--policy random needs --env ID") }
                guard !stochastic else { throw ValidationError("--stochastic applies to --policy RUN_DIR") }
            } else if level == nil {
                throw ValidationError("--policy RUN_DIR needs --level (medium or expert: how trained the run's policy is)")
            }
        }

        func run() throws {
            try DatasetCommand.run {
                let chosenLevel = level.flatMap(DatasetMetadata.Level.init(rawValue:))
                let dataset: OfflineDataset
                if let fromReplay {
                    dataset = try RunReplayDataset.dataset(runDirectory: fromReplay, level: chosenLevel ?? .mediumReplay,
                                                           registry: MBRLCommandLine.registry)
                } else {
                    let source: DatasetCollector.PolicySource
                    switch policy ?? "random" {
                    case "random": source = .random
                    case "waypoint": source = .waypoint(noise: noise ?? 0)
                    case let directory: source = .run(directory: directory, stochastic: stochastic)
                    }
                    dataset = try DatasetCollector(environmentID: env, settings: settings, maxEpisodeSteps: maxEpisodeSteps,
                                                   steps: steps!, seed: seed, level: chosenLevel ?? .random, policy: source,
                                                   registry: MBRLCommandLine.registry).collect()
                }
                try dataset.save(to: URL(fileURLWithPath: out))
                let episodes = dataset.episodeReturns
                print("wrote \(out): \(dataset.count) transitions, \(episodes.count) complete episodes; returns \(episodes.returnsDescription)")
            }
        }
    }

    // MARK: - mix

    struct Mix: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Blend datasets by whole trajectories at given fractions (D4RL mixed).",
            discussion: "mbrl dataset mix medium.npz expert.npz --fractions 0.5,0.5 --seed 0 --out medium-expert.npz")

        @Argument(help: "The datasets to blend (.npz).")
        var files: [String]

        @Option(help: "Fraction of the mix's transitions from each dataset, comma-separated, summing to 1.")
        var fractions: String

        @Option(help: "Seed for choosing and ordering the episodes.")
        var seed: UInt64 = 0

        @Option(help: "The dataset file to write (.npz).")
        var out: String

        func validate() throws {
            guard !files.isEmpty else { throw ValidationError("give at least one dataset file") }
            let parts = fractions.split(separator: ",", omittingEmptySubsequences: false)
            guard parts.allSatisfy({ Double($0.trimmingCharacters(in: .whitespaces)) != nil }) else {
                throw ValidationError("--fractions '\(fractions)': expected comma-separated numbers, e.g. 0.5,0.5")
            }
        }

        func run() throws {
            try DatasetCommand.run {
                let values = fractions.split(separator: ",", omittingEmptySubsequences: false)
                    .compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
                let inputs = try files.map { DatasetMixer.Input(dataset: try OfflineDataset.load(from: URL(fileURLWithPath: $0)), file: $0) }
                let mixed = try DatasetMixer.mix(inputs, fractions: values, seed: seed)
                try mixed.save(to: URL(fileURLWithPath: out))
                print("wrote \(out): \(mixed.count) transitions, \(mixed.episodeReturns.count) complete episodes; returns \(mixed.episodeReturns.returnsDescription)")
                for source in mixed.metadata?.sources ?? [] { print("  " + source) }
            }
        }
    }
}
