/// `evaluation:`: how `mbrl eval-model` measures the config's world model.
///
/// - `kind: open_loop` (default): train on `train_steps` random-action
///   environment steps, then score k-step open-loop predictions (k = 1...
///   `horizon`) on `episodes` separately collected random episodes
///   (`ModelEvaluation`). The command-line options `--train-steps`,
///   `--episodes` and `--horizon` override these keys.
/// - `kind: memory_probe`: the T-maze memory probe (`TMazeMemoryProbe`, Bakker
///   2002) on `GridWorld-MemoryTMaze-v0` with a corridor of `corridor_length`
///   cells: train on `train_episodes` scripted episodes, then report how often
///   the model predicts the sign of the final reward, which depends only on the
///   cue seen `corridor_length + 3` steps earlier, on `test_episodes` others
///   (chance: 0.5). Needs `env.id: GridWorld-MemoryTMaze-v0`. With
///   `whole_episodes: true`, sequence models train on windows of the whole
///   episode (`corridor_length + 4` steps) in place of `model.sequence_length`,
///   so one config sweeps the corridor (`Configs/memory-length.yaml`).
///
/// Keys of the other kind are errors (like the planner's variant keys).
public struct EvaluationConfig: ConfigSection {
    /// What to measure: open_loop (k-step prediction error on random episodes) | memory_probe (T-maze reward-sign accuracy).
    public var kind: EvaluationKind = .openLoop
    /// Random-action environment steps collected to train on (open_loop; not gradient steps, see model.train_steps).
    public var trainSteps = 2000
    /// Held-out random episodes scored (open_loop).
    public var episodes = 20
    /// Open-loop horizon H: errors for k = 1...H (open_loop).
    public var horizon = 15
    /// Corridor cells between the cue and the junction (memory_probe); episodes last corridor_length + 4 steps.
    public var corridorLength = 16
    /// Sequence models train on whole episodes (corridor_length + 4 steps), in place of model.sequence_length (memory_probe).
    public var wholeEpisodes = false
    /// Scripted episodes to train on (memory_probe).
    public var trainEpisodes = 200
    /// Scripted episodes scored, collected independently of the training ones (memory_probe).
    public var testEpisodes = 100

    public init() {}

    enum CodingKeys: String, CodingKey {
        case kind
        case trainSteps = "train_steps"
        case episodes, horizon
        case corridorLength = "corridor_length"
        case wholeEpisodes = "whole_episodes"
        case trainEpisodes = "train_episodes"
        case testEpisodes = "test_episodes"
    }

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.update(&kind, .kind)
        let kind = self.kind
        func reason(_ valid: EvaluationKind) -> (CodingKeys) -> String {
            { key in
                "applies only when evaluation.kind is \(valid.rawValue), but evaluation.kind is \(kind.rawValue); remove it "
                    + "(on the command line: evaluation.\(key.stringValue)=) or set evaluation.kind to \(valid.rawValue) "
                    + "(choices: \(EvaluationKind.choices.joined(separator: ", ")))"
            }
        }
        try c.reject([.trainSteps, .episodes, .horizon], unless: kind == .openLoop, reason(.openLoop))
        try c.reject([.corridorLength, .wholeEpisodes, .trainEpisodes, .testEpisodes], unless: kind == .memoryProbe, reason(.memoryProbe))
        try c.update(&trainSteps, .trainSteps)
        try c.update(&episodes, .episodes)
        try c.update(&horizon, .horizon)
        try c.update(&corridorLength, .corridorLength)
        try c.update(&wholeEpisodes, .wholeEpisodes)
        try c.update(&trainEpisodes, .trainEpisodes)
        try c.update(&testEpisodes, .testEpisodes)
    }

    /// Writes the keys that apply to `kind` (so a rendered config decodes again).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        switch kind {
        case .openLoop:
            try c.encode(trainSteps, forKey: .trainSteps)
            try c.encode(episodes, forKey: .episodes)
            try c.encode(horizon, forKey: .horizon)
        case .memoryProbe:
            try c.encode(corridorLength, forKey: .corridorLength)
            try c.encode(wholeEpisodes, forKey: .wholeEpisodes)
            try c.encode(trainEpisodes, forKey: .trainEpisodes)
            try c.encode(testEpisodes, forKey: .testEpisodes)
        }
    }

    public func validate() throws {
        try requireAtLeast(trainSteps, 1, "train_steps")
        try requireAtLeast(episodes, 1, "episodes")
        try requireAtLeast(horizon, 1, "horizon")
        try requireAtLeast(corridorLength, 1, "corridor_length")
        try requireAtLeast(trainEpisodes, 1, "train_episodes")
        try requireAtLeast(testEpisodes, 1, "test_episodes")
    }
}

/// What `mbrl eval-model` measures.
public enum EvaluationKind: String, ConfigChoice {
    /// k-step open-loop prediction error on held-out random episodes.
    case openLoop = "open_loop"
    /// Reward-sign accuracy on the T-maze memory probe.
    case memoryProbe = "memory_probe"
}
