import Foundation

/// How `mbrl run` runs a config (the command-line flags, not the experiment).
public struct RunOptions: Sendable {
    /// Root directory for run directories (overrides `output.dir`).
    public var outputRoot: String?
    /// Continue the run in this existing directory instead of creating a new one.
    public var resumeDirectory: String?
    /// Write the run into exactly this directory (`mbrl sweep` chooses it); it may exist, but must not hold a run (`run.json`).
    public var runDirectory: String?
    /// No progress output.
    public var quiet = false
    /// Worker threads of the world model's and learners' parallel kernels (nil: all active cores).
    public var threads: Int?
    /// The command line, recorded in `run.json`.
    public var commandLine: [String] = CommandLine.arguments
    /// Set by a signal handler to stop the run between two steps (`RunInterrupted`).
    public var interruption: RunInterruption?

    public init(outputRoot: String? = nil, resumeDirectory: String? = nil, quiet: Bool = false, threads: Int? = nil,
                interruption: RunInterruption? = nil) {
        self.interruption = interruption
        self.outputRoot = outputRoot
        self.resumeDirectory = resumeDirectory
        self.quiet = quiet
        self.threads = threads
    }
}

/// The outcome of a run, also written to `summary.json`.
public struct RunSummary: Sendable, Equatable {
    /// One evaluation: the mean return of `eval.episodes` deterministic episodes after `steps` environment steps.
    public struct Evaluation: Sendable, Equatable {
        public var steps: Int
        public var meanReturn: Double
    }

    public var runDirectory: String
    /// The loop that ran (`algorithm:`).
    public var algorithm: String
    /// Return of each training episode, in order (PETS: each planning trial; random and exploration episodes excluded).
    public var episodeReturns: [Double]
    /// Every evaluation, in order.
    public var evaluations: [Evaluation]
    /// Steps taken in the environment (random and exploration steps included).
    public var totalSteps: Int
    /// Mean planning time per action over all trials (PETS).
    public var msPerAction: Double?
    public var wallSeconds: Double

    /// PETS's planning trials: the training episodes.
    public var trialReturns: [Double] { episodeReturns }

    /// The first trial whose return reached `threshold`, if any.
    public func firstTrial(reaching threshold: Double) -> Int? {
        episodeReturns.firstIndex { $0 >= threshold }
    }

    /// Environment steps of the first evaluation whose mean return reached `threshold`, if any.
    public func stepsToEvaluationReturn(_ threshold: Double) -> Int? {
        evaluations.first { $0.meanReturn >= threshold }?.steps
    }
}
