import NN

/// SAC checkpoints: everything needed to continue exactly.
///
/// Tensors (CleanRL's attribute names, torch's parameter names):
/// `actor.layers.<l>.weight|bias`, `qf1.…`, `qf2.…` (… `qfN.…`), `qf1_target.…`,
/// `qf2_target.…`; Adam moments `actor_optimizer.<name>.exp_avg|exp_avg_sq`,
/// `qf1_optimizer.…`, `qf2_optimizer.…`; `log_alpha` `[1]` with
/// `alpha_optimizer.log_alpha.exp_avg|exp_avg_sq` `[1]`.
/// Metadata (exact integers): `updates`, `actor_optimizer.step`,
/// `qf1_optimizer.step`, `qf2_optimizer.step`, `alpha_optimizer.step`.
extension SACLearner {
    /// `qf1` … `qfN`.
    var criticNames: [String] { (1...critics.count).map { "qf\($0)" } }
    static let checkpointLabel = "SAC checkpoint"

    public func checkpoint() -> SafeTensorsFile {
        var tensors = actor.checkpointTensors(prefix: "actor.")
        tensors.merge(actor.optimizerCheckpointTensors(prefix: "actor_optimizer.")) { a, _ in a }
        for (k, name) in criticNames.enumerated() {
            tensors.merge(critics[k].checkpointTensors(prefix: name + ".")) { a, _ in a }
            tensors.merge(targetCritics[k].checkpointTensors(prefix: name + "_target.")) { a, _ in a }
            tensors.merge(critics[k].optimizerCheckpointTensors(prefix: name + "_optimizer.")) { a, _ in a }
        }
        tensors["log_alpha"] = CheckpointArray(shape: [1], values: [logAlpha])
        tensors["alpha_optimizer.log_alpha.exp_avg"] = CheckpointArray(shape: [1], values: [alphaFirstMoment])
        tensors["alpha_optimizer.log_alpha.exp_avg_sq"] = CheckpointArray(shape: [1], values: [alphaSecondMoment])
        var metadata = ["updates": String(updates), "actor_optimizer.step": String(actor.optimizerStep),
                        "alpha_optimizer.step": String(alphaOptimizerStep)]
        for (k, name) in criticNames.enumerated() { metadata[name + "_optimizer.step"] = String(critics[k].optimizerStep) }
        return SafeTensorsFile(tensors: tensors, metadata: metadata)
    }

    /// Restores a ``checkpoint()`` of a learner with the same sizes. Throws
    /// ``SafeTensorsError`` naming the missing, unexpected or mis-shaped tensor, or
    /// the missing metadata counter; nothing is changed when it throws.
    public func load(checkpoint: SafeTensorsFile) throws {
        var expected = actor.checkpointShapes(prefix: "actor.")
        expected.merge(actor.optimizerCheckpointShapes(prefix: "actor_optimizer.")) { a, _ in a }
        for (k, name) in criticNames.enumerated() {
            expected.merge(critics[k].checkpointShapes(prefix: name + ".")) { a, _ in a }
            expected.merge(critics[k].checkpointShapes(prefix: name + "_target.")) { a, _ in a }
            expected.merge(critics[k].optimizerCheckpointShapes(prefix: name + "_optimizer.")) { a, _ in a }
        }
        for name in ["log_alpha", "alpha_optimizer.log_alpha.exp_avg", "alpha_optimizer.log_alpha.exp_avg_sq"] { expected[name] = [1] }
        try checkpoint.check(expecting: expected, label: Self.checkpointLabel)
        let updates = try checkpoint.counter("updates", label: Self.checkpointLabel)
        let actorStep = try checkpoint.counter("actor_optimizer.step", label: Self.checkpointLabel)
        let alphaStep = try checkpoint.counter("alpha_optimizer.step", label: Self.checkpointLabel)
        let criticSteps = try criticNames.map { try checkpoint.counter($0 + "_optimizer.step", label: Self.checkpointLabel) }

        let tensors = checkpoint.tensors
        actor.loadCheckpointTensors(tensors, prefix: "actor.")
        actor.loadOptimizerCheckpointTensors(tensors, prefix: "actor_optimizer.", step: actorStep)
        for (k, name) in criticNames.enumerated() {
            critics[k].loadCheckpointTensors(tensors, prefix: name + ".")
            targetCritics[k].loadCheckpointTensors(tensors, prefix: name + "_target.")
            critics[k].loadOptimizerCheckpointTensors(tensors, prefix: name + "_optimizer.", step: criticSteps[k])
        }
        logAlpha = tensors["log_alpha"]!.values[0]
        alphaFirstMoment = tensors["alpha_optimizer.log_alpha.exp_avg"]!.values[0]
        alphaSecondMoment = tensors["alpha_optimizer.log_alpha.exp_avg_sq"]!.values[0]
        alphaOptimizerStep = alphaStep
        self.updates = updates
    }
}

extension SafeTensorsFile {
    /// The non-negative integer stored under `key` in the metadata; throws
    /// ``SafeTensorsError`` (invalid header) naming the key when it is missing or not one.
    func counter(_ key: String, label: String) throws -> Int {
        guard let text = metadata[key], let value = Int(text), value >= 0 else {
            throw SafeTensorsError(.invalidHeader(reason: "__metadata__ has no non-negative integer '\(key)'"
                                                  + (metadata[key].map { " (found '\($0)')" } ?? "")), file: label)
        }
        return value
    }
}
