extension TransitionBatch {
    /// Overwrites this batch with the rows of `first` followed by those of
    /// `second` (e.g. dataset and model-rollout rows of one offline-RL update).
    /// Reuses the storage when the shape is unchanged.
    public mutating func fill(concatenating first: TransitionBatch, _ second: TransitionBatch) {
        precondition(first.observationSize == second.observationSize && first.actionSize == second.actionSize,
                     "TransitionBatch.fill: batches of different shapes")
        let rows = first.batchSize + second.batchSize
        if batchSize != rows || observationSize != first.observationSize || actionSize != first.actionSize {
            self = TransitionBatch(batchSize: rows, observationSize: first.observationSize, actionSize: first.actionSize)
        }
        func copy<T>(_ target: inout [T], _ a: [T], _ b: [T]) {
            target.withUnsafeMutableBufferPointer { t in
                _ = UnsafeMutableBufferPointer(rebasing: t[..<a.count]).update(fromContentsOf: a)
                _ = UnsafeMutableBufferPointer(rebasing: t[a.count...]).update(fromContentsOf: b)
            }
        }
        copy(&observations, first.observations, second.observations)
        copy(&actions, first.actions, second.actions)
        copy(&rewards, first.rewards, second.rewards)
        copy(&nextObservations, first.nextObservations, second.nextObservations)
        copy(&terminated, first.terminated, second.terminated)
        copy(&truncated, first.truncated, second.truncated)
        copy(&indices, first.indices, second.indices)
    }
}
