import Foundation

extension ReplayBuffer {
    // MARK: - Datasets

    /// The stored transitions, oldest first, as a D4RL-layout dataset
    /// (`terminals` = terminated, `timeouts` = truncated). Episode ids are not
    /// part of D4RL; an episode ended by `endEpisode()` has no flag on its last
    /// step there (use `save(to:)` to keep every boundary).
    public func dataset() -> OfflineDataset {
        OfflineDataset(observationSize: observationSize, actionSize: actionSize,
                       observations: chronologicalRows(observations, width: observationSize),
                       actions: chronologicalRows(actions, width: actionSize),
                       rewards: chronologicalRows(rewards, width: 1),
                       nextObservations: chronologicalRows(nextObservations, width: observationSize),
                       terminals: chronologicalRows(terminatedFlags, width: 1).map { $0 != 0 },
                       timeouts: chronologicalRows(truncatedFlags, width: 1).map { $0 != 0 })
    }

    /// The stored rows of a `[capacity, width]` slot array, oldest first, as
    /// `[count, width]` (at most two contiguous copies).
    func chronologicalRows<T>(_ storage: [T], width: Int) -> [T] {
        guard count > 0, width > 0 else { return [] }
        let first = (totalAdded - count) % capacity
        let head = min(count, capacity - first)
        var out = Array(storage[(first * width)..<((first + head) * width)])
        if head < count { out.append(contentsOf: storage[0..<((count - head) * width)]) }
        return out
    }

    /// Writes `rows` (`[n, width]`, oldest first) into the slots of chronological
    /// positions `0..<n` of a buffer whose oldest transition has add-index `oldest`.
    private static func placeChronological<T>(_ rows: [T], width: Int, into storage: inout [T],
                                              oldest: Int, capacity: Int) {
        let n = width > 0 ? rows.count / width : 0
        guard n > 0 else { return }
        let first = oldest % capacity
        let head = min(n, capacity - first)
        storage.replaceSubrange((first * width)..<((first + head) * width), with: rows[0..<(head * width)])
        if head < n { storage.replaceSubrange(0..<((n - head) * width), with: rows[(head * width)...]) }
    }

    /// Adds every transition of `dataset` in order. Episodes split after each
    /// `terminals`/`timeouts` flag; the dataset's first transition starts a new
    /// episode and its last episode is closed at the end (`endEpisode()`). When
    /// the dataset is larger than the free space, its oldest transitions are
    /// overwritten like any others.
    /// - Throws: `ReplayError` if the dataset's sizes differ from the buffer's.
    public mutating func add(contentsOf dataset: OfflineDataset) throws {
        guard dataset.observationSize == observationSize, dataset.actionSize == actionSize else {
            throw ReplayError("dataset has observations of \(dataset.observationSize) floats and actions of "
                              + "\(dataset.actionSize); the replay buffer stores \(observationSize) and \(actionSize)")
        }
        let o = observationSize, a = actionSize
        endEpisode()
        for i in 0..<dataset.count {
            add(observation: Array(dataset.observations[(i * o)..<(i * o + o)]),
                action: Array(dataset.actions[(i * a)..<(i * a + a)]), reward: dataset.rewards[i],
                nextObservation: Array(dataset.nextObservations[(i * o)..<(i * o + o)]),
                terminated: dataset.terminals[i], truncated: dataset.timeouts[i])
        }
        endEpisode()
    }

    /// A buffer of `capacity` holding this buffer's transitions in order (the
    /// newest `capacity` of them when it is smaller), as mbrl-lib's MBPO
    /// replaces its model buffer when the rollout length changes.
    public func resized(capacity: Int) -> ReplayBuffer {
        var resized = ReplayBuffer(capacity: capacity, observationSize: observationSize, actionSize: actionSize)
        try! resized.add(contentsOf: dataset())   // sizes match by construction
        return resized
    }

    /// A buffer holding `dataset` (offline RL), with `capacity` defaulting to its size.
    public init(dataset: OfflineDataset, capacity: Int? = nil) {
        self.init(capacity: capacity ?? max(1, dataset.count), observationSize: dataset.observationSize,
                  actionSize: dataset.actionSize)
        try! add(contentsOf: dataset)   // sizes match by construction
    }

