import NN
import SeededRandom

/// Builds the world model `settings.backbone` names, seeded by `seed`:
/// `.mlp` → `EnsembleWorldModel(settings.ensemble)`; every other backbone →
/// `SequenceWorldModel<Backbone>` with `settings.sequence` and
/// `settings.training`, its backbones from `makeSequenceBackbone(settings:observationSize:into:)`.
public func makeWorldModel(settings: WorldModelSettings, observationSize: Int, actionSize: Int,
                           seed: UInt64) throws -> any TrainableWorldModel {
    guard observationSize > 0, actionSize > 0 else {
        throw WorldModelFactoryError("world model sizes must be positive, got observation \(observationSize), action \(actionSize)")
    }
    var generator = SeededGenerator(seed: seed)
    if settings.backbone == .mlp {
        return try EnsembleWorldModel(observationSize: observationSize, actionSize: actionSize,
                                      configuration: settings.ensemble, generator: &generator)
    }
    /// A `SequenceWorldModel` of `settings.sequence` members, trained with `settings.training`.
    final class SequenceModelBuilder: SequenceBackboneBuilder {
        let settings: WorldModelSettings, observationSize: Int, actionSize: Int
        var generator: SeededGenerator
        init(settings: WorldModelSettings, observationSize: Int, actionSize: Int, generator: SeededGenerator) {
            (self.settings, self.observationSize, self.actionSize, self.generator) = (settings, observationSize, actionSize, generator)
        }
        func build<Backbone: SequenceBackbone>(
            _ makeBackbone: @escaping (Int, inout SeededGenerator) throws -> Backbone
        ) throws -> any TrainableWorldModel {
            let model = try SequenceWorldModel(observationSize: observationSize, actionSize: actionSize,
                                               configuration: settings.sequence, generator: &generator,
                                               makeBackbone: makeBackbone)
            model.training = settings.training
            return model
        }
    }
    return try makeSequenceBackbone(settings: settings, observationSize: observationSize,
                                    into: SequenceModelBuilder(settings: settings, observationSize: observationSize,
                                                               actionSize: actionSize, generator: generator))
}
