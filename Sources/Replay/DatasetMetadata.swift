import Foundation

/// What a dataset file says about how it was made, stored beside the D4RL
/// arrays as the array `metadata`: one JSON object in a 0-d NumPy unicode
/// array (`<U<n>`), so that `json.loads(str(numpy.load(f)['metadata']))`
/// reads it without pickle. Keys are snake_case:
///
/// ```json
/// {"format": "mbrl-d4rl", "format_version": 1, "env_id": "CartPole-v1", "env_settings": {},
///  "max_episode_steps": null, "policy": "random: uniform over Discrete(2)", "level": "random",
///  "seed": 0, "steps": 10000, "episodes": {"count": 447, ...}, "sources": []}
/// ```
///
/// `level` follows D4RL's names (`random`, `medium`, `expert`,
/// `medium-replay`, `mixed`); `env_settings` holds each setting as written on
/// the command line (`k=v`), so `mbrl dataset collect --settings` can repeat it.
public struct DatasetMetadata: Codable, Equatable, Sendable {
    /// D4RL's names for how the data was collected.
    public enum Level: String, Codable, CaseIterable, Sendable {
        /// A uniformly random policy.
        case random
        /// A partially trained policy.
        case medium
        /// A fully trained policy.
        case expert
        /// The replay buffer of a training run (every policy it went through).
        case mediumReplay = "medium-replay"
        /// Whole trajectories of several datasets blended.
        case mixed
    }

    /// Identifies the layout (`mbrl-d4rl`), for readers that check.
    public var format = "mbrl-d4rl"
    public var formatVersion = 1
    /// The registered environment id (`mbrl env list`).
    public var envID: String
    /// Environment settings as `k=v` text values (`"masscart": "1.0"`).
    public var envSettings: [String: String]
    /// Episodes were cut after this many steps (nil: the environment's own limit).
    public var maxEpisodeSteps: Int?
    /// The policy that acted, in words (`random: uniform over Box(...)`, `sac run DIR, deterministic`).
    public var policy: String
    public var level: Level
    /// The seed of the collection (or of the run, or of the mix).
    public var seed: UInt64
    /// Transitions in the file.
    public var steps: Int
    /// Returns of the file's complete episodes.
    public var episodes: EpisodeReturnSummary
    /// The datasets or run directory the data came from (mixes, replay buffers), with what was taken.
    public var sources: [String]

    public init(envID: String, envSettings: [String: String] = [:], maxEpisodeSteps: Int? = nil, policy: String,
                level: Level, seed: UInt64, steps: Int, episodes: EpisodeReturnSummary, sources: [String] = []) {
        self.envID = envID
        self.envSettings = envSettings
        self.maxEpisodeSteps = maxEpisodeSteps
        self.policy = policy
        self.level = level
        self.seed = seed
        self.steps = steps
        self.episodes = episodes
        self.sources = sources
    }

    enum CodingKeys: String, CodingKey {
        case format, policy, level, seed, steps, episodes, sources
        case formatVersion = "format_version", envID = "env_id", envSettings = "env_settings"
        case maxEpisodeSteps = "max_episode_steps"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(format, forKey: .format)
        try c.encode(formatVersion, forKey: .formatVersion)
        try c.encode(envID, forKey: .envID)
        try c.encode(envSettings, forKey: .envSettings)
        try c.encode(maxEpisodeSteps, forKey: .maxEpisodeSteps)   // null when unset, so every key is present
        try c.encode(policy, forKey: .policy)
        try c.encode(level, forKey: .level)
        try c.encode(seed, forKey: .seed)
        try c.encode(steps, forKey: .steps)
        try c.encode(episodes, forKey: .episodes)
        try c.encode(sources, forKey: .sources)
    }

    // MARK: - The `metadata` array

    /// The JSON text (sorted keys, one line).
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings and numbers cannot fail; NaN never occurs (the summary's statistics are finite or nil).
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// The metadata as the 0-d unicode array stored under `metadata`.
    public var array: NumPyArray { NumPyArray([json()], shape: []) }

    /// Reads the `metadata` array of `file`.
    /// - Throws: `DatasetError` (`.invalidArray`) naming the array when it is not
    ///   one string or its JSON lacks a key or has a wrong type.
    public init(array: NumPyArray, key: String = "metadata", file: String) throws {
        guard case .unicode(let texts) = array.elements, texts.count == 1, array.shape.count <= 1 else {
            throw DatasetError(file: file, kind: .invalidArray, message:
                "array '\(key)' has dtype \(array.dtypeName) and shape \(array.shape); expected one JSON string (dtype <U, shape [] or [1])")
        }
        do {
            self = try JSONDecoder().decode(DatasetMetadata.self, from: Data(texts[0].utf8))
        } catch let DecodingError.keyNotFound(missing, _) {
            throw DatasetError(file: file, kind: .invalidArray, message: "array '\(key)' lacks the key '\(missing.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw DatasetError(file: file, kind: .invalidArray, message: "array '\(key)': key '\(path)' \(context.debugDescription)")
        } catch let DecodingError.dataCorrupted(context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw DatasetError(file: file, kind: .invalidArray, message:
                "array '\(key)' is not valid metadata JSON\(path.isEmpty ? "" : " at '\(path)'"): \(context.debugDescription)")
        }
    }
}
