import SeededRandom

extension ReplayBuffer {
    // MARK: - Transitions

    /// Fills `batch` with `batchSize` transitions drawn uniformly with
    /// replacement from the stored ones. `batch` is reshaped if needed and
    /// otherwise reused without allocation.
    ///
    /// Cost: O(batchSize · (2·observationSize + actionSize)).
    /// - Throws: `ReplayError` if the buffer is empty.
    public func sampleTransitions(batchSize: Int, into batch: inout TransitionBatch,
                                  using generator: inout SeededGenerator) throws {
        try sampleTransitions(batchSize: batchSize, weights: nil, into: &batch, using: &generator)
    }

    /// As `sampleTransitions(batchSize:into:using:)`, with positions drawn from
    /// `weights` (one per stored transition, in insertion order: a buffer made
    /// from a dataset with `init(dataset:)`) instead of uniformly; nil: uniform.
    public func sampleTransitions(batchSize: Int, weights: TrajectoryWeights?, into batch: inout TransitionBatch,
                                  using generator: inout SeededGenerator) throws {
        precondition(batchSize >= 0, "ReplayBuffer.sampleTransitions: negative batch size \(batchSize)")
        guard count > 0 else {
            throw ReplayError("cannot sample \(batchSize) transitions from an empty replay buffer; collect data first")
        }
        precondition(weights.map { $0.cumulative.count == count } ?? true,
                     "ReplayBuffer.sampleTransitions: \(weights?.cumulative.count ?? 0) weights for \(count) transitions")
        batch.resize(batchSize: batchSize, observationSize: observationSize, actionSize: actionSize)
        for b in 0..<batchSize {
            let position = weights?.sample(using: &generator) ?? Int(generator.next(upperBound: UInt64(count)))
            batch.indices[b] = slot(ofPosition: position)
        }
        let o = observationSize, a = actionSize
        let indices = batch.indices
        observations.withUnsafeBufferPointer { src in
            batch.observations.withUnsafeMutableBufferPointer { dst in copyRows(src, dst, indices, o) }
        }
        nextObservations.withUnsafeBufferPointer { src in
            batch.nextObservations.withUnsafeMutableBufferPointer { dst in copyRows(src, dst, indices, o) }
        }
        actions.withUnsafeBufferPointer { src in
            batch.actions.withUnsafeMutableBufferPointer { dst in copyRows(src, dst, indices, a) }
        }
        for (b, s) in indices.enumerated() {
            batch.rewards[b] = rewards[s]
            batch.terminated[b] = terminatedFlags[s]
            batch.truncated[b] = truncatedFlags[s]
        }
    }

    /// `batchSize` transitions drawn uniformly with replacement, in a new batch.
    public func sampleTransitions(batchSize: Int, using generator: inout SeededGenerator) throws -> TransitionBatch {
        var batch = TransitionBatch(observationSize: observationSize, actionSize: actionSize)
        try sampleTransitions(batchSize: batchSize, into: &batch, using: &generator)
        return batch
    }

    // MARK: - Sequences

    /// Fills `batch` with `batchSize` windows of `length` consecutive stored
    /// transitions, window starts drawn uniformly with replacement among the
    /// windows `mode` allows (see `SequenceSampling`). `resetMask[b, t]` is 1
    /// exactly where step `t > 0` begins a different episode than step `t − 1`.
    ///
    /// Cost: O(batchSize · length · (2·observationSize + actionSize)), plus O(stored
    /// episodes) for `.withinEpisode`; no allocation when `batch` is reused
    /// (`.withinEpisode` allocates one array of per-episode counts).
    /// - Throws: `ReplayError` if no window of `length` exists (fewer than
    ///   `length` transitions stored; for `.withinEpisode`, no episode that long).
    public func sampleSequences(batchSize: Int, length: Int, mode: SequenceSampling = .acrossEpisodes,
                                into batch: inout SequenceBatch, using generator: inout SeededGenerator) throws {
        precondition(batchSize >= 0 && length > 0,
                     "ReplayBuffer.sampleSequences: need batchSize >= 0 and length > 0, got \(batchSize) and \(length)")
        batch.resize(batchSize: batchSize, length: length, observationSize: observationSize, actionSize: actionSize)
        switch mode {
        case .acrossEpisodes:
            guard count >= length else {
                throw ReplayError("cannot sample windows of \(length) steps: the replay buffer holds \(count) transitions")
            }
            let starts = UInt64(count - length + 1)
            for b in 0..<batchSize { batch.startIndices[b] = slot(ofPosition: Int(generator.next(upperBound: starts))) }
        case .withinEpisode:
            // Episode k offers (length_k − L + 1) starts; pick one start uniformly among all of them.
            let live = runs[runHead...]
            var cumulative: [Int] = []
            cumulative.reserveCapacity(live.count)
            var total = 0
            for run in live {
                total += max(0, run.length - length + 1)
                cumulative.append(total)
            }
            guard total > 0 else {
                let longest = live.map(\.length).max() ?? 0
                throw ReplayError("cannot sample windows of \(length) steps inside one episode: "
                                  + "the longest stored episode has \(longest) transitions")
            }
            for b in 0..<batchSize {
                let u = Int(generator.next(upperBound: UInt64(total)))
                // First run whose cumulative count exceeds u.
                var lo = 0, hi = cumulative.count - 1
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if cumulative[mid] > u { hi = mid } else { lo = mid + 1 }
                }
                let run = live[live.startIndex + lo]
                let offset = u - (lo == 0 ? 0 : cumulative[lo - 1])
                batch.startIndices[b] = (run.first + offset) % capacity
            }
        }
        fillWindows(&batch)
    }

    /// `batchSize` windows of `length` steps in a new batch.
    public func sampleSequences(batchSize: Int, length: Int, mode: SequenceSampling = .acrossEpisodes,
                                using generator: inout SeededGenerator) throws -> SequenceBatch {
        var batch = SequenceBatch(observationSize: observationSize, actionSize: actionSize)
        try sampleSequences(batchSize: batchSize, length: length, mode: mode, into: &batch, using: &generator)
        return batch
    }

    /// Copies the windows starting at `batch.startIndices` and computes the reset mask.
    private func fillWindows(_ batch: inout SequenceBatch) {
        let o = observationSize, a = actionSize, L = batch.length, n = capacity
        let starts = batch.startIndices
        observations.withUnsafeBufferPointer { src in
            batch.observations.withUnsafeMutableBufferPointer { dst in copyWindows(src, dst, starts, L, o, n) }
        }
        nextObservations.withUnsafeBufferPointer { src in
            batch.nextObservations.withUnsafeMutableBufferPointer { dst in copyWindows(src, dst, starts, L, o, n) }
        }
        actions.withUnsafeBufferPointer { src in
            batch.actions.withUnsafeMutableBufferPointer { dst in copyWindows(src, dst, starts, L, a, n) }
        }
        for (b, start) in starts.enumerated() {
            var previousID = episodeIDs[start]
            for t in 0..<L {
                let s = (start + t) % n, i = b * L + t
                batch.rewards[i] = rewards[s]
                batch.terminated[i] = terminatedFlags[s]
                batch.truncated[i] = truncatedFlags[s]
                let id = episodeIDs[s]
                batch.resetMask[i] = id != previousID ? 1 : 0
                previousID = id
            }
        }
    }
}

