import Environments

extension OfflineDataset {
    /// Throws if an observation, action, reward or next observation is NaN or
    /// ±inf, naming the array, the first such row and its column.
    /// Cost: one pass over the floats, no allocation.
    public func checkFinite(file: String) throws {
        func check(_ values: [Float], width: Int, key: String) throws {
            guard width > 0 else { return }
            try values.withUnsafeBufferPointer { v in
                for i in 0..<v.count where !v[i].isFinite {
                    let column = width > 1 ? " column \(i % width)" : ""
                    throw DatasetError(file: file, kind: .invalidArray, message:
                        "array '\(key)' row \(i / width)\(column) is \(v[i]); dataset values must be finite")
                }
            }
        }
        try check(observations, width: observationSize, key: Key.observations)
        try check(actions, width: actionSize, key: Key.actions)
        try check(rewards, width: 1, key: Key.rewards)
        try check(nextObservations, width: observationSize, key: Key.nextObservations)
    }

    /// Throws unless the dataset's rows fit an environment with these spaces:
    /// observation rows of the observation space's flat size, action rows of
    /// the action space's flat size, and, for a `Discrete` action space,
    /// every action an index the space holds.
    ///
    /// - Parameters:
    ///   - environment: the environment's id, for the message.
    ///   - file: the dataset's file, for the message.
    /// - Throws: `DatasetError` (`.invalidArray`) naming both shapes, e.g.
    ///   `d.npz: array 'observations' has rows of shape [3] (dataset shape [1000, 3]);
    ///   CartPole-v1's observation space Box(4) has shape [4]`.
    public func validate(observationSpace: Space, actionSpace: Space, environment: String, file: String) throws {
        func fail(_ key: String, _ width: Int, _ space: Space, _ role: String) -> DatasetError {
            let shape: [Int]
            switch space {
            case .box(let box): shape = box.shape
            case .discrete: shape = []
            }
            let row = width == 1 && shape.isEmpty ? "[] (one index per row)" : "[\(width)]"
            return DatasetError(file: file, kind: .invalidArray, message:
                "array '\(key)' has rows of shape \(row) (dataset shape [\(count), \(width)]); \(environment)'s \(role) space \(space) has shape \(shape)")
        }
        guard observationSize == observationSpace.flatSize else {
            throw fail(Key.observations, observationSize, observationSpace, "observation")
        }
        guard actionSize == actionSpace.flatSize else { throw fail(Key.actions, actionSize, actionSpace, "action") }
        if case .discrete(let d) = actionSpace {
            for (row, a) in actions.enumerated() where a.rounded() != a || !d.contains(Int(exactly: a) ?? Int.min) {
                throw DatasetError(file: file, kind: .invalidArray, message:
                    "array '\(Key.actions)' row \(row) is \(a); \(environment)'s action space \(actionSpace) holds the indices \(d.start) ... \(d.start + d.n - 1)")
            }
        }
    }
}
