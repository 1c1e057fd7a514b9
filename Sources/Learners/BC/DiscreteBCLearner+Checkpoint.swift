import NN

/// Discrete BC checkpoints: `actor.layers.<l>.weight|bias` (the logits network),
/// `actor_optimizer.…`, `obs_normalizer.mean|std`; metadata `updates`, `actor_optimizer.step`.
extension DiscreteBCLearner {
    static let checkpointLabel = "discrete BC checkpoint"

    public func checkpoint() -> SafeTensorsFile {
        var tensors = network.checkpointTensors(prefix: "actor.")
        tensors.merge(network.optimizerCheckpointTensors(prefix: "actor_optimizer.")) { a, _ in a }
        tensors.merge(observationNormalizer.checkpointTensors()) { a, _ in a }
        return SafeTensorsFile(tensors: tensors, metadata: ["updates": String(updates),
                                                            "actor_optimizer.step": String(network.optimizerStep)])
    }

    /// Restores a ``checkpoint()`` of a learner with the same sizes; throws ``SafeTensorsError``
    /// naming what is missing or mis-shaped, changing nothing.
    public func load(checkpoint: SafeTensorsFile) throws {
        var expected = network.checkpointShapes(prefix: "actor.")
        expected.merge(network.optimizerCheckpointShapes(prefix: "actor_optimizer.")) { a, _ in a }
        expected.merge(ObservationNormalizer.checkpointShapes(size: observationSize)) { a, _ in a }
        try checkpoint.check(expecting: expected, label: Self.checkpointLabel)
        let updates = try checkpoint.counter("updates", label: Self.checkpointLabel)
        let step = try checkpoint.counter("actor_optimizer.step", label: Self.checkpointLabel)
        let normalizer = try ObservationNormalizer.fromCheckpoint(checkpoint.tensors, label: Self.checkpointLabel)
        network.loadCheckpointTensors(checkpoint.tensors, prefix: "actor.")
        network.loadOptimizerCheckpointTensors(checkpoint.tensors, prefix: "actor_optimizer.", step: step)
        observationNormalizer = normalizer
        self.updates = updates
    }
}