/// Copies rows `indices` of a `[*, width]` source into consecutive rows of `dst`.
@inline(__always)
private func copyRows(_ src: UnsafeBufferPointer<Float>, _ dst: UnsafeMutableBufferPointer<Float>,
                      _ indices: [Int], _ width: Int) {
    guard width > 0 else { return }
    for (row, index) in indices.enumerated() {
        (dst.baseAddress! + row * width).update(from: src.baseAddress! + index * width, count: width)
    }
}

/// Copies `length` ring-consecutive rows from each start into `dst` `[B, length, width]`.
@inline(__always)
private func copyWindows(_ src: UnsafeBufferPointer<Float>, _ dst: UnsafeMutableBufferPointer<Float>,
                         _ starts: [Int], _ length: Int, _ width: Int, _ capacity: Int) {
    guard width > 0 else { return }
    for (b, start) in starts.enumerated() {
        // At most two contiguous pieces: up to the end of storage, then from slot 0.
        let first = min(length, capacity - start)
        (dst.baseAddress! + b * length * width).update(from: src.baseAddress! + start * width, count: first * width)
        if first < length {
            (dst.baseAddress! + (b * length + first) * width).update(from: src.baseAddress!, count: (length - first) * width)
        }
    }
}

extension ReplayBuffer {
    // MARK: - Rollout starts

    /// Fills `batch` with `batchSize` start states for model rollouts, drawn
    /// uniformly with replacement from the stored transitions (each row starts
    /// at a drawn transition's observation), each with the up to `history`
    /// stored transitions before it in the same episode (`RolloutStartBatch`).
    ///
    /// Cost: O(batchSize · history · (observationSize + actionSize)); no
    /// allocation when `batch` is reused.
    /// - Throws: `ReplayError` if the buffer is empty.
    public func sampleRolloutStarts(batchSize: Int, history: Int, into batch: inout RolloutStartBatch,
                                    using generator: inout SeededGenerator) throws {
        precondition(batchSize >= 0 && history >= 0,
                     "ReplayBuffer.sampleRolloutStarts: negative batch size \(batchSize) or history \(history)")
        precondition(batch.observationSize == observationSize && batch.actionSize == actionSize,
                     "ReplayBuffer.sampleRolloutStarts: batch of observations \(batch.observationSize), actions \(batch.actionSize); buffer stores \(observationSize), \(actionSize)")
        guard count > 0 else {
            throw ReplayError("cannot sample \(batchSize) rollout starts from an empty replay buffer; collect data first")
        }
        batch.resize(batchSize: batchSize, history: history)
        let o = observationSize, a = actionSize, h = history
        for b in 0..<batchSize {
            let p = Int(generator.next(upperBound: UInt64(count)))
            let s = slot(ofPosition: p)
            batch.indices[b] = s
            for i in 0..<o { batch.observations[b * o + i] = observations[s * o + i] }
            var k = 0
            while k < h && p - k - 1 >= 0 && episodeIDs[slot(ofPosition: p - k - 1)] == episodeIDs[s] { k += 1 }
            batch.historyLengths[b] = k
            for t in 0..<h {
                let back = h - t   // entry t holds step p − (h − t)
                let inHistory = back <= k
                let source = inHistory ? slot(ofPosition: p - back) : 0
                for i in 0..<o { batch.historyObservations[(b * h + t) * o + i] = inHistory ? observations[source * o + i] : 0 }
                for j in 0..<a { batch.historyActions[(b * h + t) * a + j] = inHistory ? actions[source * a + j] : 0 }
            }
        }
    }
}
