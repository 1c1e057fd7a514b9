import Foundation

/// A dataset of transitions on disk in the D4RL layout (Fu et al., "D4RL:
/// Datasets for Deep Data-Driven Reinforcement Learning", 2020): an `.npz`
/// file with one array per field, row `i` being transition `i`.
///
/// | key                 | shape                 | dtype read            | written  |
/// |---------------------|-----------------------|-----------------------|----------|
/// | `observations`      | `[N, observationSize]` (or `[N]`, or `[N, d1, d2, ...]` flattened) | float32/64, int, bool | `<f4` |
/// | `actions`           | `[N, actionSize]` (or `[N]`: a discrete index per row) | same | `<f4` |
/// | `rewards`           | `[N]` or `[N, 1]`     | same                  | `<f4`    |
/// | `next_observations` | same as `observations`| same                  | `<f4`    |
/// | `terminals`         | `[N]` or `[N, 1]`     | bool (or non-zero numbers) | `|b1` |
/// | `timeouts`          | `[N]` or `[N, 1]`, optional (all false if absent, as in D4RL v0) | same | `|b1` |
/// | `metadata`          | `[]`, optional        | `<U<n>`: one JSON string (`DatasetMetadata`) | `<U<n>` |
///
/// `terminals` is Gymnasium's `terminated` and `timeouts` its `truncated`;
/// they stay distinct. Other keys (`infos/...`, `metadata/...`) are ignored on
/// read. Missing keys, wrong dtypes (text or bools where numbers belong, text
/// flags), inconsistent shapes and a malformed `metadata` are `DatasetError`s
/// naming the file and the array; `load(from:)` also rejects NaN and ±inf in
/// the float arrays, naming the array and the row (`checkFinite()`), and
/// `validate(observationSpace:actionSpace:environment:)` checks the sizes
/// against an environment. The arrays are stored flat, row-major, as Float/Bool.
public struct OfflineDataset: Equatable, Sendable {
    /// The D4RL key names.
    public enum Key {
        public static let observations = "observations"
        public static let actions = "actions"
        public static let rewards = "rewards"
        public static let nextObservations = "next_observations"
        public static let terminals = "terminals"
        public static let timeouts = "timeouts"
        public static let metadata = "metadata"
    }

    public var observationSize: Int
    public var actionSize: Int
    /// `[count, observationSize]`
    public var observations: [Float]
    /// `[count, actionSize]`
    public var actions: [Float]
    /// `[count]`
    public var rewards: [Float]
    /// `[count, observationSize]`
    public var nextObservations: [Float]
    /// `[count]`: the next observation is terminal.
    public var terminals: [Bool]
    /// `[count]`: the episode was cut short after this step.
    public var timeouts: [Bool]
    /// How the data was made (the `metadata` array), if the file says.
    public var metadata: DatasetMetadata?

    /// Number of transitions.
    public var count: Int { rewards.count }

    /// A dataset from flat arrays whose lengths match `count = rewards.count`
    /// (a programmer error otherwise).
    public init(observationSize: Int, actionSize: Int, observations: [Float], actions: [Float], rewards: [Float],
                nextObservations: [Float], terminals: [Bool], timeouts: [Bool], metadata: DatasetMetadata? = nil) {
        let n = rewards.count
        precondition(observations.count == n * observationSize && nextObservations.count == n * observationSize
                     && actions.count == n * actionSize && terminals.count == n && timeouts.count == n,
                     "OfflineDataset: arrays disagree with \(n) rewards, observation \(observationSize), action \(actionSize)")
        self.observationSize = observationSize
        self.actionSize = actionSize
        self.observations = observations
        self.actions = actions
        self.rewards = rewards
        self.nextObservations = nextObservations
        self.terminals = terminals
        self.timeouts = timeouts
        self.metadata = metadata
    }

    // MARK: - NPZ

    /// Reads a D4RL-layout `.npz` file and checks that its float arrays are finite.
    public static func load(from url: URL) throws -> OfflineDataset {
        let dataset = try OfflineDataset(archive: try NPZArchive.read(from: url))
        try dataset.checkFinite(file: url.path)
        return dataset
    }

    /// The returns of the dataset's episodes (split at `terminals` and `timeouts`).
    public var episodeReturns: EpisodeReturnSummary {
        EpisodeReturnSummary(rewards: rewards, terminals: terminals, timeouts: timeouts)
    }

    /// Writes the dataset as a D4RL-layout `.npz` file, atomically.
    public func save(to url: URL) throws {
        try archive.write(to: url)
    }

    /// The dataset's arrays under their D4RL keys (and `metadata` when set).
    public var archive: NPZArchive {
        let n = count
        var archive = NPZArchive([
            (Key.observations, NumPyArray(observations, shape: [n, observationSize])),
            (Key.actions, NumPyArray(actions, shape: [n, actionSize])),
            (Key.rewards, NumPyArray(rewards, shape: [n])),
            (Key.nextObservations, NumPyArray(nextObservations, shape: [n, observationSize])),
            (Key.terminals, NumPyArray(terminals, shape: [n])),
            (Key.timeouts, NumPyArray(timeouts, shape: [n])),
        ])
        if let metadata { archive.set(Key.metadata, metadata.array) }
        return archive
    }

