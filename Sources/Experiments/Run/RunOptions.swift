import Foundation

/// How `mbrl run` runs a config (the command-line flags, not the experiment).
public struct RunOptions: Sendable {
    /// Root directory for run directories (overrides `output.dir`).
    public var outputRoot: String?
    /// Continue the run in this existing directory instead of creating a new one.
    public var resumeDirectory: String?
    /// No progress output.
    public var quiet = false
    /// Worker threads of the world model's parallel kernels (nil: all active cores).
    public var threads: Int?
    /// The command line, recorded in `run.json`.
    public var commandLine: [String] = CommandLine.arguments

    public init(outputRoot: String? = nil, resumeDirectory: String? = nil, quiet: Bool = false, threads: Int? = nil) {
        self.outputRoot = outputRoot
        self.resumeDirectory = resumeDirectory
        self.quiet = quiet
        self.threads = threads
    }
}

/// The outcome of a run, also written to `summary.json`.
public struct RunSummary: Sendable, Equatable {
    public var runDirectory: String
    /// Return of each planning trial, in order.
    public var trialReturns: [Double]
    /// Steps taken in the environment (random steps included).
    public var totalSteps: Int
    /// Mean planning time per action over all trials.
    public var msPerAction: Double
    public var wallSeconds: Double

    /// The first trial whose return reached `threshold`, if any.
    public func firstTrial(reaching threshold: Double) -> Int? {
        trialReturns.firstIndex { $0 >= threshold }
    }
}