    // MARK: - Save and load

    /// Key of the int64 bookkeeping array in a saved buffer.
    public static let stateKey = "replay_state"
    /// Key of the int64 per-transition episode ids in a saved buffer.
    public static let episodeIDsKey = "episode_ids"
    private static let formatVersion: Int64 = 1

    /// Saves the buffer to an `.npz` file, atomically (temporary file + rename).
    ///
    /// The file is a D4RL-layout dataset of the stored transitions, oldest first
    /// (so `numpy.load` and `OfflineDataset.load` read it), plus
    /// `episode_ids` (`<i8 [count]`) and `replay_state` (`<i8 [8]`: format
    /// version, capacity, observationSize, actionSize, totalAdded,
    /// nextEpisodeID, episodeOpen, lastDroppedEpisodeID). `load(from:)` restores
    /// the exact slot layout, so a loaded buffer equals the saved one bit for bit
    /// and samples the same batches from the same generator.
    public func save(to url: URL) throws {
        var archive = dataset().archive
        let ids = chronologicalRows(episodeIDs, width: 1).map { Int64($0) }
        archive.set(Self.episodeIDsKey, NumPyArray(ids, shape: [count]))
        let state: [Int64] = [Self.formatVersion, Int64(capacity), Int64(observationSize), Int64(actionSize),
                              Int64(totalAdded), Int64(nextEpisodeID), episodeOpen ? 1 : 0, Int64(lastDroppedEpisodeID)]
        archive.set(Self.stateKey, NumPyArray(state, shape: [state.count]))
        try archive.write(to: url)
    }