    /// The dataset held in `archive` under D4RL keys, validated.
    /// - Throws: `DatasetError` naming a missing key or an array whose shape
    ///   disagrees with `rewards`' length.
    public init(archive: NPZArchive) throws {
        let file = archive.file
        func invalid(_ message: String) -> DatasetError { DatasetError(file: file, kind: .invalidArray, message: message) }

        let rewardArray = try archive.array(Key.rewards)
        try Self.requireNumbers(rewardArray, key: Key.rewards, file: file)
        let n = try Self.flagLength(rewardArray, key: Key.rewards, file: file, expected: nil)
        func rows(_ key: String) throws -> (array: NumPyArray, width: Int) {
            let a = try archive.array(key)
            try Self.requireNumbers(a, key: key, file: file)
            guard let first = a.shape.first else {
                throw invalid("array '\(key)' is a scalar; expected shape [N, size] with N = \(n) (the length of 'rewards')")
            }
            guard first == n else {
                throw invalid("array '\(key)' has \(first) rows (shape \(a.shape)); expected \(n), the length of 'rewards'")
            }
            // Checked: an empty array's header may claim rows of any size (the element count is 0 either way).
            var width = 1
            for dimension in a.shape.dropFirst() {
                let (product, overflow) = width.multipliedReportingOverflow(by: dimension)
                guard !overflow, product <= Int(Int32.max) else {
                    throw invalid("array '\(key)' has rows of shape \(Array(a.shape.dropFirst())) (shape \(a.shape)); "
                                  + "expected rows of at most \(Int32.max) values")
                }
                width = product
            }
            return (a, width)
        }
        let obs = try rows(Key.observations)
        let act = try rows(Key.actions)
        let next = try rows(Key.nextObservations)
        guard next.array.shape == obs.array.shape else {
            throw invalid("array '\(Key.nextObservations)' has shape \(next.array.shape); expected \(obs.array.shape), the shape of 'observations'")
        }
        let terminalArray = try archive.array(Key.terminals)
        try Self.requireFlags(terminalArray, key: Key.terminals, file: file)
        _ = try Self.flagLength(terminalArray, key: Key.terminals, file: file, expected: n)
        var timeouts = [Bool](repeating: false, count: n)
        if let t = archive[Key.timeouts] {
            try Self.requireFlags(t, key: Key.timeouts, file: file)
            _ = try Self.flagLength(t, key: Key.timeouts, file: file, expected: n)
            timeouts = t.boolValues
        }
        let metadata = try archive[Key.metadata].map { try DatasetMetadata(array: $0, key: Key.metadata, file: file) }
        self.init(observationSize: obs.width, actionSize: act.width, observations: obs.array.floatValues,
                  actions: act.array.floatValues, rewards: rewardArray.floatValues,
                  nextObservations: next.array.floatValues, terminals: terminalArray.boolValues, timeouts: timeouts,
                  metadata: metadata)
    }

    /// Observations, actions and rewards must be numbers (float or integer dtypes).
    private static func requireNumbers(_ a: NumPyArray, key: String, file: String) throws {
        guard a.isNumeric else {
            throw DatasetError(file: file, kind: .invalidArray, message:
                "array '\(key)' has dtype \(a.dtypeName); expected float32 (float64 and integers are also read)")
        }
    }

    /// `terminals` and `timeouts` must be bools, or numbers that are all 0 or 1 (D4RL v0's float flags).
    private static func requireFlags(_ a: NumPyArray, key: String, file: String) throws {
        switch a.elements {
        case .bool: return
        case .unicode:
            throw DatasetError(file: file, kind: .invalidArray, message: "array '\(key)' has dtype str; expected bool")
        case .float32, .int64:
            let values = a.floatValues
            if let row = values.firstIndex(where: { $0 != 0 && $0 != 1 }) {
                throw DatasetError(file: file, kind: .invalidArray, message:
                    "array '\(key)' row \(row) holds \(values[row]); expected bool (or numbers 0 and 1)")
            }
        }
    }

    /// The length of a per-transition scalar array (shape `[N]` or `[N, 1]`).
    private static func flagLength(_ a: NumPyArray, key: String, file: String, expected: Int?) throws -> Int {
        let against = expected.map { ", N = \($0) (the length of 'rewards')" } ?? ""
        guard a.shape.count == 1 || (a.shape.count == 2 && a.shape[1] == 1) else {
            throw DatasetError(file: file, kind: .invalidArray,
                               message: "array '\(key)' has shape \(a.shape); expected [N] or [N, 1]\(against)")
        }
        if let expected, a.shape[0] != expected {
            throw DatasetError(file: file, kind: .invalidArray,
                               message: "array '\(key)' has \(a.shape[0]) rows; expected \(expected), the length of 'rewards'")
        }
        return a.shape[0]
    }
}
