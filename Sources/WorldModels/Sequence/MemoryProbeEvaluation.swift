/// What the T-maze memory probe measured for one world model
/// (`TMazeMemoryProbe.trainAndMeasure(_:train:test:using:)`): the fraction of
/// test episodes whose final reward sign the model predicted (chance 0.5; the
/// sign depends only on the cue seen `corridorLength + 3` steps earlier), with
/// the model's size and training throughput, for comparing backbones.
/// `Codable`; `mbrl eval-model` writes it as `evaluation.json`.
public struct MemoryProbeEvaluation: Codable, Sendable, Equatable {
    /// A label for reports (e.g. the backbone).
    public var name: String
    /// Corridor cells of the T-maze (episodes last `corridorLength + 4` steps).
    public var corridorLength: Int
    /// Scripted episodes trained on.
    public var trainEpisodes: Int
    /// Test episodes scored.
    public var episodes: Int
    /// Test episodes whose final reward sign was predicted correctly.
    public var correct: Int
    /// `correct / episodes`.
    public var accuracy: Double
    /// Trainable scalars.
    public var parameterCount: Int
    /// Gradient steps (sequence models) or epochs (the ensemble) of training.
    public var trainingSteps: Int
    /// The model's training loss at the end.
    public var trainLoss: Float
    /// Gradient steps per second in training (nil if not measured).
    public var trainingStepsPerSecond: Double?

    public init(name: String, corridorLength: Int, trainEpisodes: Int, episodes: Int, correct: Int, parameterCount: Int,
                trainingSteps: Int, trainLoss: Float, trainingStepsPerSecond: Double?) {
        self.name = name
        self.corridorLength = corridorLength
        self.trainEpisodes = trainEpisodes
        self.episodes = episodes
        self.correct = correct
        self.accuracy = episodes > 0 ? Double(correct) / Double(episodes) : 0
        self.parameterCount = parameterCount
        self.trainingSteps = trainingSteps
        self.trainLoss = trainLoss
        self.trainingStepsPerSecond = trainingStepsPerSecond
    }
}
