import Foundation
import Replay
import SeededRandom

extension TMazeMemoryProbe {
    /// The probe for a model built elsewhere (e.g. from an experiment config by
    /// `makeWorldModel`): trains `model` on the scripted episodes of `train`
    /// with its own training settings (`fit`), then measures the reward-sign
    /// accuracy on `test` (`rewardAccuracy`). Both buffers come from `collect`.
    ///
    /// A sequence model needs whole-episode windows to learn the cue: train it
    /// with `sampling = .withinEpisode` and `sequenceLength = episodeLength`
    /// (the `trainAndMeasure(trainSteps:seed:...)` recipe also weighs the
    /// reward loss 4). Errors: buffers of other sizes than the model's, or
    /// training errors (`fit`).
    public func trainAndMeasure(_ model: any TrainableWorldModel, name: String, train: ReplayBuffer, test: ReplayBuffer,
                                using generator: inout SeededGenerator) throws -> MemoryProbeEvaluation {
        guard train.observationSize == model.observationSize, train.actionSize == model.actionSize,
              test.observationSize == model.observationSize, test.actionSize == model.actionSize else {
            throw SequenceTrainingError("TMazeMemoryProbe: the model takes observations of \(model.observationSize) and actions of "
                                        + "\(model.actionSize) floats, the episodes have \(train.observationSize) and \(train.actionSize)")
        }
        let clock = Date()
        let summary = try model.fit(on: train, using: &generator)
        let seconds = Date().timeIntervalSince(clock)
        let result = rewardAccuracy(of: model, on: test, using: &generator)
        return MemoryProbeEvaluation(
            name: name, corridorLength: corridorLength, trainEpisodes: train.episodes.count, episodes: result.episodes,
            correct: result.correct, parameterCount: model.parameterCount, trainingSteps: summary.steps, trainLoss: summary.trainLoss,
            trainingStepsPerSecond: summary.stepsPerSecond ?? Double(summary.steps) / max(seconds, 1e-9))
    }
}
