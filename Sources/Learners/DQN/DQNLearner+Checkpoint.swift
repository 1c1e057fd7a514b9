import NN

/// DQN checkpoints (CleanRL's attribute names): `q_network.layers.<l>.weight|bias`,
/// `target_network.…`, Adam moments `optimizer.<name>.exp_avg|exp_avg_sq`;
/// metadata `updates` and `optimizer.step` (exact integers).
extension DQNLearner {
    static let checkpointLabel = "DQN checkpoint"

    public func checkpoint() -> SafeTensorsFile {
        var tensors = qNetwork.checkpointTensors(prefix: "q_network.")
        tensors.merge(targetNetwork.checkpointTensors(prefix: "target_network.")) { a, _ in a }
        tensors.merge(qNetwork.optimizerCheckpointTensors(prefix: "optimizer.")) { a, _ in a }
        return SafeTensorsFile(tensors: tensors, metadata: ["updates": String(updates),
                                                            "optimizer.step": String(qNetwork.optimizerStep)])
    }

    /// Restores a ``checkpoint()`` of a learner with the same sizes. Throws
    /// ``SafeTensorsError`` naming the missing, unexpected or mis-shaped tensor, or
    /// the missing metadata counter; nothing is changed when it throws.
    public func load(checkpoint: SafeTensorsFile) throws {
        var expected = qNetwork.checkpointShapes(prefix: "q_network.")
        expected.merge(targetNetwork.checkpointShapes(prefix: "target_network.")) { a, _ in a }
        expected.merge(qNetwork.optimizerCheckpointShapes(prefix: "optimizer.")) { a, _ in a }
        try checkpoint.check(expecting: expected, label: Self.checkpointLabel)
        let updates = try checkpoint.counter("updates", label: Self.checkpointLabel)
        let step = try checkpoint.counter("optimizer.step", label: Self.checkpointLabel)
        qNetwork.loadCheckpointTensors(checkpoint.tensors, prefix: "q_network.")
        targetNetwork.loadCheckpointTensors(checkpoint.tensors, prefix: "target_network.")
        qNetwork.loadOptimizerCheckpointTensors(checkpoint.tensors, prefix: "optimizer.", step: step)
        self.updates = updates
    }
}
