import Environments
import Foundation
import SeededRandom

/// Runs an experiment config end to end: builds the loop that `algorithm:`
/// selects (`PETSLoop`, `DynaQLoop`, `DQNLoop`, `SACLoop`, `MBPOLoop`,
/// `OfflineModelBasedLoop`, `OfflineModelFreeLoop`, one file
/// each, reading top to bottom), checks everything that can fail on user
/// input, then opens the run directory (`RunSession`) and runs the loop in it.
/// Everything random flows from `config.seed`.
public struct ExperimentRunner {
    public let config: ExperimentConfig
    /// The config file (recorded in `run.json`; nil for configs built in code).
    public let configFile: String?
    /// Overrides applied to the file (recorded in `run.json`).
    public let overrides: [String]
    /// The sweep variant this run resolves (names the variant in config errors).
    public let variant: String?
    public var registry: EnvironmentRegistry

    public init(config: ExperimentConfig, configFile: String? = nil, overrides: [String] = [], variant: String? = nil,
                registry: EnvironmentRegistry = .builtin) {
        self.config = config
        self.configFile = configFile
        self.overrides = overrides
        self.variant = variant
        self.registry = registry
    }

    /// Runs the experiment and returns its summary.
    @discardableResult
    public func run(options: RunOptions = RunOptions()) throws -> RunSummary {
        let loop = try makeLoop(options: options)
        let session = try RunSession(runner: self, options: options, evaluationMaxSteps: loop.evaluationMaxSteps)
        do {
            return try loop.run(in: session)
        } catch let diverged as RunDiverged {
            // Keep the metrics up to the divergence (the non-finite value logged as null) beside the
            // last good checkpoint; `--resume` drops the records after it.
            session.progress.finish()
            try? session.writeRecords()
            throw session.located(diverged)
        }
    }

    /// Everything `run` checks before it writes anything, without running:
    /// builds the loop (the environment is made and dropped, so an external
    /// child starts and is closed; the model, learner and planner are built)
    /// and opens no run directory. `mbrl run --dry-run` calls it.
    public func validate(options: RunOptions = RunOptions()) throws {
        _ = try makeLoop(options: options)
    }

    /// The loop `algorithm:` selects, built and checked (nothing written yet).
    private func makeLoop(options: RunOptions) throws -> any ExperimentLoop {
        switch config.algorithm {
        case .pets: return try PETSLoop(runner: self, options: options)
        case .dynaQ: return try DynaQLoop(runner: self, options: options)
        case .dqn: return try DQNLoop(runner: self, options: options)
        case .sac: return try SACLoop(runner: self, options: options)
        case .mbpo: return try MBPOLoop(runner: self, options: options)
        case .mopo, .morel, .ravl, .offlineMBPO: return try OfflineModelBasedLoop(runner: self, options: options)
        case .bc, .td3BC: return try OfflineModelFreeLoop(runner: self, options: options)
        }
    }

    /// Each episode's reset seed, derived from the run's seed and the episode index
    /// (so an episode's start does not depend on how many random draws came before).
    func episodeSeed(_ episode: Int) -> UInt64 {
        var g = SeededGenerator(seed: UInt64(config.seed) &* 0x9E37_79B9 &+ UInt64(episode))
        return g.next()
    }
}

/// One algorithm's training loop. `init` builds everything and checks
/// everything that can fail on user input, writing nothing; `run` then reads
/// top to bottom in MARK sections (CleanRL style), using the session for the
/// run directory, logging, evaluation and checkpoints, and continuing from the
/// session's last checkpoint when it resumes.
protocol ExperimentLoop {
    /// Steps per evaluation episode at most (the environment's own limit: `.max`).
    var evaluationMaxSteps: Int { get }
    func run(in session: RunSession) throws -> RunSummary
}
