extension ReplayBuffer {
    // MARK: - Episodes

    /// The stored episodes, oldest first. Cost: O(stored episodes).
    public var episodeRanges: [EpisodeRange] {
        let oldest = totalAdded - count
        let live = runs[runHead...]
        return live.enumerated().map { k, run in
            EpisodeRange(id: run.id, start: run.first - oldest, length: run.length,
                         isClippedAtStart: k == 0 && run.id == lastDroppedEpisodeID,
                         isOpen: k == live.count - 1 && episodeOpen)
        }
    }

    /// The steps of a stored episode, copied. Cost: O(length · size).
    public func episode(_ range: EpisodeRange) -> Episode {
        precondition(range.start >= 0 && range.length >= 0 && range.start + range.length <= count,
                     "ReplayBuffer.episode: range \(range.start)..<\(range.start + range.length) outside 0..<\(count)")
        let o = observationSize, a = actionSize
        var obs: [Float] = [], next: [Float] = [], act: [Float] = [], rew: [Float] = []
        var term: [Bool] = [], trunc: [Bool] = []
        obs.reserveCapacity(range.length * o); next.reserveCapacity(range.length * o)
        act.reserveCapacity(range.length * a); rew.reserveCapacity(range.length)
        for p in range.start..<(range.start + range.length) {
            let s = slot(ofPosition: p)
            obs.append(contentsOf: observations[(s * o)..<(s * o + o)])
            next.append(contentsOf: nextObservations[(s * o)..<(s * o + o)])
            act.append(contentsOf: actions[(s * a)..<(s * a + a)])
            rew.append(rewards[s])
            term.append(terminatedFlags[s] != 0)
            trunc.append(truncatedFlags[s] != 0)
        }
        return Episode(range: range, observationSize: o, actionSize: a, observations: obs, actions: act,
                       rewards: rew, nextObservations: next, terminated: term, truncated: trunc)
    }

    /// The stored episodes, oldest first, each copied when iterated.
    public var episodes: LazyMapSequence<[EpisodeRange], Episode> {
        episodeRanges.lazy.map { self.episode($0) }
    }

    /// The transition at chronological position `p` (0 = oldest), copied.
    public func transition(at p: Int) -> (observation: [Float], action: [Float], reward: Float,
                                          nextObservation: [Float], terminated: Bool, truncated: Bool) {
        let s = slot(ofPosition: p), o = observationSize, a = actionSize
        return (Array(observations[(s * o)..<(s * o + o)]), Array(actions[(s * a)..<(s * a + a)]), rewards[s],
                Array(nextObservations[(s * o)..<(s * o + o)]), terminatedFlags[s] != 0, truncatedFlags[s] != 0)
    }
}
