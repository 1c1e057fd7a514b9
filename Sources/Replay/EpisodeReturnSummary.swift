/// The episodes of a D4RL-layout transition stream and the statistics of
/// their returns. An episode ends at a row whose `terminals` or `timeouts`
/// flag is set (D4RL's convention); rows after the last such flag form an
/// incomplete episode, counted apart and left out of the statistics (a
/// collection budget that stops mid-episode leaves one).
///
/// `std` is the population standard deviation (numpy's default `ddof=0`).
public struct EpisodeReturnSummary: Codable, Equatable, Sendable {
    /// Complete episodes.
    public var count: Int
    /// Of those, the ones that ended on `terminals` (the rest on `timeouts`).
    public var terminated: Int
    /// Rows after the last episode end.
    public var incompleteSteps: Int
    /// Mean, population standard deviation, minimum and maximum of the complete
    /// episodes' returns; `nil` without a complete episode.
    public var mean: Double?
    public var std: Double?
    public var min: Double?
    public var max: Double?
    /// Mean length of the complete episodes.
    public var meanLength: Double?

    enum CodingKeys: String, CodingKey {
        case count, terminated, mean, std, min, max
        case incompleteSteps = "incomplete_steps", meanLength = "mean_length"
    }

    /// The summary of `rewards` split by `terminals` / `timeouts` (equal lengths).
    public init(rewards: [Float], terminals: [Bool], timeouts: [Bool]) {
        var returns: [Double] = [], lengths: [Int] = []
        var terminated = 0, current = 0.0, length = 0
        for i in rewards.indices {
            current += Double(rewards[i])
            length += 1
            if terminals[i] || timeouts[i] {
                returns.append(current)
                lengths.append(length)
                if terminals[i] { terminated += 1 }
                (current, length) = (0, 0)
            }
        }
        count = returns.count
        self.terminated = terminated
        incompleteSteps = length
        guard !returns.isEmpty else { return }
        let mean = returns.reduce(0, +) / Double(returns.count)
        self.mean = mean
        std = (returns.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(returns.count)).squareRoot()
        min = returns.min()
        max = returns.max()
        meanLength = Double(lengths.reduce(0, +)) / Double(lengths.count)
    }

    /// `12 complete (10 terminated, 2 timed out), 37 steps in an incomplete episode`.
    public var episodesDescription: String {
        var text = "\(count) complete (\(terminated) terminated, \(count - terminated) timed out)"
        if let meanLength { text += ", mean length \(Self.format(meanLength))" }
        if incompleteSteps > 0 { text += "; \(incompleteSteps) steps in an incomplete last episode" }
        return text
    }

    /// `mean 22.10, std 10.20, min 8.00, max 70.00`, or `no complete episode`.
    public var returnsDescription: String {
        guard let mean, let std, let min, let max else { return "no complete episode" }
        return "mean \(Self.format(mean)), std \(Self.format(std)), min \(Self.format(min)), max \(Self.format(max))"
    }

    /// `x` with two decimals (`-3.14`), without Foundation's formatter.
    static func format(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        let cents = Int((abs(x) * 100).rounded())
        let fraction = cents % 100
        return (x < 0 && cents > 0 ? "-" : "") + "\(cents / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }
}
