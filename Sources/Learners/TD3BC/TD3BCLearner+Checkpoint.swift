import NN

/// TD3+BC checkpoints: everything needed to continue exactly.
///
/// Tensors (the authors' attribute names, torch's parameter names):
/// `actor.layers.<l>.weight|bias`, `actor_target.…`, `qf1.…`, `qf2.…`,
/// `qf1_target.…`, `qf2_target.…`; Adam moments `actor_optimizer.<name>.exp_avg|exp_avg_sq`,
/// `qf1_optimizer.…`, `qf2_optimizer.…`; `obs_normalizer.mean|std`.
/// Metadata (exact integers): `updates`, `actor_optimizer.step`, `qf1_optimizer.step`, `qf2_optimizer.step`.
extension TD3BCLearner {
    static let criticNames = ["qf1", "qf2"]
    static let checkpointLabel = "TD3+BC checkpoint"

    public func checkpoint() -> SafeTensorsFile {
        var tensors = actor.network.checkpointTensors(prefix: "actor.")
        tensors.merge(targetActor.checkpointTensors(prefix: "actor_target.")) { a, _ in a }
        tensors.merge(actor.network.optimizerCheckpointTensors(prefix: "actor_optimizer.")) { a, _ in a }
        tensors.merge(actor.observationNormalizer.checkpointTensors()) { a, _ in a }
        var metadata = ["updates": String(updates), "actor_optimizer.step": String(actor.network.optimizerStep)]
        for (k, name) in Self.criticNames.enumerated() {
            tensors.merge(critics[k].checkpointTensors(prefix: name + ".")) { a, _ in a }
            tensors.merge(targetCritics[k].checkpointTensors(prefix: name + "_target.")) { a, _ in a }
            tensors.merge(critics[k].optimizerCheckpointTensors(prefix: name + "_optimizer.")) { a, _ in a }
            metadata[name + "_optimizer.step"] = String(critics[k].optimizerStep)
        }
        return SafeTensorsFile(tensors: tensors, metadata: metadata)
    }

    /// Restores a ``checkpoint()`` of a learner with the same sizes. Throws ``SafeTensorsError``
    /// naming the missing, unexpected or mis-shaped tensor or counter; nothing changes when it throws.
    public func load(checkpoint: SafeTensorsFile) throws {
        var expected = actor.network.checkpointShapes(prefix: "actor.")
        expected.merge(targetActor.checkpointShapes(prefix: "actor_target.")) { a, _ in a }
        expected.merge(actor.network.optimizerCheckpointShapes(prefix: "actor_optimizer.")) { a, _ in a }
        expected.merge(ObservationNormalizer.checkpointShapes(size: observationSize)) { a, _ in a }
        for (k, name) in Self.criticNames.enumerated() {
            expected.merge(critics[k].checkpointShapes(prefix: name + ".")) { a, _ in a }
            expected.merge(critics[k].checkpointShapes(prefix: name + "_target.")) { a, _ in a }
            expected.merge(critics[k].optimizerCheckpointShapes(prefix: name + "_optimizer.")) { a, _ in a }
        }
        try checkpoint.check(expecting: expected, label: Self.checkpointLabel)
        let updates = try checkpoint.counter("updates", label: Self.checkpointLabel)
        let actorStep = try checkpoint.counter("actor_optimizer.step", label: Self.checkpointLabel)
        let criticSteps = try Self.criticNames.map { try checkpoint.counter($0 + "_optimizer.step", label: Self.checkpointLabel) }
        let normalizer = try ObservationNormalizer.fromCheckpoint(checkpoint.tensors, label: Self.checkpointLabel)

        let tensors = checkpoint.tensors
        actor.network.loadCheckpointTensors(tensors, prefix: "actor.")
        targetActor.loadCheckpointTensors(tensors, prefix: "actor_target.")
        actor.network.loadOptimizerCheckpointTensors(tensors, prefix: "actor_optimizer.", step: actorStep)
        actor.observationNormalizer = normalizer
        for (k, name) in Self.criticNames.enumerated() {
            critics[k].loadCheckpointTensors(tensors, prefix: name + ".")
            targetCritics[k].loadCheckpointTensors(tensors, prefix: name + "_target.")
            critics[k].loadOptimizerCheckpointTensors(tensors, prefix: name + "_optimizer.", step: criticSteps[k])
        }
        self.updates = updates
    }
}
