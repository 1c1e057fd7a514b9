import Foundation
import NN
import Replay
import SeededRandom

/// A learned `WorldModel` the experiment runner can train and size without
/// knowing its concrete type (what `makeWorldModel` returns).
public protocol TrainableWorldModel: WorldModel {
    /// Trainable scalars.
    var parameterCount: Int { get }
    /// Trains on the stored transitions of `buffer` with the model's own training settings.
    func fit(on buffer: ReplayBuffer, using generator: inout SeededGenerator) throws -> WorldModelTrainingSummary
    /// Weights and normalisers as a safetensors file (`write(to:)` it to save).
    func checkpoint() -> SafeTensorsFile
    /// Restores what `checkpoint()` saved; a file of another model is an error naming the first
    /// missing, unexpected or wrongly shaped tensor.
    func load(checkpointAt url: URL) throws
}

/// What one training call did, common to all world models (for logging as `model/...`).
public struct WorldModelTrainingSummary: Sendable, Equatable, Codable {
    /// Training loss at the end (the model's own loss: NLL/MSE for the ensemble, weighted sequence loss otherwise).
    public var trainLoss: Float
    /// Validation loss or error at the end (nil without validation data).
    public var validationLoss: Float?
    /// Gradient steps (sequence models) or epochs (the ensemble).
    public var steps: Int
    /// Training throughput in gradient steps per second (nil if not measured).
    public var stepsPerSecond: Double?

    public init(trainLoss: Float, validationLoss: Float?, steps: Int, stepsPerSecond: Double?) {
        self.trainLoss = trainLoss
        self.validationLoss = validationLoss
        self.steps = steps
        self.stepsPerSecond = stepsPerSecond
    }
}

extension EnsembleWorldModel: TrainableWorldModel {
    public var parameterCount: Int { network.parameterCount }

    /// `train(on:using:)`; the validation loss is the elites' mean validation MSE. `steps` counts
    /// epochs; `stepsPerSecond` counts gradient steps (⌈train transitions / batch⌉ per epoch) times
    /// members per wall-clock second of the whole call (validation included), as the sequence
    /// trainer counts them.
    public func fit(on buffer: ReplayBuffer, using generator: inout SeededGenerator) throws -> WorldModelTrainingSummary {
        guard buffer.count > 0 else { throw SequenceTrainingError("cannot train the ensemble on an empty replay buffer; collect data first") }
        let clock = DispatchTime.now().uptimeNanoseconds
        let report = train(on: buffer, using: &generator)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9
        let batch = max(min(configuration.batchSize, report.trainCount), 1)
        let gradientSteps = report.epochs * ((report.trainCount + batch - 1) / batch) * configuration.members
        return WorldModelTrainingSummary(trainLoss: report.trainLoss, validationLoss: report.eliteValidationMSE,
                                         steps: report.epochs, stepsPerSecond: seconds > 0 ? Double(gradientSteps) / seconds : nil)
    }
}

extension SequenceWorldModel: TrainableWorldModel {
    /// `SequenceWorldModelTrainer(configuration: training).train(self, ...)`; validation loss averaged over members.
    public func fit(on buffer: ReplayBuffer, using generator: inout SeededGenerator) throws -> WorldModelTrainingSummary {
        let report = try SequenceWorldModelTrainer(configuration: training).train(self, on: buffer, using: &generator)
        let validation = report.validationLoss.map { $0.reduce(0, +) / Float($0.count) }
        return WorldModelTrainingSummary(trainLoss: report.trainLoss, validationLoss: validation, steps: report.steps,
                                         stepsPerSecond: report.stepsPerSecond)
    }
}
