import NN

/// BC checkpoints: everything needed to continue exactly.
///
/// Tensors: `actor.layers.<l>.weight|bias`, `actor_optimizer.<name>.exp_avg|exp_avg_sq`,
/// `obs_normalizer.mean|std`. Metadata (exact integers): `updates`, `actor_optimizer.step`.
extension BCLearner {
    static let checkpointLabel = "BC checkpoint"

    public func checkpoint() -> SafeTensorsFile {
        var tensors = policy.network.checkpointTensors(prefix: "actor.")
        tensors.merge(policy.network.optimizerCheckpointTensors(prefix: "actor_optimizer.")) { a, _ in a }
        tensors.merge(policy.observationNormalizer.checkpointTensors()) { a, _ in a }
        return SafeTensorsFile(tensors: tensors, metadata: ["updates": String(updates),
                                                            "actor_optimizer.step": String(policy.network.optimizerStep)])
    }

    /// Restores a ``checkpoint()`` of a learner with the same sizes. Throws ``SafeTensorsError``
    /// naming the missing, unexpected or mis-shaped tensor or counter; nothing changes when it throws.
    public func load(checkpoint: SafeTensorsFile) throws {
        var expected = policy.network.checkpointShapes(prefix: "actor.")
        expected.merge(policy.network.optimizerCheckpointShapes(prefix: "actor_optimizer.")) { a, _ in a }
        expected.merge(ObservationNormalizer.checkpointShapes(size: observationSize)) { a, _ in a }
        try checkpoint.check(expecting: expected, label: Self.checkpointLabel)
        let updates = try checkpoint.counter("updates", label: Self.checkpointLabel)
        let step = try checkpoint.counter("actor_optimizer.step", label: Self.checkpointLabel)
        let normalizer = try ObservationNormalizer.fromCheckpoint(checkpoint.tensors, label: Self.checkpointLabel)
        policy.network.loadCheckpointTensors(checkpoint.tensors, prefix: "actor.")
        policy.network.loadOptimizerCheckpointTensors(checkpoint.tensors, prefix: "actor_optimizer.", step: step)
        policy.observationNormalizer = normalizer
        self.updates = updates
    }
}