    /// Loads a buffer written by `save(to:)`.
    /// - Throws: `DatasetError` naming the file and the array for a missing,
    ///   truncated or inconsistent file.
    public static func load(from url: URL) throws -> ReplayBuffer {
        let archive = try NPZArchive.read(from: url)
        let file = archive.file
        func invalid(_ key: String, _ message: String) -> DatasetError {
            DatasetError(file: file, kind: .invalidArray, message: "array '\(key)' \(message)")
        }
        guard let stateArray = archive[stateKey] else {
            throw DatasetError(file: file, kind: .missingKey, message: "missing array '\(stateKey)': not a saved replay "
                               + "buffer (to load a plain dataset use OfflineDataset.load and ReplayBuffer(dataset:capacity:))")
        }
        guard let state = stateArray.int64Values, stateArray.shape == [8] else {
            throw invalid(stateKey, "has dtype \(stateArray.dtypeName) and shape \(stateArray.shape); expected int64 [8]")
        }
        guard state[0] == formatVersion else {
            throw DatasetError(file: file, kind: .unsupported,
                               message: "array '\(stateKey)' has format version \(state[0]); expected \(formatVersion)")
        }
        let data = try OfflineDataset(archive: archive)
        let idArray = try archive.array(episodeIDsKey)
        guard let ids = idArray.int64Values, idArray.shape == [data.count] else {
            throw invalid(episodeIDsKey, "has dtype \(idArray.dtypeName) and shape \(idArray.shape); expected int64 [\(data.count)]")
        }
        let capacity = Int(state[1]), totalAdded = Int(state[4]), nextEpisodeID = Int(state[5])
        let episodeOpen = state[6], lastDropped = Int(state[7]), n = data.count
        // Row widths are at most Int32.max (`OfflineDataset(archive:)` checks), so this cannot overflow.
        let rowFloats = 2 * data.observationSize + data.actionSize + 3
        guard capacity > 0, capacity <= (1 << 36) / rowFloats else {
            throw invalid(stateKey, "gives capacity \(capacity); expected 1 ... \((1 << 36) / rowFloats) for rows of \(rowFloats) floats")
        }
        // The buffer is allocated up front: a capacity the file made up must not exhaust memory (the process would be killed).
        let bytes = Double(capacity) * Double(rowFloats * 4 + 8), memory = Double(ProcessInfo.processInfo.physicalMemory)
        guard bytes <= memory / 2 else {
            func gigabytes(_ b: Double) -> String { String(format: "%.1f GB", b / 1e9) }
            throw invalid(stateKey, "gives capacity \(capacity): rows of \(rowFloats) floats would need \(gigabytes(bytes)), "
                          + "more than half of this machine's \(gigabytes(memory)) of memory")
        }
        guard Int(state[2]) == data.observationSize, Int(state[3]) == data.actionSize else {
            throw invalid(stateKey, "gives observation size \(state[2]) and action size \(state[3]); "
                          + "the arrays hold \(data.observationSize) and \(data.actionSize)")
        }
        guard n <= capacity, totalAdded >= n, totalAdded == n || n == capacity, totalAdded < 1 << 62 else {
            throw invalid(stateKey, "gives capacity \(capacity) and \(totalAdded) transitions added; "
                          + "inconsistent with \(n) stored transitions")
        }
        guard episodeOpen == 0 || episodeOpen == 1, nextEpisodeID >= 0, nextEpisodeID < 1 << 62, lastDropped >= -1,
              (totalAdded == n) == (lastDropped == -1), lastDropped <= Int(ids.first ?? Int64(nextEpisodeID)),
              lastDropped < max(nextEpisodeID, 1) else {
            throw invalid(stateKey, "has inconsistent episode bookkeeping (open \(episodeOpen), last dropped episode \(lastDropped))")
        }
        // Episode ids: non-decreasing, below nextEpisodeID, a new id after every ended episode.
        for p in 0..<n {
            let id = Int(ids[p])
            let ended = data.terminals[p] || data.timeouts[p]
            let nextID = p + 1 < n ? Int(ids[p + 1]) : nil
            guard id >= 0, id < nextEpisodeID, nextID.map({ $0 >= id }) ?? true, !(ended && nextID == id) else {
                throw invalid(episodeIDsKey, "is inconsistent at row \(p) (id \(id), next \(nextID.map(String.init) ?? "none"), "
                              + "ended \(ended), next episode id \(nextEpisodeID))")
            }
        }
        if episodeOpen == 1 {
            guard n > 0 || totalAdded > 0, ids.last.map({ Int($0) == nextEpisodeID - 1 }) ?? true,
                  !(data.terminals.last ?? false || data.timeouts.last ?? false) else {
                throw invalid(stateKey, "marks the newest episode open, but it ended or is not the newest id")
            }
        }

        var buffer = ReplayBuffer(capacity: capacity, observationSize: data.observationSize, actionSize: data.actionSize)
        let o = data.observationSize, a = data.actionSize, oldest = totalAdded - n
        placeChronological(data.observations, width: o, into: &buffer.observations, oldest: oldest, capacity: capacity)
        placeChronological(data.nextObservations, width: o, into: &buffer.nextObservations, oldest: oldest, capacity: capacity)
        placeChronological(data.actions, width: a, into: &buffer.actions, oldest: oldest, capacity: capacity)
        placeChronological(data.rewards, width: 1, into: &buffer.rewards, oldest: oldest, capacity: capacity)
        placeChronological(data.terminals.map { $0 ? 1 : 0 }, width: 1, into: &buffer.terminatedFlags,
                           oldest: oldest, capacity: capacity)
        placeChronological(data.timeouts.map { $0 ? 1 : 0 }, width: 1, into: &buffer.truncatedFlags,
                           oldest: oldest, capacity: capacity)
        placeChronological(ids.map { Int($0) }, width: 1, into: &buffer.episodeIDs, oldest: oldest, capacity: capacity)
        for p in 0..<n {
            if p > 0 && ids[p] == ids[p - 1] {
                buffer.runs[buffer.runs.count - 1].length += 1
            } else {
                buffer.runs.append(EpisodeRun(id: Int(ids[p]), first: oldest + p, length: 1))
            }
        }
        buffer.count = n
        buffer.totalAdded = totalAdded
        buffer.nextEpisodeID = nextEpisodeID
        buffer.episodeOpen = episodeOpen == 1
        buffer.lastDroppedEpisodeID = lastDropped
        return buffer
    }
}
