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
        switch config.algorithm {
        case .pets: return try run(PETSLoop(runner: self, options: options), options: options)
        case .dynaQ: return try run(DynaQLoop(runner: self, options: options), options: options)
        case .dqn: return try run(DQNLoop(runner: self, options: options), options: options)
        case .sac: return try run(SACLoop(runner: self, options: options), options: options)
        case .mbpo: return try run(MBPOLoop(runner: self, options: options), options: options)
        case .mopo, .morel, .ravl, .offlineMBPO: return try run(OfflineModelBasedLoop(runner: self, options: options), options: options)
        case .bc, .td3BC: return try run(OfflineModelFreeLoop(runner: self, options: options), options: options)
        }
    }

    /// Everything `run` checks before it writes anything, without running:
    /// builds the loop (the environment is made and dropped, so an external
    /// child starts and is closed; the model, learner and planner are built)
    /// and opens no run directory. `mbrl run --dry-run` calls it.
    public func validate(options: RunOptions = RunOptions()) throws {
        switch config.algorithm {
        case .pets: _ = try PETSLoop(runner: self, options: options)
        case .dynaQ: _ = try DynaQLoop(runner: self, options: options)
        case .dqn: _ = try DQNLoop(runner: self, options: options)
        case .sac: _ = try SACLoop(runner: self, options: options)
        case .mbpo: _ = try MBPOLoop(runner: self, options: options)
        case .mopo, .morel, .ravl, .offlineMBPO: _ = try OfflineModelBasedLoop(runner: self, options: options)
        case .bc, .td3BC: _ = try OfflineModelFreeLoop(runner: self, options: options)
        }
    }

    private func run<Loop: ExperimentLoop>(_ loop: Loop, options: RunOptions) throws -> RunSummary {
        let session = try RunSession(runner: self, options: options, evaluationMaxSteps: loop.evaluationMaxSteps)
        return try loop.run(in: session)
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
