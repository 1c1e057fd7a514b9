import Foundation
import Replay
import SeededRandom

/// Blends datasets by whole trajectories (D4RL's `mixed` / `medium-expert`
/// idea): `mbrl dataset mix A.npz B.npz --fractions 0.5,0.5 --seed S`.
///
/// Each input is cut into its complete episodes (ending at `terminals` or
/// `timeouts`; an unflagged tail is dropped). The mix has about
/// `T = min_i(rows_i / f_i)` transitions — the most the inputs supply at the
/// fractions without reusing an episode — and takes from input `i` episodes
/// in a seeded random order while they fit in `f_i · T` rows (at least one
/// episode each). The chosen episodes are then shuffled together, so the file
/// interleaves the sources. Inputs must share observation and action sizes,
/// and, where their metadata says, the environment.
public enum DatasetMixer {
    /// One input: its dataset and the file it came from (for messages and metadata).
    public struct Input {
        public var dataset: OfflineDataset
        public var file: String
        public init(dataset: OfflineDataset, file: String) {
            self.dataset = dataset
            self.file = file
        }
    }

    /// The mix of `inputs` at `fractions` (same count, each > 0, summing to 1).
    /// - Throws: `ExperimentError.failed` for bad fractions, an input without a
    ///   complete episode, or inputs of different shapes or environments (naming both files).
    public static func mix(_ inputs: [Input], fractions: [Double], seed: UInt64) throws -> OfflineDataset {
        // MARK: - Checks
        guard inputs.count >= 1, fractions.count == inputs.count else {
            throw ExperimentError.failed("--fractions has \(fractions.count) values for \(inputs.count) datasets; give one per dataset")
        }
        guard fractions.allSatisfy({ $0 > 0 && $0.isFinite }), abs(fractions.reduce(0, +) - 1) < 1e-6 else {
            throw ExperimentError.failed("--fractions \(fractions.map { "\($0)" }.joined(separator: ",")) must be positive and sum to 1")
        }
        let first = inputs[0]
        for input in inputs.dropFirst() {
            let a = first.dataset, b = input.dataset
            guard a.observationSize == b.observationSize, a.actionSize == b.actionSize else {
                throw ExperimentError.failed("\(input.file) has observations [N, \(b.observationSize)] and actions [N, \(b.actionSize)]; "
                                             + "\(first.file) has [N, \(a.observationSize)] and [N, \(a.actionSize)]")
            }
            if let x = a.metadata?.envID, let y = b.metadata?.envID, x != y {
                throw ExperimentError.failed("\(input.file) was collected on \(y), \(first.file) on \(x); mix datasets of one environment")
            }
        }
        let episodes = inputs.map { episodeRanges($0.dataset) }
        for (input, ranges) in zip(inputs, episodes) where ranges.isEmpty {
            throw ExperimentError.failed("\(input.file) has no complete episode (no row with terminals or timeouts set)")
        }

        // MARK: - Selection
        let complete = episodes.map { $0.reduce(0) { $0 + $1.count } }
        let total = zip(complete, fractions).map { Double($0) / $1 }.min()!
        var generator = SeededGenerator(seed: seed)
        var chosen: [(input: Int, rows: Range<Int>)] = []
        var taken = [Int](repeating: 0, count: inputs.count)
        for i in inputs.indices {
            let target = fractions[i] * total
            for e in generator.permutation(episodes[i].count) {
                let rows = episodes[i][e]
                if taken[i] > 0 && Double(taken[i] + rows.count) > target + 1e-9 { continue }
                chosen.append((i, rows))
                taken[i] += rows.count
            }
        }
        let order = generator.permutation(chosen.count)

        // MARK: - Copy (contiguous row ranges)
        let o = first.dataset.observationSize, a = first.dataset.actionSize, n = taken.reduce(0, +)
        var observations: [Float] = [], actions: [Float] = [], rewards: [Float] = [], next: [Float] = []
        var terminals: [Bool] = [], timeouts: [Bool] = []
        observations.reserveCapacity(n * o); next.reserveCapacity(n * o); actions.reserveCapacity(n * a)
        rewards.reserveCapacity(n); terminals.reserveCapacity(n); timeouts.reserveCapacity(n)
        for k in order {
            let (i, rows) = chosen[k]
            let d = inputs[i].dataset
            observations.append(contentsOf: d.observations[(rows.lowerBound * o)..<(rows.upperBound * o)])
            next.append(contentsOf: d.nextObservations[(rows.lowerBound * o)..<(rows.upperBound * o)])
            actions.append(contentsOf: d.actions[(rows.lowerBound * a)..<(rows.upperBound * a)])
            rewards.append(contentsOf: d.rewards[rows])
            terminals.append(contentsOf: d.terminals[rows])
            timeouts.append(contentsOf: d.timeouts[rows])
        }
        var mixed = OfflineDataset(observationSize: o, actionSize: a, observations: observations, actions: actions,
                                   rewards: rewards, nextObservations: next, terminals: terminals, timeouts: timeouts)

        // MARK: - Metadata
        let sources = inputs.indices.map { i -> String in
            let count = chosen.filter { $0.input == i }.count
            let level = inputs[i].dataset.metadata.map { " (\($0.level.rawValue))" } ?? ""
            return "\(inputs[i].file)\(level): \(count) episodes, \(taken[i]) rows (fraction \(fractions[i]), "
                + String(format: "%.3f", Double(taken[i]) / Double(max(n, 1))) + " realised)"
        }
        let meta = first.dataset.metadata
        mixed.metadata = DatasetMetadata(
            envID: meta?.envID ?? "unknown", envSettings: meta?.envSettings ?? [:], maxEpisodeSteps: meta?.maxEpisodeSteps,
            policy: "mix of " + inputs.indices.map { "\(inputs[$0].file) (\(fractions[$0]))" }.joined(separator: ", "),
            level: .mixed, seed: seed, steps: n, episodes: mixed.episodeReturns, sources: sources)
        return mixed
    }

    /// The row ranges of `dataset`'s complete episodes, in order.
    static func episodeRanges(_ dataset: OfflineDataset) -> [Range<Int>] {
        var ranges: [Range<Int>] = [], start = 0
        for i in 0..<dataset.count where dataset.terminals[i] || dataset.timeouts[i] {
            ranges.append(start..<(i + 1))
            start = i + 1
        }
        return ranges
    }
}
